package dev.attention4j.models.formats;

import static dev.attention4j.models.formats.HandBuilt.le16;
import static dev.attention4j.models.formats.HandBuilt.le64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.attention4j.models.formats.onnxschema.OnnxSchema.AttributeProto;
import dev.attention4j.models.formats.onnxschema.OnnxSchema.GraphProto;
import dev.attention4j.models.formats.onnxschema.OnnxSchema.ModelProto;
import dev.attention4j.models.formats.onnxschema.OnnxSchema.NodeProto;
import dev.attention4j.models.formats.onnxschema.OnnxSchema.OperatorSetIdProto;
import dev.attention4j.models.formats.onnxschema.OnnxSchema.TensorProto;
import dev.attention4j.models.formats.onnxschema.OnnxSchema.ValueInfoProto;
import dev.attention4j.tensor.Shape;
import dev.attention4j.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ONNX files built message by message: initializers of every stored form, nodes and attributes, graph links. */
class OnnxFileTest {

    static final int FLOAT = 1;
    static final int INT64 = 7;
    static final int BOOL = 9;
    static final int FLOAT16 = 10;
    static final int DOUBLE = 11;
    static final int BFLOAT16 = 16;

    @TempDir
    Path dir;

    static TensorProto.Builder tensor(String name, int dataType, long... dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(dataType);
        for (long d : dims) {
            t.addDims(d);
        }
        return t;
    }

