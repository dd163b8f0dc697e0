package dev.attention4j.models.formats;

import dev.attention4j.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;

/**
 * An open {@code .safetensors} file: its validated header, and its tensors read on demand from a read-only memory
 * map. Opening reads only the header, so it costs the same for a 500 KB file as for a 10 GB one; each read maps just
 * the bytes of that tensor (in pieces of at most 1 GiB, so files and tensors larger than 2 GiB work) and converts
 * them into a new heap array.
 *
 * <p>Reads may run concurrently from several threads. After {@link #close()} they throw
 * {@link IllegalStateException}; {@link #tensors()} and {@link #metadata()} stay available.
 *
 * <p>The file must not be modified while it is open: reading a tensor from a file that shrank after the check may
 * fail with an {@link InternalError}.
 */
public final class SafetensorsFile implements AutoCloseable {

    /** Largest region mapped at once; a multiple of every dtype's size. */
    static final int DEFAULT_MAX_MAP_BYTES = 1 << 30;
    private static final int MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;
    private static final int MAX_NAMES_IN_MESSAGE = 20;

    /**
     * Where one tensor lies in the file.
     *
     * @param name       its key in the header
     * @param dtype      its element type
     * @param shape      its dims, outermost first (row-major); empty for a scalar. Copied in and out.
     * @param dataOffset the absolute byte position of its first element in the file
     * @param byteLength its size in bytes: {@code dtype.byteSize()} times the product of {@code shape}
     */
    public record TensorInfo(String name, DType dtype, long[] shape, long dataOffset, long byteLength) {

