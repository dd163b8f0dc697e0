package dev.attention4j.models.pretrained;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attention4j.models.bert.Agreement;
import dev.attention4j.models.bert.BertOnnxRuntimeTest;
import dev.attention4j.models.bert.ExportedModel;
import dev.attention4j.models.embeddings.TextEmbedder;
import dev.attention4j.models.embeddings.TokenBatch;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * End to end through attention4j alone: texts -> our tokenizer -> our encoder -> pooled, normalised embeddings, for
 * every model of the registry loaded by name, against ONNX Runtime running the same {@code .onnx} on the ids HF
 * tokenizers (DJL) gives for the same texts, pooled as the registry says in double. Each text alone (batch 1) and all
 * of them in one padded, length-sorted batch; a long text is truncated at the model's limit on both sides.
 */
class TextEmbeddingOracleTest {

    static final String[] TEXTS = {
        "The cat sat on the mat.",
        "A transformer encoder reads every token of its input at once, attending from each word to all the others.",
        "Hello!",
        "Café déjà vu — naïve résumé, 42 × 7 = 294.",
        "注意力机制让模型在处理每个词时关注输入的其他部分。",
        "",
    };

    @ParameterizedTest(name = "{0}")
    @CsvSource({"all-minilm-l6-v2", "bge-small-en-v1.5", "bge-small-zh-v1.5", "e5-small-v2"})
    void textsGiveOnnxRuntimesEmbeddingsAloneAndBatched(String name) throws Exception {
        KnownEmbeddingModel known = EmbeddingModels.known(name).orElseThrow();
        EmbeddingModel model = EmbeddingModels.load(name);
        TextEmbedder embedder = model.embedder();
        ExportedModel exported = switch (name) {
            case "all-minilm-l6-v2" -> ExportedModel.ALL_MINILM_L6_V2;
            case "bge-small-en-v1.5" -> ExportedModel.BGE_SMALL_EN_V15;
            case "bge-small-zh-v1.5" -> ExportedModel.BGE_SMALL_ZH_V15;
            default -> ExportedModel.E5_SMALL_V2;
        };
        List<String> texts = new ArrayList<>(List.of(TEXTS));
        texts.add(BertOnnxRuntimeTest.longText());

        float[][] batched = embedder.embed(texts);
        assertThat(batched).hasNumberOfRows(texts.size());
        double worstCosine = 1;
        double worstError = 0;
        for (int i = 0; i < texts.size(); i++) {
            TokenBatch hfIds = exported.tokenize(known.maxTokens(), texts.get(i));
            assertThat(embedder.tokenizer().encode(texts.get(i)).ids()).as("our ids of text %d", i)
                    .containsExactly(hfIds.inputIds()[0]);
            float[] expected = BertOnnxRuntimeTest.poolAndNormalize(exported.ortLastHiddenState(hfIds), hfIds,
                    known.pooling())[0];
            float[] alone = embedder.embed(texts.get(i));
            for (float[] actual : new float[][] {alone, batched[i]}) {
                Agreement a = Agreement.of(actual, expected);
                worstCosine = Math.min(worstCosine, a.cosine());
                worstError = Math.max(worstError, a.maxAbsError());
                assertThat(a.cosine()).as("%s text %d cosine", name, i)
                        .isGreaterThanOrEqualTo(BertOnnxRuntimeTest.MIN_COSINE);
                assertThat(a.maxAbsError()).as("%s text %d max abs error", name, i)
                        .isLessThanOrEqualTo(BertOnnxRuntimeTest.MAX_ABS_ERROR);
            }
        }
        assertThat(exported.tokenize(known.maxTokens(), texts.get(texts.size() - 1)).seqLen())
                .isEqualTo(known.maxTokens());
        System.out.printf("%s text -> embedding vs ONNX Runtime on HF ids (%d texts, alone and batched, up to %d"
                + " tokens): 1 - cosine %.2g, max abs error %.3g%n", name, texts.size(), known.maxTokens(),
                1 - worstCosine, worstError);
    }
}