    static ModelProto model(GraphProto.Builder graph) {
        return ModelProto.newBuilder().setIrVersion(8).setProducerName("handmade").setProducerVersion("1")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(17)).setGraph(graph).build();
    }

    static Path write(Path dir, String name, ModelProto model) throws IOException {
        return Files.write(dir.resolve(name), model.toByteArray());
    }

    @Test
    void readsEveryStoredFormOfAFloatTensor() throws IOException {
        GraphProto.Builder graph = GraphProto.newBuilder()
                .addInitializer(tensor("raw", FLOAT, 2, 2).setRawData(ByteString.copyFrom(HandBuilt.f32(1, -2, 3.5f,
                        Float.NaN))))
                .addInitializer(tensor("typed", FLOAT, 3).addFloatData(0.25f).addFloatData(-0f).addFloatData(1e-40f))
                .addInitializer(tensor("half", FLOAT16, 5).setRawData(ByteString.copyFrom(le16(0x3C00, 0x0001,
                        0x7C00, 0xFC00, 0x7E00))))
                .addInitializer(tensor("halfTyped", FLOAT16, 2).addInt32Data(0xC000).addInt32Data(0x7BFF))
                .addInitializer(tensor("brain", BFLOAT16, 3).setRawData(ByteString.copyFrom(le16(0x3F80, 0x0001,
                        0xFF80))))
                .addInitializer(tensor("brainTyped", BFLOAT16, 1).addInt32Data(0xC040))
                .addInitializer(tensor("double", DOUBLE, 2).addDoubleData(0.1).addDoubleData(-1e300))
                .addInitializer(tensor("scalar", FLOAT).addFloatData(42f))
                .addInitializer(tensor("empty", FLOAT, 0, 3));
        OnnxFile file = OnnxFile.read(write(dir, "floats.onnx", model(graph)));

        assertThat(file.irVersion()).isEqualTo(8);
        assertThat(file.producerName()).isEqualTo("handmade 1");
        assertThat(file.opsets()).containsEntry("", 17L);
        assertThat(file.initializers()).containsOnlyKeys("raw", "typed", "half", "halfTyped", "brain", "brainTyped",
                "double", "scalar", "empty");
        Tensor raw = file.initializers().get("raw").toFloat();
        assertThat(raw.shape()).isEqualTo(Shape.of(2, 2));
        assertThat(raw.data()).containsExactly(1f, -2f, 3.5f, Float.NaN);
        assertThat(file.initializers().get("typed").toFloat().data()).containsExactly(0.25f, -0f, 1e-40f);
        assertThat(file.initializers().get("half").toFloat().data()).containsExactly(1f, 0x1p-24f,
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN);
        assertThat(file.initializers().get("halfTyped").toFloat().data()).containsExactly(-2f, 65504f);
        assertThat(file.initializers().get("brain").toFloat().data()).containsExactly(1f, 0x1p-133f,
                Float.NEGATIVE_INFINITY);
        assertThat(file.initializers().get("brainTyped").toFloat().data()).containsExactly(-3f);
        assertThat(file.initializers().get("double").toFloat().data()).containsExactly(0.1f,
                Float.NEGATIVE_INFINITY);
        Tensor scalar = file.initializers().get("scalar").toFloat();
        assertThat(scalar.shape()).isEqualTo(Shape.of());
        assertThat(scalar.data()).containsExactly(42f);
        assertThat(file.initializers().get("empty").toFloat().shape()).isEqualTo(Shape.of(0, 3));
    }

    @Test
    void readsIntegerTensorsAsLongsAndFloats() throws IOException {
        GraphProto.Builder graph = GraphProto.newBuilder()
                .addInitializer(tensor("raw", INT64, 3).setRawData(ByteString.copyFrom(le64(-1, 1L << 40, 7))))
                .addInitializer(tensor("typed", INT64, 2).addInt64Data(Long.MIN_VALUE).addInt64Data(5))
                .addInitializer(tensor("flags", BOOL, 3).setRawData(ByteString.copyFrom(new byte[] {1, 0, 1})))
                .addInitializer(tensor("int8", 3, 2).addInt32Data(-128).addInt32Data(127))
                .addInitializer(tensor("uint8", 2, 2).setRawData(ByteString.copyFrom(new byte[] {(byte) 255, 1})));
        OnnxFile file = OnnxFile.read(write(dir, "ints.onnx", model(graph)));

        assertThat(file.initializers().get("raw").toLongs()).containsExactly(-1, 1L << 40, 7);
        assertThat(file.initializers().get("raw").toFloat().data()).containsExactly(-1f, 0x1p40f, 7f);
        assertThat(file.initializers().get("typed").toLongs()).containsExactly(Long.MIN_VALUE, 5);
        assertThat(file.initializers().get("flags").toLongs()).containsExactly(1, 0, 1);
        assertThat(file.initializers().get("int8").toLongs()).containsExactly(-128, 127);
        assertThat(file.initializers().get("uint8").toLongs()).containsExactly(255, 1);
    }

    @Test
    void floatTensorsAreNotReadAsLongs() throws IOException {
        OnnxFile file = OnnxFile.read(write(dir, "f.onnx", model(GraphProto.newBuilder()
                .addInitializer(tensor("w", FLOAT, 1).addFloatData(1f)))));
        assertThatThrownBy(() -> file.initializers().get("w").toLongs())
                .isInstanceOf(WeightFormatException.class)
                .hasMessageContaining("tensor 'w' (FLOAT [1]) is not an integer tensor");
    }

    @Test
    void readsNodesAttributesAndTheLinksBetweenThem() throws IOException {
        GraphProto.Builder graph = GraphProto.newBuilder()
                .addInput(ValueInfoProto.newBuilder().setName("x"))
                .addInput(ValueInfoProto.newBuilder().setName("w")) // IR < 4 lists initializers as inputs too
                .addOutput(ValueInfoProto.newBuilder().setName("y"))
                .addInitializer(tensor("w", FLOAT, 2, 2).setRawData(ByteString.copyFrom(HandBuilt.f32(1, 2, 3, 4))))
                .addNode(NodeProto.newBuilder().setOpType("Constant").setName("c").addOutput("eps")
                        .addAttribute(AttributeProto.newBuilder().setName("value").setType(4)
                                .setT(tensor("", FLOAT).addFloatData(1e-12f))))
                .addNode(NodeProto.newBuilder().setOpType("MatMul").setName("mm").addInput("x").addInput("w")
                        .addOutput("h"))
                .addNode(NodeProto.newBuilder().setOpType("Transpose").addInput("h").addOutput("y")
                        .addAttribute(AttributeProto.newBuilder().setName("perm").setType(7).addInts(1).addInts(0))
                        .addAttribute(AttributeProto.newBuilder().setName("alpha").setType(1).setF(0.5f))
                        .addAttribute(AttributeProto.newBuilder().setName("axis").setType(2).setI(-1))
                        .addAttribute(AttributeProto.newBuilder().setName("mode").setType(3)
                                .setS(ByteString.copyFromUtf8("constant")))
                        .addAttribute(AttributeProto.newBuilder().setName("body").setType(5)))
                .addNode(NodeProto.newBuilder().setOpType("Gelu").setDomain("com.microsoft").addInput("h")
                        .addOutput("g"));
        OnnxFile file = OnnxFile.read(write(dir, "graph.onnx", model(graph)));

        assertThat(file.inputs()).containsExactly("x");
        assertThat(file.outputs()).containsExactly("y");
        assertThat(file.nodes()).extracting(OnnxNode::opType).containsExactly("Constant", "MatMul", "Transpose",
                "Gelu");
        OnnxNode constant = file.nodes().get(0);
        OnnxAttribute value = constant.attribute("value").orElseThrow();
        assertThat(value).isInstanceOf(OnnxAttribute.TensorValue.class);
        assertThat(((OnnxAttribute.TensorValue) value).value().toFloat().data()).containsExactly(1e-12f);
        OnnxNode transpose = file.nodes().get(2);
        assertThat(transpose.attributes()).containsExactly(
                java.util.Map.entry("perm", new OnnxAttribute.Ints(List.of(1L, 0L))),
                java.util.Map.entry("alpha", new OnnxAttribute.FloatValue(0.5f)),
                java.util.Map.entry("axis", new OnnxAttribute.IntValue(-1)),
                java.util.Map.entry("mode", new OnnxAttribute.StringValue("constant")),
                java.util.Map.entry("body", new OnnxAttribute.Unsupported(5)));
        assertThat(file.producerOf("h")).map(OnnxNode::name).contains("mm");
        assertThat(file.producerOf("x")).isEmpty();
        assertThat(file.consumersOf("h")).extracting(OnnxNode::opType).containsExactly("Transpose", "Gelu");
        assertThat(file.consumersOf("y")).isEmpty();
        assertThat(file.nodes().get(1).is("MatMul")).isTrue();
        assertThat(file.nodes().get(3).is("Gelu")).isFalse(); // a contrib op, not the standard one
    }
}
