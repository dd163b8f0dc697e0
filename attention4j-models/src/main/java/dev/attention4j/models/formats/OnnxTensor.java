package dev.attention4j.models.formats;

import com.google.protobuf.ByteString;
import dev.attention4j.models.formats.onnxschema.OnnxSchema.TensorProto;
import dev.attention4j.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * One tensor of an ONNX file: a graph initializer or the value of a node attribute ({@code Constant}'s
 * {@code value}). Its name, data type and dims are checked when the file is read: the data type is one ONNX defines,
 * no dim is negative, and the stored data ({@code raw_data}, or the typed field such as {@code float_data}) holds
 * exactly as many elements as the dims say. So a conversion never allocates more than the file could fill.
 *
 * <p>The data stays where the parser left it (for a memory-mapped file, in the map) until {@link #toFloat()} or
 * {@link #toLongs()} copies it out. Immutable and safe to share between threads.
 */
public final class OnnxTensor {

    private static final int MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;
    private static final long[] EMPTY = {};

    private final Path path;
    private final String name;
    private final OnnxDataType dataType;
    private final long[] dims;
    private final long elementCount;
    private final TensorProto proto;

    private OnnxTensor(Path path, String name, OnnxDataType dataType, long[] dims, long elementCount,
                       TensorProto proto) {
        this.path = path;
        this.name = name;
        this.dataType = dataType;
        this.dims = dims;
        this.elementCount = elementCount;
        this.proto = proto;
    }

    /**
     * Checks {@code proto} read from {@code path}; {@code where} says where it sits (e.g. {@code "initializer 'w'"}).
     */
    static OnnxTensor of(Path path, String where, TensorProto proto) throws WeightFormatException {
        String hint = "The file is corrupt or was not written by an ONNX exporter.";
        if (proto.getDataLocation() == 1 || proto.getExternalDataCount() > 0) {
            throw new WeightFormatException(path, WeightFormatException.NO_OFFSET, where + " keeps its data in an"
                    + " external file (data_location EXTERNAL), which attention4j does not read",
                    "Re-export the model with its weights inside the .onnx file (models under 2 GiB fit), e.g."
                    + " onnx.save_model(model, path, save_as_external_data=False).");
        }
        if (proto.getDataLocation() != 0) {
            throw new WeightFormatException(path, WeightFormatException.NO_OFFSET, where + " has data_location "
                    + proto.getDataLocation() + ", which ONNX does not define (0 = in the file, 1 = external)", hint);
        }
        OnnxDataType type = OnnxDataType.fromCode(proto.getDataType()).orElseThrow(() -> new WeightFormatException(
                path, WeightFormatException.NO_OFFSET, where + " has data type " + proto.getDataType() + ", which"
                + " attention4j does not know (it knows " + Arrays.toString(OnnxDataType.values()) + ")",
                "The tensor may use a data type newer than attention4j; convert the model to float32."));
        long[] dims = new long[proto.getDimsCount()];
        long elements = 1;
        for (int i = 0; i < dims.length; i++) {
            dims[i] = proto.getDims(i);
            if (dims[i] < 0) {
                throw new WeightFormatException(path, WeightFormatException.NO_OFFSET, where + " has dims "
                        + Arrays.toString(proto.getDimsList().toArray()) + ", with a negative dim " + dims[i], hint);
            }
            elements = multiplyOrMax(elements, dims[i]);
        }
        long stored = storedElements(proto, type);
        if (stored != elements) {
            String size = elements == Long.MAX_VALUE ? "more than 2^63" : Long.toString(elements);
            throw new WeightFormatException(path, WeightFormatException.NO_OFFSET, where + " is " + type + " with"
                    + " dims " + Arrays.toString(dims) + " (" + size + " elements) but its data holds "
                    + describeStored(proto, type, stored), hint);
        }
        return new OnnxTensor(path, proto.getName(), type, dims.length == 0 ? EMPTY : dims, elements, proto);
    }

    /** The product, or {@link Long#MAX_VALUE} once it overflows (no file holds that many elements). */
    private static long multiplyOrMax(long a, long b) {
        long high = Math.multiplyHigh(a, b);
        long product = a * b;
        return high != 0 || product < 0 ? Long.MAX_VALUE : product;
    }

    /** How many elements the data present holds; -1 when raw_data's byte count is not a whole number of them. */
    private static long storedElements(TensorProto proto, OnnxDataType type) {
        if (proto.hasRawData()) {
            int size = proto.getRawData().size();
            if (type == OnnxDataType.STRING) {
                return -1; // strings never live in raw_data
            }
            return size % type.byteSize() == 0 ? size / type.byteSize() : -1;
        }
        return switch (type) {
            case FLOAT -> proto.getFloatDataCount();
            case COMPLEX64 -> proto.getFloatDataCount() % 2 == 0 ? proto.getFloatDataCount() / 2 : -1;
            case DOUBLE -> proto.getDoubleDataCount();
            case COMPLEX128 -> proto.getDoubleDataCount() % 2 == 0 ? proto.getDoubleDataCount() / 2 : -1;
            case INT64 -> proto.getInt64DataCount();
            case UINT32, UINT64 -> proto.getUint64DataCount();
            case STRING -> proto.getStringDataCount();
            case UINT8, INT8, UINT16, INT16, INT32, BOOL, FLOAT16, BFLOAT16, FLOAT8E4M3FN, FLOAT8E4M3FNUZ, FLOAT8E5M2,
                 FLOAT8E5M2FNUZ -> proto.getInt32DataCount();
        };
    }

    private static String describeStored(TensorProto proto, OnnxDataType type, long stored) {
        if (proto.hasRawData()) {
            return proto.getRawData().size() + " bytes of raw_data"
                    + (stored < 0 ? ", not a whole number of " + type.byteSize() + "-byte elements" : " ("
                    + stored + " elements)");
        }
        return stored < 0 ? "an odd number of components for a complex type" : stored + " elements";
    }

    /** The tensor's name ({@code TensorProto.name}); empty for an unnamed attribute value. */
    public String name() {
        return name;
    }

    public OnnxDataType dataType() {
        return dataType;
    }

    /** The dims, outermost first (row-major); empty for a scalar. A copy. */
    public long[] dims() {
        return dims.clone();
    }

    /** The number of elements: the product of the dims (1 for a scalar). */
    public long elementCount() {
        return elementCount;
    }

    /**
     * The tensor as float32: FLOAT exactly, FLOAT16 and BFLOAT16 exactly, DOUBLE and the integers rounded to the
     * nearest float, BOOL as 0 and 1.
     *
     * @throws WeightFormatException if the data type has no float32 value (strings, complex numbers, 8-bit
     *                               floats), a BOOL byte is neither 0 nor 1, or the tensor is too large for a
     *                               {@link Tensor} (int dims, fewer than 2^31 - 8 elements)
     */
    public Tensor toFloat() throws WeightFormatException {
        if (!dataType.isFloatingPoint() && !dataType.isInteger()) {
            throw new WeightFormatException(path, WeightFormatException.NO_OFFSET, describe() + " has no float32"
                    + " value", "attention4j reads FLOAT, FLOAT16, BFLOAT16, DOUBLE and integer tensors.");
        }
        int[] intDims = intDims();
        float[] out = new float[(int) elementCount];
        if (proto.hasRawData()) {
            ByteBuffer raw = raw();
            switch (dataType) {
                case FLOAT -> raw.asFloatBuffer().get(out);
                case FLOAT16 -> {
                    for (int i = 0; i < out.length; i++) {
                        out[i] = Float.float16ToFloat(raw.getShort(2 * i));
                    }
                }
                case BFLOAT16 -> {
                    for (int i = 0; i < out.length; i++) {
                        out[i] = Float.intBitsToFloat((raw.getShort(2 * i) & 0xFFFF) << 16);
                    }
                }
                case DOUBLE -> {
                    for (int i = 0; i < out.length; i++) {
                        out[i] = (float) raw.getDouble(8 * i);
                    }
                }
                default -> {
                    for (int i = 0; i < out.length; i++) {
                        out[i] = unsignedAwareFloat(rawInteger(raw, i));
                    }
                }
            }
        } else {
            switch (dataType) {
                case FLOAT -> {
                    for (int i = 0; i < out.length; i++) {
                        out[i] = proto.getFloatData(i);
                    }
                }
                case FLOAT16 -> {
                    for (int i = 0; i < out.length; i++) {
                        out[i] = Float.float16ToFloat((short) proto.getInt32Data(i));
                    }
                }
                case BFLOAT16 -> {
                    for (int i = 0; i < out.length; i++) {
                        out[i] = Float.intBitsToFloat((proto.getInt32Data(i) & 0xFFFF) << 16);
                    }
                }
                case DOUBLE -> {
                    for (int i = 0; i < out.length; i++) {
                        out[i] = (float) proto.getDoubleData(i);
                    }
                }
                default -> {
                    for (int i = 0; i < out.length; i++) {
                        out[i] = unsignedAwareFloat(typedInteger(i));
                    }
                }
            }
        }
        return Tensor.of(out, intDims);
    }

    /** UINT64 values at or above 2^63 arrive as negative longs; their float is the unsigned value's. */
    private float unsignedAwareFloat(long value) {
        if (dataType == OnnxDataType.UINT64 && value < 0) {
            return (float) (value >>> 1) * 2f;
        }
        return (float) value;
    }

    /**
     * The integer tensor flattened row-major (its dims are {@link #dims()}): INT8..INT64, UINT8..UINT32 exactly,
     * BOOL as 0 and 1, UINT64 when below 2^63.
     *
     * @throws WeightFormatException if the data type is not an integer type, a BOOL byte is neither 0 nor 1, a
     *                               UINT64 does not fit a long, or the tensor has 2^31 - 8 or more elements
     */
    public long[] toLongs() throws WeightFormatException {
        if (!dataType.isInteger()) {
            throw new WeightFormatException(path, WeightFormatException.NO_OFFSET, describe() + " is not an"
                    + " integer tensor", "Read it with toFloat().");
        }
        intDims();
        long[] out = new long[(int) elementCount];
        ByteBuffer raw = proto.hasRawData() ? raw() : null;
        for (int i = 0; i < out.length; i++) {
            out[i] = raw != null ? rawInteger(raw, i) : typedInteger(i);
            if (dataType == OnnxDataType.UINT64 && out[i] < 0) {
                throw new WeightFormatException(path, WeightFormatException.NO_OFFSET, describe() + " holds "
                        + Long.toUnsignedString(out[i]) + " at element " + i + ", beyond the range of a long",
                        "Read it with toFloat().");
            }
        }
        return out;
    }

    /** raw_data as little-endian bytes starting at position 0. */
    private ByteBuffer raw() {
        ByteString bytes = proto.getRawData();
        return bytes.asReadOnlyByteBuffer().slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    private long rawInteger(ByteBuffer raw, int i) throws WeightFormatException {
        return switch (dataType) {
            case UINT8 -> raw.get(i) & 0xFF;
            case INT8 -> raw.get(i);
            case UINT16 -> raw.getShort(2 * i) & 0xFFFF;
            case INT16 -> raw.getShort(2 * i);
            case INT32 -> raw.getInt(4 * i);
            case UINT32 -> raw.getInt(4 * i) & 0xFFFFFFFFL;
            case INT64, UINT64 -> raw.getLong(8 * i);
            case BOOL -> bool(raw.get(i), i);
            default -> throw new IllegalStateException(dataType + " is not an integer type");
        };
    }

    private long typedInteger(int i) throws WeightFormatException {
        return switch (dataType) {
            case UINT8 -> proto.getInt32Data(i) & 0xFF;
            case INT8 -> (byte) proto.getInt32Data(i);
            case UINT16 -> proto.getInt32Data(i) & 0xFFFF;
            case INT16 -> (short) proto.getInt32Data(i);
            case INT32 -> proto.getInt32Data(i);
            case INT64 -> proto.getInt64Data(i);
            case UINT32 -> proto.getUint64Data(i) & 0xFFFFFFFFL;
            case UINT64 -> proto.getUint64Data(i);
            case BOOL -> bool(proto.getInt32Data(i), i);
            default -> throw new IllegalStateException(dataType + " is not an integer type");
        };
    }

    private long bool(int value, int i) throws WeightFormatException {
        if (value != 0 && value != 1) {
            throw new WeightFormatException(path, WeightFormatException.NO_OFFSET, describe() + " holds " + value
                    + " at element " + i + " where a boolean (0 or 1) belongs", "The file is corrupt.");
        }
        return value;
    }

    /** The dims as ints, after checking that the tensor fits a Java array. */
    private int[] intDims() throws WeightFormatException {
        if (elementCount > MAX_ARRAY_LENGTH) {
            throw new WeightFormatException(path, WeightFormatException.NO_OFFSET, describe() + " has "
                    + elementCount + " elements, more than a Java array holds (2^31 - 8)",
                    "attention4j keeps each tensor in one array; split the tensor or use a smaller model.");
        }
        int[] out = new int[dims.length];
        for (int i = 0; i < dims.length; i++) {
            out[i] = (int) dims[i]; // each dim <= elementCount < 2^31 unless another dim is 0
            if (out[i] != dims[i]) {
                throw new WeightFormatException(path, WeightFormatException.NO_OFFSET, describe() + " has dim "
                        + dims[i] + ", beyond an int", "attention4j's tensors have int dims.");
            }
        }
        return out;
    }

    private String describe() {
        return "tensor '" + name + "' (" + dataType + " " + Arrays.toString(dims) + ")";
    }

    @Override
    public String toString() {
        return "OnnxTensor[" + name + ", " + dataType + ", " + Arrays.toString(dims) + "]";
    }
}
