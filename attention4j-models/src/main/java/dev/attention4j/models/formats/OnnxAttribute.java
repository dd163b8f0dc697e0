package dev.attention4j.models.formats;

import java.util.List;
import java.util.Objects;

/**
 * A node attribute of an ONNX graph ({@code AttributeProto}), by its declared type. The types a model family follows a
 * graph with are read; graphs, sparse tensors and type protos are kept as {@link Unsupported} with their type code, so
 * a node that has them still reads.
 */
public sealed interface OnnxAttribute {

    /** {@code FLOAT}, e.g. LayerNormalization's {@code epsilon}. */
    record FloatValue(float value) implements OnnxAttribute {
    }

    /** {@code INT}, e.g. Gather's {@code axis}. */
    record IntValue(long value) implements OnnxAttribute {
    }

    /** {@code STRING} (UTF-8). */
    record StringValue(String value) implements OnnxAttribute {
        public StringValue {
            Objects.requireNonNull(value, "value");
        }
    }

    /** {@code TENSOR}, e.g. Constant's {@code value}. */
    record TensorValue(OnnxTensor value) implements OnnxAttribute {
        public TensorValue {
            Objects.requireNonNull(value, "value");
        }
    }

    /** {@code FLOATS}. */
    record Floats(List<Float> values) implements OnnxAttribute {
        public Floats {
            values = List.copyOf(values);
        }
    }

    /** {@code INTS}, e.g. Transpose's {@code perm}. */
    record Ints(List<Long> values) implements OnnxAttribute {
        public Ints {
            values = List.copyOf(values);
        }
    }

    /** {@code STRINGS}. */
    record Strings(List<String> values) implements OnnxAttribute {
        public Strings {
            values = List.copyOf(values);
        }
    }

    /** Any other type (graphs, tensor lists, sparse tensors, type protos), by its {@code AttributeType} code. */
    record Unsupported(int typeCode) implements OnnxAttribute {
    }
}
