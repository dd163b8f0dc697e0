package dev.attention4j.models.bert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.attention4j.models.embeddings.TokenBatch;
import dev.attention4j.models.formats.OnnxFile;
import dev.attention4j.models.formats.onnxschema.OnnxSchema.AttributeProto;
import dev.attention4j.models.formats.onnxschema.OnnxSchema.GraphProto;
import dev.attention4j.models.formats.onnxschema.OnnxSchema.ModelProto;
import dev.attention4j.models.formats.onnxschema.OnnxSchema.NodeProto;
import dev.attention4j.models.formats.onnxschema.OnnxSchema.TensorProto;
import dev.attention4j.nn.Activation;
import dev.attention4j.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Following small hand-built graphs to their Linear weights, in each form an exporter may write them: MatMul with an
 * {@code (in, out)} initializer then Add of the bias (either operand order), Gemm with {@code transB = 1} and the
 * bias as third input, MatMul of a Transpose of an {@code (out, in)} initializer.
 */
class BertOnnxGraphTest {

    @TempDir
    Path dir;

    /** (out = 3, in = 2): w[o][i] = 10 o + i. */
    private static final float[][] OUT_IN = {{0, 1}, {10, 11}, {20, 21}};

    private static TensorProto.Builder floats(String name, float[] values, int... dims) {
        ByteBuffer bytes = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            bytes.putFloat(v);
        }
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(1)
                .setRawData(ByteString.copyFrom(bytes.array()));
        for (int d : dims) {
            t.addDims(d);
        }
        return t;
    }

    private static float[] flat(float[][] m, boolean transposed) {
        int rows = m.length;
        int cols = m[0].length;
        float[] out = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[transposed ? c * rows + r : r * cols + c] = m[r][c];
            }
        }
        return out;
    }

    @Test
    void everyExportedFormOfALinearGivesTheSameOutInWeight() throws IOException {
        String self = "encoder.layer.0.attention.self.";
        GraphProto.Builder graph = GraphProto.newBuilder()
                .addInitializer(floats("embeddings.word_embeddings.weight", new float[4], 2, 2))
                .addInitializer(floats(self + "query.bias", new float[3], 3))
                .addInitializer(floats(self + "key.bias", new float[3], 3))
                .addInitializer(floats(self + "value.bias", new float[3], 3))
                .addInitializer(floats("onnx::MatMul_1", flat(OUT_IN, true), 2, 3))     // (in, out)
                .addInitializer(floats("onnx::Gemm_2", flat(OUT_IN, false), 3, 2))      // (out, in)
                .addInitializer(floats("onnx::Transpose_3", flat(OUT_IN, false), 3, 2)) // (out, in)
                .addNode(NodeProto.newBuilder().setOpType("MatMul").addInput("x").addInput("onnx::MatMul_1")
                        .addOutput("q0"))
                .addNode(NodeProto.newBuilder().setOpType("Add").addInput("q0").addInput(self + "query.bias")
                        .addOutput("q"))
                .addNode(NodeProto.newBuilder().setOpType("Gemm").addInput("x").addInput("onnx::Gemm_2")
                        .addInput(self + "key.bias").addOutput("k")
                        .addAttribute(AttributeProto.newBuilder().setName("transB").setType(2).setI(1)))
                .addNode(NodeProto.newBuilder().setOpType("Transpose").addInput("onnx::Transpose_3")
                        .addOutput("wT"))
                .addNode(NodeProto.newBuilder().setOpType("MatMul").addInput("x").addInput("wT").addOutput("v0"))
                .addNode(NodeProto.newBuilder().setOpType("Add").addInput(self + "value.bias").addInput("v0")
                        .addOutput("v"));
        Path path = Files.write(dir.resolve("linears.onnx"), ModelProto.newBuilder().setIrVersion(8)
                .setGraph(graph).build().toByteArray());

        Map<String, Tensor> weights = BertOnnxGraph.follow(OnnxFile.read(path)).huggingFaceWeights();
        for (String part : new String[] {"query", "key", "value"}) {
            Tensor w = weights.get(self + part + ".weight");
            assertThat(w.shape().dims()).as(part).containsExactly(3, 2);
            assertThat(w.data()).as(part).containsExactly(flat(OUT_IN, false));
        }
    }

    @Test
    void sequencesLongerThanThePositionTableAreRefusedBeforeAnyWork() {
        BertModel tiny = new BertModel(new BertConfig(100, 8, 1, 2, 16, Activation.GELU, 16, 2, 1e-12f, 0), 1);
        assertThatThrownBy(() -> tiny.encode(TokenBatch.padded(0, new int[17])))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("batch: sequence length 17 exceeds maxPositionEmbeddings = 16; truncate the input");
        assertThat(tiny.encode(TokenBatch.padded(0, new int[16])).shape().dims()).containsExactly(1, 16, 8);
    }
}
