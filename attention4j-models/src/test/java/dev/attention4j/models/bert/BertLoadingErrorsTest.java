package dev.attention4j.models.bert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.attention4j.models.formats.OnnxFile;
import dev.attention4j.models.formats.Safetensors;
import dev.attention4j.models.formats.WeightFormatException;
import dev.attention4j.models.formats.onnxschema.OnnxSchema.GraphProto;
import dev.attention4j.models.formats.onnxschema.OnnxSchema.ModelProto;
import dev.attention4j.models.formats.onnxschema.OnnxSchema.NodeProto;
import dev.attention4j.models.formats.onnxschema.OnnxSchema.TensorProto;
import dev.attention4j.nn.Activation;
import dev.attention4j.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Configurations and checkpoints that do not describe a BERT encoder this computes: each error says what and where. */
class BertLoadingErrorsTest {

    private static final String VALID = "{\"model_type\":\"bert\",\"vocab_size\":100,\"hidden_size\":8,"
            + "\"num_hidden_layers\":1,\"num_attention_heads\":2,\"intermediate_size\":16,\"hidden_act\":\"gelu\","
            + "\"max_position_embeddings\":16,\"type_vocab_size\":2,\"layer_norm_eps\":1e-12}";
    private static final BertConfig TINY = new BertConfig(100, 8, 1, 2, 16, Activation.GELU, 16, 2, 1e-12f, 0);

    @TempDir
    Path dir;

    private Path config(String json) throws IOException {
        return Files.writeString(dir.resolve("config.json"), json);
    }

    @Test
    void aValidConfigReadsWithDefaults() throws IOException {
        assertThat(BertConfig.read(config(VALID))).isEqualTo(TINY);
        assertThat(BertConfig.read(config(VALID.replace(",\"type_vocab_size\":2,\"layer_norm_eps\":1e-12", ""))))
                .isEqualTo(TINY);
    }

    @Test
    void configProblemsNameTheFileAndTheField() throws IOException {
        String[][] cases = {
            {VALID.replace("\"hidden_size\":8,", ""), "field 'hidden_size' is missing (expected an integer)"},
            {VALID.replace("\"hidden_size\":8", "\"hidden_size\":\"8\""), "field 'hidden_size' must be an integer"},
            {VALID.replace("\"hidden_size\":8", "\"hidden_size\":8.5"), "field 'hidden_size' must be an integer"},
            {VALID.replace("\"hidden_size\":8", "\"hidden_size\":1e12"), "field 'hidden_size' must be an integer"},
            {VALID.replace("\"num_attention_heads\":2", "\"num_attention_heads\":3"),
                "numAttentionHeads: expected a divisor of hiddenSize = 8 but got 3"},
            {VALID.replace("\"vocab_size\":100", "\"vocab_size\":-1"), "vocabSize: expected > 0 but got -1"},
            {VALID.replace("1e-12", "0"), "layerNormEps: expected a finite value > 0 but got 0.0"},
            {VALID.replace("\"gelu\"", "\"gelu_new\""), "hidden_act is 'gelu_new'"},
            {VALID.replace("\"bert\"", "\"roberta\""), "model_type is 'roberta', not 'bert'"},
            {VALID.replace("}", ",\"position_embedding_type\":\"relative_key\"}"),
                "position_embedding_type is 'relative_key'"},
            {"[1, 2]", "must hold one JSON object but holds array"},
            {"{\"hidden_size\": ", "not valid JSON"},
        };
        for (String[] c : cases) {
            Path path = config(c[0]);
            assertThatThrownBy(() -> BertConfig.read(path)).as(c[1])
                    .isInstanceOf(WeightFormatException.class)
                    .hasMessageStartingWith(path.toString())
                    .hasMessageContaining(c[1]);
        }
    }

    /** A consistent tiny checkpoint under HF names. */
    private static Map<String, Tensor> tinyCheckpoint() {
        return BertWeightNames.toHuggingFace(new BertModel(TINY, 7));
    }

    @Test
    void checkpointsThatDoNotFitTheConfigListEveryProblem() throws IOException {
        Map<String, Tensor> hf = new LinkedHashMap<>(tinyCheckpoint());
        hf.remove("encoder.layer.0.output.dense.bias");
        hf.put("encoder.layer.0.intermediate.dense.weight", Tensor.zeros(12, 8));
        hf.put("encoder.layer.1.output.dense.bias", Tensor.zeros(8));
        config(VALID);
        Safetensors.write(dir.resolve("model.safetensors"), hf, Map.of());
        assertThatThrownBy(() -> BertModel.fromHuggingFace(dir))
                .isInstanceOf(WeightFormatException.class)
                .hasMessageStartingWith(dir.resolve("model.safetensors").toString())
                .hasMessageContaining("missing: [encoder.layer.0.output.dense.bias]")
                .hasMessageContaining("unexpected: [encoder.layer.1.output.dense.bias]")
                .hasMessageContaining("encoder.layer.0.intermediate.dense.weight: expected shape [16, 8] but got"
                        + " [12, 8]");
    }

