package dev.attention4j.models.bert;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attention4j.models.embeddings.Normalize;
import dev.attention4j.models.embeddings.Pooling;
import dev.attention4j.models.embeddings.SentenceEmbedder;
import dev.attention4j.models.embeddings.TokenBatch;
import dev.attention4j.models.formats.DType;
import dev.attention4j.models.formats.OnnxFile;
import dev.attention4j.models.formats.Safetensors;
import dev.attention4j.nn.Activation;
import dev.attention4j.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Hugging Face model directory ({@code config.json} + {@code model.safetensors}) written from all-MiniLM's ONNX
 * weights, in F32, F16 and BF16, loads and matches ONNX Runtime: F32 bit for bit as the ONNX load, the half
 * precisions to bounds derived from their unit roundoff {@code u} (2^-11 for F16, 2^-8 for BF16). Every weight then
 * carries a relative error up to {@code u}; through six layers the outputs' relative error stays a small multiple of
 * it (measured: 0.3u to 1.3u), so the bounds are: embedding (unit length) max abs error {@code <= 2u}, last hidden
 * state max abs error {@code <= 4u * max|h|}, {@code 1 - cosine <= (4u)^2}. A wrong name map or transpose breaks
 * them by orders of magnitude (cosine near 0).
 */
public class BertHuggingFaceDirectoryTest {

    @TempDir
    Path dir;

    /** {@code config.json} as transformers writes it for this configuration. */
    public static void writeConfig(Path file, BertConfig c) throws IOException {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("architectures", new String[] {"BertModel"});
        json.put("model_type", "bert");
        json.put("vocab_size", c.vocabSize());
        json.put("hidden_size", c.hiddenSize());
        json.put("num_hidden_layers", c.numHiddenLayers());
        json.put("num_attention_heads", c.numAttentionHeads());
        json.put("intermediate_size", c.intermediateSize());
        json.put("hidden_act", c.hiddenAct() == Activation.GELU ? "gelu" : "relu");
        json.put("hidden_dropout_prob", 0.1);
        json.put("max_position_embeddings", c.maxPositionEmbeddings());
        json.put("type_vocab_size", c.typeVocabSize());
        json.put("layer_norm_eps", 1e-12);
        json.put("pad_token_id", c.padTokenId());
        json.put("position_embedding_type", "absolute");
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(file.toFile(), json);
    }

    /** all-MiniLM's weights under HF names with the {@code bert.} prefix and a pooler, as BertForX checkpoints have. */
    public static Map<String, Tensor> prefixedCheckpoint() throws IOException {
        Map<String, Tensor> hf = BertOnnxGraph.follow(OnnxFile.read(ExportedModel.ALL_MINILM_L6_V2.onnx()))
                .huggingFaceWeights();
        Map<String, Tensor> prefixed = new LinkedHashMap<>();
        hf.forEach((name, t) -> prefixed.put("bert." + name, t));
        prefixed.put("bert.pooler.dense.weight", Tensor.zeros(384, 384));
        prefixed.put("bert.pooler.dense.bias", Tensor.zeros(384));
        return prefixed;
    }

    private BertModel loadAndCompare(DType dtype, double u) throws Exception {
        ExportedModel m = ExportedModel.ALL_MINILM_L6_V2;
        Path model = Files.createDirectories(dir.resolve(dtype.name()));
        writeConfig(model.resolve("config.json"), m.model().config());
        Safetensors.write(model.resolve("model.safetensors"), prefixedCheckpoint(), Map.of("format", "pt"), dtype);

        BertModel loaded = BertModel.fromHuggingFace(model);
        assertThat(loaded.config()).isEqualTo(m.model().config());
        TokenBatch batch = m.tokenize(BertOnnxRuntimeTest.SENTENCES);
        Tensor hidden = loaded.encode(batch);
        float[][][] expected = m.ortLastHiddenState(batch);
        Agreement hiddenAgreement = Agreement.realTokens(hidden, expected, batch);
        Agreement embedding = Agreement.rowwise(new SentenceEmbedder(loaded, Pooling.MEAN, Normalize.L2).embed(batch),
                BertOnnxRuntimeTest.poolAndNormalize(expected, batch, Pooling.MEAN));
        System.out.printf("all-minilm-l6-v2 from an HF directory in %s (batch %d x %d): last hidden state (real"
                + " tokens) %s; MEAN-pooled L2 embedding %s%n", dtype, batch.batchSize(), batch.seqLen(),
                hiddenAgreement, embedding);
        double maxHidden = 0;
        for (float v : Agreement.flatten(expected)) {
            maxHidden = Math.max(maxHidden, Math.abs(v));
        }
        double oneMinusCosine = Math.max(16 * u * u, 1 - BertOnnxRuntimeTest.MIN_COSINE);
        assertThat(1 - hiddenAgreement.cosine()).as("hidden 1 - cosine").isLessThanOrEqualTo(oneMinusCosine);
        assertThat(1 - embedding.cosine()).as("embedding 1 - cosine").isLessThanOrEqualTo(oneMinusCosine);
        assertThat(hiddenAgreement.maxAbsError()).as("hidden max abs error")
                .isLessThanOrEqualTo(Math.max(4 * u * maxHidden, BertOnnxRuntimeTest.MAX_ABS_ERROR));
        assertThat(embedding.maxAbsError()).as("embedding max abs error")
                .isLessThanOrEqualTo(Math.max(2 * u, BertOnnxRuntimeTest.MAX_ABS_ERROR));
        return loaded;
    }

    @Test
    void f32DirectoryMatchesOnnxRuntimeAndTheOnnxLoadBitForBit() throws Exception {
        BertModel loaded = loadAndCompare(DType.F32, 0);
        TokenBatch batch = ExportedModel.ALL_MINILM_L6_V2.tokenize(BertOnnxRuntimeTest.SENTENCES);
        assertThat(loaded.encode(batch).bitEquals(ExportedModel.ALL_MINILM_L6_V2.model().encode(batch))).isTrue();
    }

    @Test
    void f16DirectoryMatchesWithinHalfPrecision() throws Exception {
        loadAndCompare(DType.F16, 0x1p-11);
    }

    @Test
    void bf16DirectoryMatchesWithinBfloat16Precision() throws Exception {
        loadAndCompare(DType.BF16, 0x1p-8);
    }

    @Test
    void savedWeightsUnderHuggingFaceNamesLoadBackIdentically() throws Exception {
        BertModel original = ExportedModel.ALL_MINILM_L6_V2.model();
        Path model = Files.createDirectories(dir.resolve("saved"));
        writeConfig(model.resolve("config.json"), original.config());
        Safetensors.write(model.resolve("model.safetensors"), BertWeightNames.toHuggingFace(original), Map.of());
        BertModel loaded = BertModel.fromHuggingFace(model);
        Map<String, Tensor> before = original.namedParameters();
        loaded.namedParameters().forEach((name, t) -> assertThat(t.bitEquals(before.get(name))).as(name).isTrue());
    }
}
