package dev.attention4j.models.formats;

import java.util.Optional;

/** The element types attention4j reads from safetensors files, with their size and their name in the header. */
public enum DType {
    F64(8),
    F32(4),
    F16(2),
    BF16(2),
    I64(8),
    I32(4),
    I16(2),
    I8(1),
    U8(1),
    BOOL(1);

    private final int byteSize;

    DType(int byteSize) {
        this.byteSize = byteSize;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** The name in a safetensors header's {@code "dtype"} field, e.g. {@code "BF16"}. */
    public String safetensorsName() {
        return name();
    }

    /** The dtype with this safetensors name (case-sensitive, as in the spec), or empty if we do not support it. */
    public static Optional<DType> fromSafetensorsName(String name) {
        for (DType dtype : values()) {
            if (dtype.safetensorsName().equals(name)) {
                return Optional.of(dtype);
            }
        }
        return Optional.empty();
    }
}
