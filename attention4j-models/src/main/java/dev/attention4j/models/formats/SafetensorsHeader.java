package dev.attention4j.models.formats;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.attention4j.models.formats.SafetensorsFile.TensorInfo;
import dev.attention4j.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A safetensors header: the JSON object after the 8-byte length that says where each tensor lies. {@link #read}
 * validates one from a file as strictly as the reference implementation (tensors tile the data section exactly);
 * {@link #encode} writes one as the reference does (compact JSON, {@code __metadata__} first, padded with spaces to
 * a multiple of 8 bytes).
 *
 * <p>Hostile input costs at most a few times the header's size, and the header is capped at
 * {@value #MAX_HEADER_BYTES} bytes (the reference's limit) before anything is allocated for it.
 */
record SafetensorsHeader(Map<String, TensorInfo> tensors, Map<String, String> metadata) {

    /** The little-endian u64 header length that starts every file. */
    static final int LENGTH_PREFIX_BYTES = 8;
    /** The largest header we read, as in the reference implementation. */
    static final int MAX_HEADER_BYTES = 100_000_000;
    /** The most dims a tensor may have (NumPy's and PyTorch's limit); bounds what a hostile shape can allocate. */
    static final int MAX_RANK = 64;
    static final String METADATA_KEY = "__metadata__";

    private static final String CORRUPT = "The file is truncated or corrupt, or was not written by a conforming"
            + " safetensors writer; re-download or re-export it.";

    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(MAX_HEADER_BYTES).build())
            .build();

    /** One tensor's entry as parsed, with data offsets relative to the data section. */
    private record Entry(String name, DType dtype, long[] shape, long begin, long end) {}

    /** Reads and validates the header of the file open on {@code channel}. */
    static SafetensorsHeader read(Path path, FileChannel channel) throws IOException {
        long fileSize = channel.size();
        if (fileSize < LENGTH_PREFIX_BYTES) {
            throw new WeightFormatException(path, 0, "the file is " + fileSize + " bytes long, shorter than the"
                    + " 8-byte header length that starts every safetensors file",
                    "It is empty or truncated (an interrupted download?).");
        }
        byte[] prefix = readFully(path, channel, 0, LENGTH_PREFIX_BYTES);
        long headerLength = ByteBuffer.wrap(prefix).order(ByteOrder.LITTLE_ENDIAN).getLong();
        long room = fileSize - LENGTH_PREFIX_BYTES;
        if (Long.compareUnsigned(headerLength, room) > 0) {
            throw new WeightFormatException(path, 0, "the header length says " + Long.toUnsignedString(headerLength)
                    + " bytes but only " + room + " bytes follow it", notSafetensorsHint(prefix));
        }
        if (headerLength > MAX_HEADER_BYTES) {
            throw new WeightFormatException(path, 0, "the header length says " + headerLength + " bytes, more than"
                    + " the " + MAX_HEADER_BYTES + " that safetensors allows", notSafetensorsHint(prefix));
        }
        byte[] json = readFully(path, channel, LENGTH_PREFIX_BYTES, (int) headerLength);
        requireUtf8WithoutNul(path, json);
        return parse(path, json, LENGTH_PREFIX_BYTES + headerLength, room - headerLength);
    }

    private static byte[] readFully(Path path, FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new WeightFormatException(path, position + buffer.position(), "the file ended while reading"
                        + " the header", "It was truncated while being read; is another program writing it?");
            }
        }
        return buffer.array();
    }

    private static String notSafetensorsHint(byte[] prefix) {
        String start = new String(prefix, StandardCharsets.ISO_8859_1);
        if (start.startsWith("version ")) {
            return "It looks like a Git LFS pointer, not the weights: fetch them with `git lfs pull`.";
        }
        if (start.startsWith("PK\u0003\u0004")) {
            return "It looks like a zip archive (a PyTorch .bin/.pt checkpoint?), not a safetensors file.";
        }
        if ((prefix[0] & 0xFF) == 0x80) {
            return "It looks like a Python pickle (an old PyTorch .bin checkpoint?), not a safetensors file.";
        }
        return "A safetensors file starts with the header's length as a little-endian u64; this file is truncated,"
                + " corrupt or not safetensors.";
    }

    /** JSON text never holds a raw NUL; rejecting it also stops Jackson from guessing UTF-16 or UTF-32. */
    private static void requireUtf8WithoutNul(Path path, byte[] json) throws WeightFormatException {
        for (int i = 0; i < json.length; i++) {
            if (json[i] == 0) {
                throw new WeightFormatException(path, LENGTH_PREFIX_BYTES + i, "the header contains a NUL byte",
                        CORRUPT);
            }
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(json);
        CharBuffer out = CharBuffer.allocate(8192);
        while (true) {
            CoderResult result = decoder.decode(in, out, true);
            if (result.isError()) {
                throw new WeightFormatException(path, LENGTH_PREFIX_BYTES + in.position(),
                        "the header is not valid UTF-8", CORRUPT);
            }
            if (result.isUnderflow()) {
                return;
            }
            out.clear();
        }
    }

    private static SafetensorsHeader parse(Path path, byte[] json, long dataStart, long dataSize)
            throws IOException {
        List<Entry> entries = new ArrayList<>();
        Map<String, String> metadata = Map.of();
        try (JsonParser parser = JSON.createParser(json)) {
            JsonToken first = parser.nextToken();
            if (first != JsonToken.START_OBJECT) {
                throw new WeightFormatException(path, position(parser), "the header must be a JSON object but "
                        + (first == null ? "it is empty" : "it is " + describe(first)), CORRUPT);
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String key = parser.currentName();
                long at = position(parser);
                parser.nextToken();
                if (key.equals(METADATA_KEY)) {
                    metadata = readMetadata(path, parser);
                } else {
                    entries.add(readEntry(path, parser, key, at, dataSize));
                }
            }
            if (parser.nextToken() != null) {
                throw new WeightFormatException(path, position(parser), "the header has more JSON after its object",
                        CORRUPT);
            }
        } catch (JsonProcessingException e) {
            long at = e.getLocation() == null || e.getLocation().getByteOffset() < 0
                    ? WeightFormatException.NO_OFFSET : LENGTH_PREFIX_BYTES + e.getLocation().getByteOffset();
            throw new WeightFormatException(path, at, "the header is not valid JSON: " + e.getOriginalMessage(),
                    CORRUPT, e);
        }
        requireTiling(path, entries, dataStart, dataSize);
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        for (Entry e : entries) {
            tensors.put(e.name(), new TensorInfo(e.name(), e.dtype(), e.shape(), dataStart + e.begin(),
                    e.end() - e.begin()));
        }
        return new SafetensorsHeader(Collections.unmodifiableMap(tensors), Collections.unmodifiableMap(metadata));
    }

    private static String describe(JsonToken token) {
        return switch (token) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> token.name();
        };
    }

    /** The absolute file position of the parser's current token. */
    private static long position(JsonParser parser) {
        return LENGTH_PREFIX_BYTES + parser.currentTokenLocation().getByteOffset();
    }

    private static Map<String, String> readMetadata(Path path, JsonParser parser) throws IOException {
        if (parser.currentToken() == JsonToken.VALUE_NULL) {
            return Map.of(); // the reference reads a null __metadata__ as absent
        }
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            throw new WeightFormatException(path, position(parser), METADATA_KEY + " must be a JSON object of"
                    + " strings but is " + describe(parser.currentToken()), CORRUPT);
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String key = parser.currentName();
            if (parser.nextToken() != JsonToken.VALUE_STRING) {
                throw new WeightFormatException(path, position(parser), METADATA_KEY + "['" + key + "'] must be a"
                        + " string (safetensors metadata maps strings to strings)", CORRUPT);
            }
            metadata.put(key, parser.getText());
        }
        return metadata;
    }

    private static Entry readEntry(Path path, JsonParser parser, String name, long at, long dataSize)
            throws IOException {
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            throw new WeightFormatException(path, at, "entry '" + name + "' must be a JSON object with dtype, shape"
                    + " and data_offsets but is " + describe(parser.currentToken()), CORRUPT);
        }
        String dtypeName = null;
        long[] shape = null;
        long[] offsets = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            parser.nextToken();
            switch (field) {
                case "dtype" -> {
                    if (parser.currentToken() != JsonToken.VALUE_STRING) {
                        throw new WeightFormatException(path, position(parser), "tensor '" + name + "': dtype must"
                                + " be a string", CORRUPT);
                    }
                    dtypeName = parser.getText();
                }
                case "shape" -> shape = readCounts(path, parser, name, "shape", MAX_RANK);
                case "data_offsets" -> {
                    offsets = readCounts(path, parser, name, "data_offsets", 2);
                    if (offsets.length != 2) {
                        throw new WeightFormatException(path, position(parser), "tensor '" + name + "':"
                                + " data_offsets must be [begin, end] but has " + offsets.length + " numbers",
                                CORRUPT);
                    }
                }
                default -> parser.skipChildren(); // unknown fields are ignored, as the reference does
            }
        }
        if (dtypeName == null || shape == null || offsets == null) {
            String missing = dtypeName == null ? "dtype" : shape == null ? "shape" : "data_offsets";
            throw new WeightFormatException(path, at, "tensor '" + name + "' has no " + missing, CORRUPT);
        }
        DType dtype = DType.fromSafetensorsName(dtypeName).orElse(null);
        if (dtype == null) {
            throw new WeightFormatException(path, at, "tensor '" + name + "' has dtype '" + dtypeName + "', which"
                    + " attention4j does not read (it reads " + Arrays.toString(DType.values()) + ")",
                    "Convert the checkpoint to F32, F16 or BF16 first (e.g. in PyTorch: load_file, .float() each"
                    + " tensor, save_file).");
        }
        long elements;
        long bytes;
        try {
            elements = 1;
            for (long d : shape) {
                elements = Math.multiplyExact(elements, d);
            }
            bytes = Math.multiplyExact(elements, dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new WeightFormatException(path, at, "tensor '" + name + "' has shape " + Arrays.toString(shape)
                    + ", whose byte size overflows 64 bits", CORRUPT, e);
        }
        long begin = offsets[0];
        long end = offsets[1];
        String where = "data_offsets [" + begin + ", " + end + "]";
        if (end < begin) {
            throw new WeightFormatException(path, at, "tensor '" + name + "': " + where + " end before they begin",
                    CORRUPT);
        }
        if (end > dataSize) {
            throw new WeightFormatException(path, at, "tensor '" + name + "': " + where + " reach past the end of"
                    + " the data section, which is " + dataSize + " bytes long", CORRUPT);
        }
        if (end - begin != bytes) {
            throw new WeightFormatException(path, at, "tensor '" + name + "' is " + dtype + " with shape " + Arrays.toString(shape)
                    + " (" + elements + " elements, " + bytes + " bytes) but its " + where + " span "
                    + (end - begin) + " bytes", CORRUPT);
        }
        return new Entry(name, dtype, shape, begin, end);
    }

    /** A JSON array of non-negative integers, at most {@code maxCount} of them. */
    private static long[] readCounts(Path path, JsonParser parser, String name, String field, int maxCount)
            throws IOException {
        if (parser.currentToken() != JsonToken.START_ARRAY) {
            throw new WeightFormatException(path, position(parser), "tensor '" + name + "': " + field + " must be"
                    + " an array of non-negative integers", CORRUPT);
        }
        long[] values = new long[maxCount];
        int count = 0;
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            if (parser.currentToken() != JsonToken.VALUE_NUMBER_INT) {
                throw new WeightFormatException(path, position(parser), "tensor '" + name + "': " + field
                        + " must hold integers but has " + parser.getText(), CORRUPT);
            }
            if (count == maxCount) {
                throw new WeightFormatException(path, position(parser), "tensor '" + name + "': " + field
                        + " has more than " + maxCount + " numbers", CORRUPT);
            }
            if (parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER || parser.getLongValue() < 0) {
                throw new WeightFormatException(path, position(parser), "tensor '" + name + "': " + field
                        + " holds " + parser.getText() + ", outside [0, 2^63)", CORRUPT);
            }
            values[count++] = parser.getLongValue();
        }
        return Arrays.copyOf(values, count);
    }

    /** The spec requires the tensors to cover the data section exactly: no gaps, no overlaps, nothing after. */
    private static void requireTiling(Path path, List<Entry> entries, long dataStart, long dataSize)
            throws WeightFormatException {
        List<Entry> byOffset = new ArrayList<>(entries);
        byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        String hint = "Safetensors requires the tensors to cover the data section exactly, without gaps or overlaps;"
                + " the file is corrupt or was written by a non-conforming tool.";
        long covered = 0;
        Entry previous = null;
        for (Entry e : byOffset) {
            if (e.begin() > covered) {
                throw new WeightFormatException(path, dataStart + covered, "data bytes [" + covered + ", "
                        + e.begin() + ") belong to no tensor (they lie before tensor '" + e.name() + "')", hint);
            }
            if (e.begin() < covered) {
                throw new WeightFormatException(path, dataStart + e.begin(), "tensor '" + e.name() + "' (data bytes ["
                        + e.begin() + ", " + e.end() + ")) overlaps tensor '" + previous.name() + "' (data bytes ["
                        + previous.begin() + ", " + previous.end() + "))", hint);
            }
            covered = e.end();
            previous = e;
        }
        if (covered != dataSize) {
            throw new WeightFormatException(path, dataStart + covered, "the last " + (dataSize - covered)
                    + " bytes of the file belong to no tensor", hint);
        }
    }

    /**
     * The header for {@code tensors} (all {@code dtype}, laid out in the given order) and {@code metadata} (omitted
     * when empty), padded with spaces to a multiple of 8 bytes.
     */
    static byte[] encode(List<Map.Entry<String, Tensor>> tensors, List<Map.Entry<String, String>> metadata,
                         DType dtype) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JsonGenerator json = JSON.createGenerator(bytes)) {
            json.writeStartObject();
            if (!metadata.isEmpty()) {
                json.writeObjectFieldStart(METADATA_KEY);
                for (Map.Entry<String, String> entry : metadata) {
                    json.writeStringField(entry.getKey(), entry.getValue());
                }
                json.writeEndObject();
            }
            long offset = 0;
            for (Map.Entry<String, Tensor> entry : tensors) {
                Tensor tensor = entry.getValue();
                json.writeObjectFieldStart(entry.getKey());
                json.writeStringField("dtype", dtype.safetensorsName());
                json.writeArrayFieldStart("shape");
                for (int d : tensor.shape().dims()) {
                    json.writeNumber(d);
                }
                json.writeEndArray();
                json.writeArrayFieldStart("data_offsets");
                json.writeNumber(offset);
                offset += (long) tensor.size() * dtype.byteSize();
                json.writeNumber(offset);
                json.writeEndArray();
                json.writeEndObject();
            }
            json.writeEndObject();
        }
        while (bytes.size() % 8 != 0) {
            bytes.write(' ');
        }
        return bytes.toByteArray();
    }
}