    @Test
    void aTinyCheckpointRoundTripsThroughHuggingFaceNames() throws IOException {
        BertModel original = new BertModel(TINY, 7);
        config(VALID);
        Safetensors.write(dir.resolve("model.safetensors"), BertWeightNames.toHuggingFace(original), Map.of());
        BertModel loaded = BertModel.fromHuggingFace(dir);
        original.namedParameters().forEach((name, t) ->
                assertThat(loaded.namedParameters().get(name).bitEquals(t)).as(name).isTrue());
    }

    @Test
    void aPickleCheckpointIsNamedAsSuch() throws IOException {
        config(VALID);
        Files.write(dir.resolve("pytorch_model.bin"), new byte[] {(byte) 0x80, 2});
        assertThatThrownBy(() -> BertModel.fromHuggingFace(dir))
                .isInstanceOf(WeightFormatException.class)
                .hasMessageContaining("only pytorch_model.bin");
    }

    private static TensorProto.Builder floats(String name, int... dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(1);
        int n = 1;
        for (int d : dims) {
            t.addDims(d);
            n *= d;
        }
        return t.setRawData(ByteString.copyFrom(new byte[4 * n]));
    }

    private Path onnx(GraphProto.Builder graph) throws IOException {
        graph.addInitializer(floats("embeddings.word_embeddings.weight", 100, 8))
                .addInitializer(floats("encoder.layer.0.attention.self.query.bias", 8));
        return Files.write(dir.resolve("model.onnx"), ModelProto.newBuilder().setIrVersion(8).setGraph(graph)
                .build().toByteArray());
    }

    @Test
    void aBiasThatFeedsNoMatMulIsReported() throws IOException {
        Path path = onnx(GraphProto.newBuilder().addNode(NodeProto.newBuilder().setOpType("Relu")
                .addInput("encoder.layer.0.attention.self.query.bias").addOutput("r")));
        assertThatThrownBy(() -> BertModel.fromOnnx(path))
                .isInstanceOf(WeightFormatException.class)
                .hasMessageStartingWith(path.toString())
                .hasMessageContaining("cannot find the weight of 'encoder.layer.0.attention.self.query': its bias"
                        + " feeds [Relu], not an Add after a MatMul");
    }

    @Test
    void optimizedAndQuantizedGraphsAreRefusedByName() throws IOException {
        Path fused = onnx(GraphProto.newBuilder().addNode(NodeProto.newBuilder().setOpType("Attention")
                .setDomain("com.microsoft").addInput("x").addOutput("y")));
        assertThatThrownBy(() -> BertModel.fromOnnx(fused))
                .isInstanceOf(WeightFormatException.class)
                .hasMessageContaining("optimized by ONNX Runtime (it has fused Attention nodes)");
        Path quantized = onnx(GraphProto.newBuilder().addNode(NodeProto.newBuilder().setOpType("MatMulInteger")
                .addInput("x").addInput("w").addOutput("y")));
        assertThatThrownBy(() -> BertModel.fromOnnx(quantized))
                .isInstanceOf(WeightFormatException.class)
                .hasMessageContaining("the graph is quantized (it has MatMulInteger nodes)");
    }

    @Test
    void aGraphWithoutBertEmbeddingsIsNotABertExport() throws IOException {
        Path path = Files.write(dir.resolve("other.onnx"), ModelProto.newBuilder().setIrVersion(8)
                .setGraph(GraphProto.newBuilder().addInitializer(floats("w", 2, 2))).build().toByteArray());
        assertThatThrownBy(() -> BertModel.fromOnnx(path))
                .isInstanceOf(WeightFormatException.class)
                .hasMessageContaining("no initializer named embeddings.word_embeddings.weight");
    }

    @Test
    void anOnnxModelWithTheWrongConfigurationListsTheMismatch() throws IOException {
        BertConfig fiveLayers = new BertConfig(30522, 384, 5, 12, 1536, Activation.GELU, 512, 2, 1e-12f, 0);
        Path onnx = ExportedModel.ALL_MINILM_L6_V2.onnx();
        assertThatThrownBy(() -> BertModel.fromOnnx(onnx, fiveLayers))
                .isInstanceOf(WeightFormatException.class)
                .hasMessageContaining("unexpected: [encoder.layer.5.attention.output.LayerNorm.bias");
        assertThat(OnnxFile.read(onnx).initializers()).containsKey("embeddings.word_embeddings.weight");
    }
}
