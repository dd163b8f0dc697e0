package dev.attention4j.models.formats;

import java.util.Optional;

/**
 * The element types of ONNX tensors ({@code TensorProto.DataType}), with their code in the file and their size in
 * {@code raw_data}. {@link OnnxTensor} converts the floating-point ones to float32 and the integer ones to
 * {@code long}; the others are listed so that a file using them is described by name, not by number.
 */
public enum OnnxDataType {
    FLOAT(1, 4),
    UINT8(2, 1),
    INT8(3, 1),
    UINT16(4, 2),
    INT16(5, 2),
    INT32(6, 4),
    INT64(7, 8),
    /** Variable-length UTF-8 strings (in {@code string_data}); never converted. */
    STRING(8, 0),
    BOOL(9, 1),
    FLOAT16(10, 2),
    DOUBLE(11, 8),
    UINT32(12, 4),
    UINT64(13, 8),
    COMPLEX64(14, 8),
    COMPLEX128(15, 16),
    BFLOAT16(16, 2),
    FLOAT8E4M3FN(17, 1),
    FLOAT8E4M3FNUZ(18, 1),
    FLOAT8E5M2(19, 1),
    FLOAT8E5M2FNUZ(20, 1);

    private final int code;
    private final int byteSize;

    OnnxDataType(int code, int byteSize) {
        this.code = code;
        this.byteSize = byteSize;
    }

    /** The number in {@code TensorProto.data_type}. */
    public int code() {
        return code;
    }

    /** Bytes per element in {@code raw_data}; 0 for {@link #STRING}. */
    public int byteSize() {
        return byteSize;
    }

    /** Whether {@link OnnxTensor#toFloat()} converts it: FLOAT, FLOAT16, BFLOAT16 and DOUBLE. */
    public boolean isFloatingPoint() {
        return this == FLOAT || this == FLOAT16 || this == BFLOAT16 || this == DOUBLE;
    }

    /** Whether {@link OnnxTensor#toLongs()} converts it: the signed and unsigned integers up to 64 bits, and BOOL. */
    public boolean isInteger() {
        return switch (this) {
            case UINT8, INT8, UINT16, INT16, INT32, INT64, UINT32, UINT64, BOOL -> true;
            default -> false;
        };
    }

    /** The data type with this code, or empty if attention4j does not know it. */
    public static Optional<OnnxDataType> fromCode(int code) {
        for (OnnxDataType type : values()) {
            if (type.code == code) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
