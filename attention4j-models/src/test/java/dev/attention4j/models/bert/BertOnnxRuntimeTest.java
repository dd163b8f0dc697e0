package dev.attention4j.models.bert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attention4j.models.embeddings.Normalize;
import dev.attention4j.models.embeddings.Pooling;
import dev.attention4j.models.embeddings.SentenceEmbedder;
import dev.attention4j.models.embeddings.TokenBatch;
import dev.attention4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The bar: real pretrained encoders exported to ONNX, loaded by following their graphs, against ONNX Runtime running
 * the very same file on the very same ids. Last hidden state (every position, padding included) and the pooled,
 * L2-normalised sentence embedding: cosine >= 0.99999 and max abs error <= 1e-4 each.
 */
public class BertOnnxRuntimeTest {

    public static final double MIN_COSINE = 0.99999;
    public static final double MAX_ABS_ERROR = 1e-4;

    static final String[] SENTENCES = {
        "The cat sat on the mat.",
        "A transformer encoder reads every token of its input at once, attending from each word to all the others.",
        "Hello!",
        "Attention is all you need, said the paper; eight heads of it, in fact, per layer.",
    };

    /** About 700 word pieces of text, which the tokenizer truncates to the model's 512 positions. */
    public static String longText() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 60; i++) {
            text.append("Sentence ").append(i).append(" of a long document about scaled dot-product attention. ");
        }
        return text.toString();
    }

    /** Our model and ORT on {@code batch}; asserts the bar and returns the two agreements for the report. */
    static Agreement[] compare(ExportedModel exported, TokenBatch batch, Pooling pooling, String label)
            throws Exception {
        BertModel model = exported.model();
        Tensor hidden = model.encode(batch);
        float[][][] expected = exported.ortLastHiddenState(batch);
        Agreement hiddenAgreement = Agreement.of(hidden.data(), Agreement.flatten(expected));
        Agreement realTokens = Agreement.realTokens(hidden, expected, batch);

        Tensor embedding = Normalize.L2.apply(pooling.apply(hidden, batch)); // what SentenceEmbedder.embed does
        float[][] expectedEmbedding = poolAndNormalize(expected, batch, pooling);
        Agreement embeddingAgreement = Agreement.rowwise(embedding, expectedEmbedding);

        System.out.printf("%s %s (batch %d x %d): last hidden state %s (real tokens: %s); %s-pooled L2 embedding"
                + " %s%n", exported.name(), label, batch.batchSize(), batch.seqLen(), hiddenAgreement, realTokens,
                pooling, embeddingAgreement);
        assertThat(hiddenAgreement.cosine()).as("hidden state cosine").isGreaterThanOrEqualTo(MIN_COSINE);
        assertThat(hiddenAgreement.maxAbsError()).as("hidden state max abs error").isLessThanOrEqualTo(MAX_ABS_ERROR);
        assertThat(embeddingAgreement.cosine()).as("embedding cosine").isGreaterThanOrEqualTo(MIN_COSINE);
        assertThat(embeddingAgreement.maxAbsError()).as("embedding max abs error")
                .isLessThanOrEqualTo(MAX_ABS_ERROR);
        return new Agreement[] {hiddenAgreement, embeddingAgreement};
    }

    /** The sentence-transformers recipe on ORT's hidden states, in double. */
    public static float[][] poolAndNormalize(float[][][] hidden, TokenBatch batch, Pooling pooling) {
        float[][] out = new float[hidden.length][];
        for (int b = 0; b < hidden.length; b++) {
            int dim = hidden[b][0].length;
            double[] v = new double[dim];
            int count = pooling == Pooling.CLS ? 1 : batch.length(b);
            for (int t = 0; t < count; t++) {
                for (int i = 0; i < dim; i++) {
                    v[i] += hidden[b][t][i];
                }
            }
            double norm = 0;
            for (int i = 0; i < dim; i++) {
                v[i] /= count;
                norm += v[i] * v[i];
            }
            out[b] = new float[dim];
            for (int i = 0; i < dim; i++) {
                out[b][i] = (float) (v[i] / Math.sqrt(norm));
            }
        }
        return out;
    }

    @Test
    void miniLmInfersItsConfigurationFromTheGraph() throws Exception {
        assertThat(ExportedModel.ALL_MINILM_L6_V2.model().config()).isEqualTo(new BertConfig(30522, 384, 6, 12, 1536,
                dev.attention4j.nn.Activation.GELU, 512, 2, 1e-12f, 0));
    }

    @Test
    void miniLmOneSentenceMatchesOnnxRuntime() throws Exception {
        ExportedModel m = ExportedModel.ALL_MINILM_L6_V2;
        compare(m, m.tokenize(SENTENCES[0]), Pooling.MEAN, "one sentence");
    }

    @Test
    void miniLmPaddedBatchMatchesOnnxRuntime() throws Exception {
        ExportedModel m = ExportedModel.ALL_MINILM_L6_V2;
        TokenBatch batch = m.tokenize(SENTENCES);
        assertThat(batch.length(2)).isLessThan(batch.seqLen()); // "Hello!" is padded
        compare(m, batch, Pooling.MEAN, "padded batch");
    }

    @Test
    void miniLmFullLength512TokensMatchesOnnxRuntime() throws Exception {
        ExportedModel m = ExportedModel.ALL_MINILM_L6_V2;
        TokenBatch batch = m.tokenize(longText());
        assertThat(batch.seqLen()).isEqualTo(512);
        compare(m, batch, Pooling.MEAN, "512 tokens");
    }

    @Test
    void paddingDoesNotChangeASentencesEmbedding() throws Exception {
        ExportedModel m = ExportedModel.ALL_MINILM_L6_V2;
        SentenceEmbedder embedder = new SentenceEmbedder(m.model(), Pooling.MEAN, Normalize.L2);
        Tensor alone = embedder.embed(m.tokenize(SENTENCES[2]));
        Tensor inBatch = embedder.embed(m.tokenize(SENTENCES));
        assertThat(inBatch.bitEquals(Normalize.L2.apply(Pooling.MEAN.apply(m.model().encode(m.tokenize(SENTENCES)),
                m.tokenize(SENTENCES))))).isTrue();
        float[] row = new float[alone.size()];
        System.arraycopy(inBatch.data(), 2 * row.length, row, 0, row.length);
        assertThat(Agreement.of(row, alone.data()).maxAbsError()).isLessThanOrEqualTo(1e-6);
    }

    @Test
    void oneModelServesConcurrentCallersWithTheSameBits() throws Exception {
        ExportedModel m = ExportedModel.ALL_MINILM_L6_V2;
        SentenceEmbedder embedder = new SentenceEmbedder(m.model(), Pooling.MEAN, Normalize.L2);
        TokenBatch[] batches = {m.tokenize(SENTENCES[0]), m.tokenize(SENTENCES), m.tokenize(SENTENCES[3])};
        Tensor[] expected = new Tensor[batches.length];
        for (int i = 0; i < batches.length; i++) {
            expected[i] = embedder.embed(batches[i]);
        }
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(3);
        try {
            java.util.List<java.util.concurrent.Future<Boolean>> same = new java.util.ArrayList<>();
            for (int round = 0; round < 4; round++) {
                for (int i = 0; i < batches.length; i++) {
                    int which = i;
                    same.add(pool.submit(() -> embedder.embed(batches[which]).bitEquals(expected[which])));
                }
            }
            for (java.util.concurrent.Future<Boolean> f : same) {
                assertThat(f.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** The README's BERT example, so the documentation cannot drift from the API. */
    @Test
    void theReadmeExampleGivesUnitLengthVectors() throws Exception {
        BertModel model = BertModel.fromOnnx(ExportedModel.ALL_MINILM_L6_V2.onnx());
        var embedder = new SentenceEmbedder(model, Pooling.MEAN, Normalize.L2);
        int[] ids1 = ExportedModel.ALL_MINILM_L6_V2.tokenize(SENTENCES[0]).inputIds()[0];
        int[] ids2 = ExportedModel.ALL_MINILM_L6_V2.tokenize(SENTENCES[2]).inputIds()[0];
        Tensor vectors = embedder.embed(TokenBatch.padded(0, ids1, ids2));
        assertThat(vectors.shape().dims()).containsExactly(2, 384);
        for (int b = 0; b < 2; b++) {
            double norm = 0;
            for (int i = 0; i < 384; i++) {
                norm += vectors.get(b, i) * vectors.get(b, i);
            }
            assertThat(norm).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-6));
        }
    }

    @Test
    void bgeSmallFollowsTheSameGraphWithTwelveLayersAndClsPooling() throws Exception {
        ExportedModel m = ExportedModel.BGE_SMALL_EN_V15;
        assertThat(m.model().config()).isEqualTo(new BertConfig(30522, 384, 12, 12, 1536,
                dev.attention4j.nn.Activation.GELU, 512, 2, 1e-12f, 0));
        compare(m, m.tokenize(SENTENCES), Pooling.CLS, "padded batch");
    }
}
