package dev.attention4j.models.pretrained;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attention4j.models.embeddings.TextEmbedder;
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
