package dev.attention4j.models.pretrained;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attention4j.models.bert.Agreement;
import dev.attention4j.models.bert.BertOnnxRuntimeTest;
import dev.attention4j.models.embeddings.SentenceEmbedder;
import dev.attention4j.models.embeddings.TextEmbedder;
import dev.attention4j.models.embeddings.TokenBatch;
import dev.attention4j.models.embeddings.TokenEncoder;
import dev.attention4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * TextEmbedder's batching: results come back in input order and do not depend on how the texts were grouped (batch
 * size, token budget, order, company) beyond float rounding; progress is reported after each batch and ends at the
 * total; several threads share one embedder.
 */
class TextEmbedderBatchingTest {

    private static final double NOISE = 1e-6;
    private static TextEmbedder embedder;
    private static List<String> texts;

    @BeforeAll
    static void load() throws Exception {
        embedder = EmbeddingModels.load(EmbeddingModels.DEFAULT).embedder();
        SplittableRandom random = new SplittableRandom(7);
        String[] words = {"attention", "query", "key", "value", "the", "cat", "sat", "on", "mat", "softmax",
            "encoder", "decoder", "layer", "norm", "head", "token", "embedding", "retrieval", "of", "a"};
        texts = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            StringBuilder text = new StringBuilder();
            int n = 1 + random.nextInt(i % 5 == 0 ? 60 : 12);
            for (int w = 0; w < n; w++) {
                text.append(w == 0 ? "" : " ").append(words[random.nextInt(words.length)]);
            }
            texts.add(text.toString());
        }
    }

    private static void assertClose(float[][] actual, float[][] expected, String what) {
        assertThat(actual).hasNumberOfRows(expected.length);
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            for (int j = 0; j < expected[i].length; j++) {
                worst = Math.max(worst, Math.abs(actual[i][j] - expected[i][j]));
            }
        }
        assertThat(worst).as(what).isLessThanOrEqualTo(NOISE);
    }

    @Test
    void resultsDoNotDependOnBatchComposition() {
        float[][] reference = embedder.embed(texts);
        assertClose(embedder.withBatching(1, embedder.maxTokens()).embed(texts), reference, "one text per batch");
        assertClose(embedder.withBatching(5, 300).embed(texts), reference, "5 texts / 300 tokens per batch");
        assertClose(embedder.withBatching(64, 64 * 256).embed(texts), reference, "all in one batch");

        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            order.add(i);
        }
        Collections.shuffle(order, new java.util.Random(3));
        List<String> shuffled = order.stream().map(texts::get).toList();
        float[][] out = embedder.embed(shuffled);
        float[][] back = new float[texts.size()][];
        for (int k = 0; k < order.size(); k++) {
            back[order.get(k)] = out[k];
        }
        assertClose(back, reference, "shuffled input, restored");
        assertClose(new float[][] {embedder.embed(texts.get(17))}, new float[][] {reference[17]}, "alone");
    }

    /**
     * A corpus of ragged lengths, from the empty text ({@code [CLS] [SEP]}, 2 tokens) to one cut at the model's limit,
     * with runs of equal and nearly equal lengths (as real sentences come): every text's embedding in the corpus
     * equals its embedding alone, the oracle with no padding and no company.
     */
    @Test
    void raggedCorpusEqualsEachTextEmbeddedAlone() {
        List<String> corpus = raggedCorpus();
        float[][] together = embedder.embed(corpus);
        double worstCosine = 1;
        double worstError = 0;
        int[] lengths = new int[corpus.size()];
        for (int i = 0; i < corpus.size(); i++) {
            lengths[i] = embedder.tokenizer().encode(corpus.get(i)).ids().length;
            Agreement a = Agreement.of(together[i], embedder.embed(corpus.get(i)));
            worstCosine = Math.min(worstCosine, a.cosine());
            worstError = Math.max(worstError, a.maxAbsError());
        }
        assertThat(java.util.Arrays.stream(lengths).min().orElseThrow()).as("shortest").isEqualTo(2);
        assertThat(java.util.Arrays.stream(lengths).max().orElseThrow()).as("longest")
                .isEqualTo(embedder.maxTokens());
        assertThat(worstCosine).as("worst cosine, corpus vs alone").isGreaterThanOrEqualTo(0.99999);
        assertThat(worstError).as("worst max abs error, corpus vs alone").isLessThanOrEqualTo(1e-5);
    }

    /**
     * The batches the encoder is handed: each within the token budget and padded by at most
     * {@link TextEmbedder#MAX_PADDING_PERCENT}% of its tokens, every text in exactly one, and the long text alone
     * rather than making shorter ones pad to it.
     */
    @Test
    void batchesPadLittleAndStayWithinTheBudget() {
        List<String> corpus = raggedCorpus();
        List<TokenBatch> seen = java.util.Collections.synchronizedList(new ArrayList<>());
        SentenceEmbedder real = embedder.sentenceEmbedder();
        TokenEncoder recording = new TokenEncoder() {
            @Override
            public Tensor encode(TokenBatch batch) {
                seen.add(batch);
                return real.encoder().encode(batch);
            }

            @Override
            public int hiddenSize() {
                return real.encoder().hiddenSize();
            }
        };
        TextEmbedder watched = new TextEmbedder(embedder.tokenizer(),
                new SentenceEmbedder(recording, real.pooling(), real.normalize()), embedder.maxTokens());
        watched.embed(corpus);
        int texts = 0;
        long realTokens = 0;
        for (TokenBatch batch : seen) {
            long padded = (long) batch.batchSize() * batch.seqLen();
            long tokens = 0;
            for (int b = 0; b < batch.batchSize(); b++) {
                tokens += batch.length(b);
            }
            assertThat(padded).as("padded tokens of %s", batch).isLessThanOrEqualTo(watched.maxBatchTokens());
            assertThat(100 * (padded - tokens)).as("padding of %s, in percent of %d", batch, padded)
                    .isLessThanOrEqualTo(TextEmbedder.MAX_PADDING_PERCENT * padded);
            if (batch.seqLen() == embedder.maxTokens()) {
                assertThat(batch.batchSize()).as("the text cut at the limit").isEqualTo(1);
            }
            texts += batch.batchSize();
            realTokens += tokens;
        }
        assertThat(texts).isEqualTo(corpus.size());
        long expectedTokens = corpus.stream().mapToLong(t -> embedder.tokenizer().encode(t).ids().length).sum();
        assertThat(realTokens).isEqualTo(expectedTokens);
    }

    /**
     * 120 texts: the empty one, one cut at the limit, and seeded word salads of 1-40 words in runs of a few equal
     * lengths, shuffled.
     */
    private static List<String> raggedCorpus() {
        SplittableRandom random = new SplittableRandom(11);
        String[] words = {"parliament", "the", "commission", "report", "of", "a", "vote", "on", "budget", "and",
            "member", "states", "proposal", "we", "must", "agree", "council", "citizens"};
        List<String> corpus = new ArrayList<>(List.of("", BertOnnxRuntimeTest.longText()));
        while (corpus.size() < 120) {
            int n = 1 + random.nextInt(40);
            for (int copies = 1 + random.nextInt(4); copies > 0; copies--) {
                StringBuilder text = new StringBuilder();
                for (int w = 0; w < n; w++) {
                    text.append(w == 0 ? "" : " ").append(words[random.nextInt(words.length)]);
                }
                corpus.add(text.toString());
            }
        }
        Collections.shuffle(corpus, new java.util.Random(5));
        return corpus;
    }

    @Test
    void progressIsReportedAfterEachBatchUpToTheTotal() {
        List<int[]> calls = new ArrayList<>();
        embedder.withBatching(8, 8 * 256).embed(texts, (done, total) -> calls.add(new int[] {done, total}));
        assertThat(calls).hasSizeGreaterThanOrEqualTo(5);
        for (int i = 0; i < calls.size(); i++) {
            assertThat(calls.get(i)[1]).isEqualTo(texts.size());
            assertThat(calls.get(i)[0]).isGreaterThan(i == 0 ? 0 : calls.get(i - 1)[0]);
        }
        assertThat(calls.get(calls.size() - 1)[0]).isEqualTo(texts.size());
        assertThat(embedder.embed(List.of())).isEmpty();
    }

    @Test
    void oneEmbedderServesConcurrentCallers() throws Exception {
        float[][] reference = embedder.embed(texts.subList(0, 10));
        var pool = java.util.concurrent.Executors.newFixedThreadPool(3);
        try {
            List<java.util.concurrent.Future<float[][]>> results = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                results.add(pool.submit(() -> embedder.embed(texts.subList(0, 10))));
            }
            for (var f : results) {
                assertThat(f.get()).isDeepEqualTo(reference);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void badArgumentsAreNamed() {
        assertThatThrownBy(() -> embedder.withBatching(0, 4096)).hasMessageContaining("maxBatchSize");
        assertThatThrownBy(() -> embedder.withBatching(4, 10)).hasMessageContaining("maxBatchTokens");
        assertThatThrownBy(() -> embedder.embed(java.util.Arrays.asList("a", null))).hasMessageContaining("texts[1]");
    }
}