        public TensorInfo {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(dtype, "dtype");
            shape = shape.clone();
            long elements = 1;
            for (long d : shape) {
                if (d < 0) {
                    throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape)
                            + " has a negative dim");
                }
                elements = Math.multiplyExact(elements, d);
            }
            if (dataOffset < 0 || byteLength != Math.multiplyExact(elements, dtype.byteSize())) {
                throw new IllegalArgumentException("tensor '" + name + "': " + dtype + " " + Arrays.toString(shape)
                        + " needs " + elements * dtype.byteSize() + " bytes at a non-negative offset, got "
                        + byteLength + " bytes at " + dataOffset);
            }
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }

        /** The number of elements: the product of the shape (1 for a scalar). */
        public long elementCount() {
            return byteLength / dtype.byteSize();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof TensorInfo t && name.equals(t.name) && dtype == t.dtype
                    && Arrays.equals(shape, t.shape) && dataOffset == t.dataOffset && byteLength == t.byteLength;
        }

        @Override
        public int hashCode() {
            return Objects.hash(name, dtype, Arrays.hashCode(shape), dataOffset, byteLength);
        }

        @Override
        public String toString() {
            return "TensorInfo[name=" + name + ", dtype=" + dtype + ", shape=" + Arrays.toString(shape)
                    + ", dataOffset=" + dataOffset + ", byteLength=" + byteLength + "]";
        }
    }

    /** Converts {@code count} elements starting at element {@code first} from a little-endian chunk. */
    @FunctionalInterface
    private interface ChunkReader {
        void read(ByteBuffer chunk, long chunkOffset, int first, int count) throws WeightFormatException;
    }

    private final Path path;
    private final FileChannel channel;
    private final SafetensorsHeader header;
    private final int maxMapBytes;
    private volatile boolean closed;

    private SafetensorsFile(Path path, FileChannel channel, SafetensorsHeader header, int maxMapBytes) {
        this.path = path;
        this.channel = channel;
        this.header = header;
        this.maxMapBytes = maxMapBytes;
    }

    /**
     * Opens {@code path} and validates its header.
     *
     * @throws WeightFormatException if the file is not a valid safetensors file (the message says where and why)
     * @throws IOException           if it cannot be read
     */
    public static SafetensorsFile open(Path path) throws IOException {
        return open(path, DEFAULT_MAX_MAP_BYTES);
    }

    /** As {@link #open(Path)}, mapping at most {@code maxMapBytes} at a time (small values test the piecing). */
    static SafetensorsFile open(Path path, int maxMapBytes) throws IOException {
        Objects.requireNonNull(path, "path");
        if (maxMapBytes < Long.BYTES) {
            throw new IllegalArgumentException("maxMapBytes must be at least " + Long.BYTES + ", got " + maxMapBytes);
        }
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
        try {
            return new SafetensorsFile(path, channel, SafetensorsHeader.read(path, channel), maxMapBytes);
        } catch (IOException | RuntimeException | Error e) {
            try {
                channel.close();
            } catch (IOException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    /** The file this was opened from. */
    public Path path() {
        return path;
    }

    /** Every tensor, in the order of the file's header. Unmodifiable. */
    public Map<String, TensorInfo> tensors() {
        return header.tensors();
    }

    /** The header's {@code __metadata__} (e.g. {@code format=pt}), in file order; empty if it has none. */
    public Map<String, String> metadata() {
        return header.metadata();
    }

    /**
     * The tensor called {@code name} as float32, whatever its dtype: F16 and BF16 convert exactly; F64, I64 and I32
     * round to the nearest float; BOOL reads as 0 and 1.
     *
     * @throws IllegalArgumentException if there is no such tensor (the message lists the names there are)
     * @throws WeightFormatException    if a BOOL byte is neither 0 nor 1, or the tensor is too large for a
     *                                  {@link Tensor} (int dims, fewer than 2^31 - 8 elements)
     */
    public Tensor readFloat(String name) throws IOException {
        TensorInfo info = require(name);
        int[] dims = tensorDims(info);
        float[] out = new float[elementCount(info)];
        readChunks(info, switch (info.dtype()) {
            case F32 -> (chunk, chunkOffset, first, count) -> chunk.asFloatBuffer().get(out, first, count);
            case F64 -> (chunk, chunkOffset, first, count) -> {
                for (int i = 0; i < count; i++) {
                    out[first + i] = (float) chunk.getDouble(i * Double.BYTES);
                }
            };
            case F16 -> (chunk, chunkOffset, first, count) -> {
                for (int i = 0; i < count; i++) {
                    out[first + i] = Float.float16ToFloat(chunk.getShort(i * Short.BYTES));
                }
            };
            case BF16 -> (chunk, chunkOffset, first, count) -> {
                for (int i = 0; i < count; i++) {
                    out[first + i] = Float.intBitsToFloat((chunk.getShort(i * Short.BYTES) & 0xFFFF) << 16);
                }
            };
            case I64, I32, I16, I8, U8, BOOL -> (chunk, chunkOffset, first, count) -> {
                for (int i = 0; i < count; i++) {
                    out[first + i] = integer(info, chunk, chunkOffset, i);
                }
            };
        });
        return Tensor.of(out, dims);
    }

    /**
     * The integer tensor called {@code name}, flattened row-major (its shape is in {@link #tensors()}). Reads I64,
     * I32, I16, I8, U8 (as 0..255) and BOOL (as 0 and 1).
     *
     * @throws IllegalArgumentException if there is no such tensor, or it has a floating-point dtype
     * @throws WeightFormatException    if a BOOL byte is neither 0 nor 1, or the tensor has 2^31 - 8 or more elements
     */
    public long[] readLongs(String name) throws IOException {
        TensorInfo info = require(name);
        boolean integer = switch (info.dtype()) {
            case F64, F32, F16, BF16 -> false;
            case I64, I32, I16, I8, U8, BOOL -> true;
        };
        if (!integer) {
            throw new IllegalArgumentException("tensor '" + name + "' in " + path + " is " + info.dtype()
                    + "; readLongs reads I64, I32, I16, I8, U8 and BOOL. Use readFloat.");
        }
        long[] out = new long[elementCount(info)];
        readChunks(info, (chunk, chunkOffset, first, count) -> {
            for (int i = 0; i < count; i++) {
                out[first + i] = integer(info, chunk, chunkOffset, i);
            }
        });
        return out;
    }

    /** Element {@code i} of a chunk of an integer or BOOL tensor. */
    private long integer(TensorInfo info, ByteBuffer chunk, long chunkOffset, int i) throws WeightFormatException {
        return switch (info.dtype()) {
            case I64 -> chunk.getLong(i * Long.BYTES);
            case I32 -> chunk.getInt(i * Integer.BYTES);
            case I16 -> chunk.getShort(i * Short.BYTES);
            case I8 -> chunk.get(i);
            case U8 -> chunk.get(i) & 0xFF;
            case BOOL -> bool(info, chunk, chunkOffset, i) ? 1 : 0;
            case F64, F32, F16, BF16 -> throw new IllegalStateException(info.dtype() + " is not an integer dtype");
        };
    }

    /**
     * The BOOL (or U8 holding 0 and 1) tensor called {@code name}, flattened row-major.
     *
     * @throws IllegalArgumentException if there is no such tensor, or its dtype is neither BOOL nor U8
     * @throws WeightFormatException    if a byte is neither 0 nor 1, or the tensor has 2^31 - 8 or more elements
     */
    public boolean[] readBooleans(String name) throws IOException {
        TensorInfo info = require(name);
        if (info.dtype() != DType.BOOL && info.dtype() != DType.U8) {
            throw new IllegalArgumentException("tensor '" + name + "' in " + path + " is " + info.dtype()
                    + "; readBooleans reads BOOL and U8 (0 or 1)");
        }
        boolean[] out = new boolean[elementCount(info)];
        readChunks(info, (chunk, chunkOffset, first, count) -> {
            for (int i = 0; i < count; i++) {
                out[first + i] = bool(info, chunk, chunkOffset, i);
            }
        });
        return out;
    }

    private boolean bool(TensorInfo info, ByteBuffer chunk, long chunkOffset, int i) throws WeightFormatException {
        byte b = chunk.get(i);
        if (b != 0 && b != 1) {
            throw new WeightFormatException(path, chunkOffset + i, "tensor '" + info.name() + "' holds the byte "
                    + (b & 0xFF) + " where a boolean (0 or 1) belongs", "The file is corrupt, or the tensor is not"
                    + " boolean; read it with readLongs or readFloat.");
        }
        return b == 1;
    }

    /** Maps the tensor's bytes piece by piece (each a whole number of elements) and hands each to {@code reader}. */
    private void readChunks(TensorInfo info, ChunkReader reader) throws IOException {
        int elementBytes = info.dtype().byteSize();
        long chunkBytes = maxMapBytes / elementBytes * elementBytes;
        try {
            long end = info.dataOffset() + info.byteLength();
            if (info.byteLength() > 0 && channel.size() < end) {
                throw new WeightFormatException(path, channel.size(), "the file is now shorter than tensor '"
                        + info.name() + "', which ends at byte " + end, "It was modified after it was opened.");
            }
            for (long done = 0; done < info.byteLength(); done += chunkBytes) {
                long length = Math.min(chunkBytes, info.byteLength() - done);
                long chunkOffset = info.dataOffset() + done;
                ByteBuffer chunk = channel.map(FileChannel.MapMode.READ_ONLY, chunkOffset, length)
                        .order(ByteOrder.LITTLE_ENDIAN);
                reader.read(chunk, chunkOffset, (int) (done / elementBytes), (int) (length / elementBytes));
            }
        } catch (ClosedChannelException e) {
            if (closed) {
                throw closedError(info.name(), e);
            }
            throw e;
        }
    }

    private TensorInfo require(String name) {
        Objects.requireNonNull(name, "name");
        if (closed) {
            throw closedError(name, null);
        }
        TensorInfo info = tensors().get(name);
        if (info == null) {
            throw new IllegalArgumentException("no tensor named '" + name + "' in " + path + "; it has: "
                    + namesForMessage());
        }
        return info;
    }

    private IllegalStateException closedError(String name, Throwable cause) {
        return new IllegalStateException("cannot read tensor '" + name + "': " + path + " has been closed", cause);
    }

    private String namesForMessage() {
        if (tensors().isEmpty()) {
            return "no tensors";
        }
        StringBuilder names = new StringBuilder();
        Iterator<String> it = tensors().keySet().iterator();
        for (int i = 0; it.hasNext() && i < MAX_NAMES_IN_MESSAGE; i++) {
            names.append(i == 0 ? "" : ", ").append(it.next());
        }
        int rest = tensors().size() - MAX_NAMES_IN_MESSAGE;
        return rest > 0 ? names + ", ... (" + rest + " more)" : names.toString();
    }

    private int elementCount(TensorInfo info) throws WeightFormatException {
        long count = info.elementCount();
        if (count > MAX_ARRAY_LENGTH) {
            throw tooLarge(info, count + " elements");
        }
        return (int) count;
    }

    private int[] tensorDims(TensorInfo info) throws WeightFormatException {
        long[] shape = info.shape();
        int[] dims = new int[shape.length];
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] > MAX_ARRAY_LENGTH) {
                throw tooLarge(info, "dim " + i + " = " + shape[i]);
            }
            dims[i] = (int) shape[i];
        }
        return dims;
    }

    private WeightFormatException tooLarge(TensorInfo info, String what) {
        return new WeightFormatException(path, info.dataOffset(), "tensor '" + info.name() + "' with shape "
                + Arrays.toString(info.shape()) + " has " + what + ", more than an attention4j array holds ("
                + MAX_ARRAY_LENGTH + ")", "Split the tensor into smaller ones when exporting.");
    }

    /** Closes the file. Idempotent; later reads throw {@link IllegalStateException}. */
    @Override
    public void close() throws IOException {
        closed = true;
        channel.close();
    }

    @Override
    public String toString() {
        return "SafetensorsFile[" + path + ", " + tensors().size() + " tensors" + (closed ? ", closed]" : "]");
    }
}
