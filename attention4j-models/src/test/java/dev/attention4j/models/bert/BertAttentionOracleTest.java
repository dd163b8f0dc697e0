package dev.attention4j.models.bert;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.google.protobuf.CodedInputStream;
import dev.attention4j.inspect.AttentionRecorder;
import dev.attention4j.models.embeddings.TokenBatch;
import dev.attention4j.models.formats.onnxschema.OnnxSchema;
import dev.attention4j.nn.Mode;
import dev.attention4j.nn.attention.AttentionKind;
import dev.attention4j.nn.attention.AttentionMap;
import dev.attention4j.nn.attention.AttentionSite;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The attention weights an observer sees inside a pretrained BERT, against ONNX Runtime's: the same .onnx file with
 * each layer's attention Softmax made a graph output, run on the same ids (padding included). What {@code attention4j
 * explain} shows is what the exported model computes.
 */
class BertAttentionOracleTest {

    @Test
    void everyLayerAndHeadOfMiniLmMatchesOnnxRuntimesSoftmaxOutputs() throws Exception {
        ExportedModel exported = ExportedModel.ALL_MINILM_L6_V2;
        TokenBatch batch = exported.tokenize("The cat sat on the mat because it was tired.",
                "Attention weights are a probability distribution over the keys.");
        List<String> softmaxOutputs = new ArrayList<>();
        byte[] withOutputs = withSoftmaxOutputs(Files.readAllBytes(exported.onnx()), softmaxOutputs);
        BertModel model = exported.model();
        assertThat(softmaxOutputs).hasSize(model.config().numHiddenLayers());

        AttentionRecorder recorder = AttentionRecorder.allHeads();
        model.forward(batch, Mode.INFERENCE, recorder);
        List<AttentionMap> maps = recorder.maps(AttentionSite.Stack.ENCODER, AttentionKind.SELF);
        assertThat(maps).hasSize(softmaxOutputs.size());

        float[][][][][] expected = run(withOutputs, batch, softmaxOutputs);
        double worst = 0;
        for (int layer = 0; layer < maps.size(); layer++) {
            AttentionMap map = maps.get(layer);
            assertThat(map.site().layer()).isEqualTo(layer);
            float[][][][] ort = expected[layer]; // (batch, heads, query, key)
            assertThat(map.heads()).hasSize(ort[0].length);
            for (int b = 0; b < batch.batchSize(); b++) {
                // Rows of padded queries are not compared: ORT attends from them, we give them the same keys too,
                // but what a padded query sees is nobody's business.
                for (int k = 0; k < ort[b].length; k++) {
                    for (int i = 0; i < batch.length(b); i++) {
                        for (int j = 0; j < batch.seqLen(); j++) {
                            worst = Math.max(worst, Math.abs(map.weight(b, k, i, j) - ort[b][k][i][j]));
                        }
                    }
                }
            }
        }
        System.out.printf("all-minilm-l6-v2 attention weights vs ONNX Runtime's Softmax outputs: max abs error %.3g"
                + " over %d layers x %d heads%n", worst, maps.size(), maps.get(0).heads().length);
        assertThat(worst).isLessThanOrEqualTo(1e-5);
    }

    /** The model with the output of every Softmax node (one per layer, in graph order) added as a graph output. */
    private static byte[] withSoftmaxOutputs(byte[] onnx, List<String> names) throws Exception {
        CodedInputStream in = CodedInputStream.newInstance(onnx);
        in.setSizeLimit(onnx.length);
        OnnxSchema.ModelProto model = OnnxSchema.ModelProto.parseFrom(in);
        OnnxSchema.GraphProto.Builder graph = model.getGraph().toBuilder();
        for (OnnxSchema.NodeProto node : graph.getNodeList()) {
            if (node.getOpType().equals("Softmax")) {
                names.add(node.getOutput(0));
                graph.addOutput(OnnxSchema.ValueInfoProto.newBuilder().setName(node.getOutput(0)));
            }
        }
        return model.toBuilder().setGraph(graph).build().toByteArray();
    }

    /** {@code [output][batch][head][query][key]}. */
    private static float[][][][][] run(byte[] onnx, TokenBatch batch, List<String> outputs) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        long[][] ids = new long[batch.batchSize()][batch.seqLen()];
        long[][] types = new long[batch.batchSize()][batch.seqLen()];
        long[][] mask = new long[batch.batchSize()][batch.seqLen()];
        for (int b = 0; b < batch.batchSize(); b++) {
            for (int t = 0; t < batch.seqLen(); t++) {
                ids[b][t] = batch.inputIds()[b][t];
                types[b][t] = batch.tokenTypeIds()[b][t];
                mask[b][t] = batch.isReal(b, t) ? 1 : 0;
            }
        }
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             OrtSession session = env.createSession(onnx, options)) {
            inputs.put("input_ids", OnnxTensor.createTensor(env, ids));
            inputs.put("attention_mask", OnnxTensor.createTensor(env, mask));
            inputs.put("token_type_ids", OnnxTensor.createTensor(env, types));
            try (OrtSession.Result result = session.run(inputs, new java.util.LinkedHashSet<>(outputs))) {
                float[][][][][] out = new float[outputs.size()][][][][];
                for (int i = 0; i < outputs.size(); i++) {
                    out[i] = (float[][][][]) result.get(outputs.get(i)).orElseThrow().getValue();
                }
                return out;
            }
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }
}
