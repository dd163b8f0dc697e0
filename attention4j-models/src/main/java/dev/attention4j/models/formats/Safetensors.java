package dev.attention4j.models.formats;

import dev.attention4j.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Whole-file safetensors operations: {@link #write} a map of tensors (as F32, F16 or BF16), {@link #readAll} of them
 * back.
 */
public final class Safetensors {

    private static final int WRITE_BUFFER_BYTES = 1 << 16;
    private static final int TEMP_NAME_ATTEMPTS = 100;

    private Safetensors() {}

    /**
     * Writes {@code tensors} as F32 and {@code metadata} as {@code __metadata__} (omitted when empty) to
     * {@code path}, replacing any file there.
     *
     * <p>The layout is the reference implementation's: tensors sorted by name (in Unicode code point order, i.e.
     * UTF-8 byte order), compact JSON with {@code __metadata__} first, padded with spaces to a multiple of 8 bytes.
     * Metadata is sorted by key too. So the output depends only on the maps' contents, never on their iteration
     * order ({@code Map.of} changes it from run to run).
     *
     * <p>Atomic: the bytes go to a hidden temporary file beside {@code path}, are synced to disk, then renamed over
     * {@code path}, so a crash leaves either the old file or the new one, never a truncated one (if {@code path} is
     * a symbolic link, the link is replaced). The temporary file is deleted when writing fails.
     *
     * @throws IllegalArgumentException if a name is {@code "__metadata__"} or not valid Unicode, or the header
     *                                  would exceed the format's 100 MB limit
     */
    public static void write(Path path, Map<String, Tensor> tensors, Map<String, String> metadata)
            throws IOException {
        write(path, tensors, metadata, DType.F32);
    }

    /**
     * As {@link #write(Path, Map, Map)}, storing every tensor as {@code dtype}: {@link DType#F32} exactly,
     * {@link DType#F16} or {@link DType#BF16} rounded to the nearest representable value (ties to even), as PyTorch's
     * {@code .half()} and {@code .bfloat16()} round. F16 overflows to infinity beyond 65504 and flushes below 2^-25
     * to zero; BF16 keeps float32's range with 8 significant bits. NaN stays NaN.
     *
     * @throws IllegalArgumentException if {@code dtype} is not F32, F16 or BF16, or as the three-argument form
     */
    public static void write(Path path, Map<String, Tensor> tensors, Map<String, String> metadata, DType dtype)
            throws IOException {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(dtype, "dtype");
        if (dtype != DType.F32 && dtype != DType.F16 && dtype != DType.BF16) {
            throw new IllegalArgumentException("dtype: expected F32, F16 or BF16 but got " + dtype);
        }
        List<Map.Entry<String, Tensor>> sortedTensors = sortedByName(tensors, "tensors");
        List<Map.Entry<String, String>> sortedMetadata = sortedByName(metadata, "metadata");
        for (Map.Entry<String, Tensor> entry : sortedTensors) {
            if (entry.getKey().equals(SafetensorsHeader.METADATA_KEY)) {
                throw new IllegalArgumentException("tensors: the name '" + SafetensorsHeader.METADATA_KEY
                        + "' is reserved for the metadata");
            }
        }
        byte[] header = SafetensorsHeader.encode(sortedTensors, sortedMetadata, dtype);
        if (header.length > SafetensorsHeader.MAX_HEADER_BYTES) {
            throw new IllegalArgumentException("the header would be " + header.length + " bytes, more than the "
                    + SafetensorsHeader.MAX_HEADER_BYTES + " safetensors readers accept; is the metadata that big?");
        }

        Path target = path.toAbsolutePath();
        Path temp = createTempSibling(target);
        try {
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.allocate(WRITE_BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
                buffer.putLong(header.length).flip();
                writeFully(out, buffer);
                writeFully(out, ByteBuffer.wrap(header));
                for (Map.Entry<String, Tensor> entry : sortedTensors) {
                    writeElements(out, entry.getValue().data(), dtype, buffer);
                }
                out.force(true);
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException | RuntimeException | Error e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException deleting) {
                e.addSuppressed(deleting);
            }
            throw e;
        }
    }

    /**
     * Reads every tensor of the safetensors file at {@code path} into heap memory as float32 (converted as
     * {@link SafetensorsFile#readFloat} does), in the file's order. The map is unmodifiable.
     */
    public static Map<String, Tensor> readAll(Path path) throws IOException {
        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (String name : file.tensors().keySet()) {
                tensors.put(name, file.readFloat(name));
            }
            return Collections.unmodifiableMap(tensors);
        }
    }

    /** The entries sorted by key in code point order, after checking that keys and values are present and encodable. */
    private static <V> List<Map.Entry<String, V>> sortedByName(Map<String, V> map, String what) {
        Objects.requireNonNull(map, what);
        List<Map.Entry<String, V>> entries = new ArrayList<>(map.size());
        for (Map.Entry<String, V> entry : map.entrySet()) {
            String name = entry.getKey();
            Objects.requireNonNull(name, () -> what + " has a null name");
            Objects.requireNonNull(entry.getValue(), () -> what + "['" + name + "'] is null");
            requireEncodable(what + " name '" + name + "'", name);
            if (entry.getValue() instanceof String value) {
                requireEncodable(what + "['" + name + "']", value);
            }
            entries.add(Map.entry(name, entry.getValue()));
        }
        entries.sort(Comparator.comparing(Map.Entry::getKey, Safetensors::compareCodePoints));
        return entries;
    }

    private static void requireEncodable(String what, String text) {
        if (!StandardCharsets.UTF_8.newEncoder().canEncode(text)) {
            throw new IllegalArgumentException(what + " is not valid Unicode (an unpaired surrogate?)");
        }
    }

    /** Orders strings as their UTF-8 bytes order, as the reference implementation (Rust) does. */
    static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Boolean.compare(i < a.length(), j < b.length());
    }

    /**
     * A new empty file beside {@code target}, created with the default permissions (unlike
     * {@link Files#createTempFile}, which makes it private to the owner) so the renamed result is like any new file.
     */
    private static Path createTempSibling(Path target) throws IOException {
        String prefix = "." + target.getFileName() + ".";
        for (int attempt = 1; ; attempt++) {
            Path temp = target.resolveSibling(
                    prefix + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36) + ".tmp");
            try {
                return Files.createFile(temp);
            } catch (FileAlreadyExistsException e) {
                if (attempt == TEMP_NAME_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    /** Writes {@code data} as {@code dtype} (F32, F16 or BF16), little-endian, through {@code buffer}. */
    private static void writeElements(FileChannel out, float[] data, DType dtype, ByteBuffer buffer)
            throws IOException {
        if (dtype == DType.F32) {
            writeFloats(out, data, buffer);
            return;
        }
        int perBuffer = buffer.capacity() / Short.BYTES;
        for (int done = 0; done < data.length; ) {
            int count = Math.min(perBuffer, data.length - done);
            buffer.clear();
            for (int i = 0; i < count; i++) {
                float x = data[done + i];
                buffer.putShort(dtype == DType.F16 ? Float.floatToFloat16(x) : toBFloat16(x));
            }
            buffer.flip();
            writeFully(out, buffer);
            done += count;
        }
    }

    /**
     * The bfloat16 nearest to {@code x} (ties to even): the upper 16 bits of the float after rounding away the lower
     * 16. A NaN keeps its sign and stays a (quiet) NaN even if its payload sat in the dropped bits.
     */
    static short toBFloat16(float x) {
        int bits = Float.floatToRawIntBits(x);
        if (Float.isNaN(x)) {
            return (short) ((bits >>> 16) | 0x0040);
        }
        int roundingBias = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + roundingBias) >>> 16);
    }

    /** Writes {@code data} as F32, little-endian, through {@code buffer}. */
    private static void writeFloats(FileChannel out, float[] data, ByteBuffer buffer) throws IOException {
        FloatBuffer floats = buffer.clear().asFloatBuffer();
        for (int done = 0; done < data.length; ) {
            int count = Math.min(floats.capacity(), data.length - done);
            floats.clear();
            floats.put(data, done, count);
            buffer.clear().limit(count * Float.BYTES);
            writeFully(out, buffer);
            done += count;
        }
    }

    private static void writeFully(FileChannel out, ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            out.write(bytes);
        }
    }
}
