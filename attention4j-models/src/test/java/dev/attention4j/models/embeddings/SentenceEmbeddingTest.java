package dev.attention4j.models.embeddings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attention4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Batches, pooling and normalisation worked out by hand, and one embedder shared by several threads. */
class SentenceEmbeddingTest {

    /** hidden[b][t][i] = 100 b + 10 t + i, so every pooled value can be checked by hand. */
    private static final TokenEncoder COUNTING = new TokenEncoder() {
        @Override
        public Tensor encode(TokenBatch batch) {
            Tensor out = Tensor.zeros(batch.batchSize(), batch.seqLen(), 2);
            for (int b = 0; b < batch.batchSize(); b++) {
                for (int t = 0; t < batch.seqLen(); t++) {
                    for (int i = 0; i < 2; i++) {
                        out.set(100 * b + 10 * t + i, b, t, i);
                    }
                }
            }
            return out;
        }

        @Override
        public int hiddenSize() {
            return 2;
        }
    };

    @Test
    void paddedPutsRealTokensFirstAndMasksTheRest() {
        TokenBatch batch = TokenBatch.padded(0, new int[] {101, 7, 102}, new int[] {101, 102});
        assertThat(batch.batchSize()).isEqualTo(2);
        assertThat(batch.seqLen()).isEqualTo(3);
        assertThat(batch.inputIds()).isDeepEqualTo(new int[][] {{101, 7, 102}, {101, 102, 0}});
        assertThat(batch.tokenTypeIds()).isDeepEqualTo(new int[][] {{0, 0, 0}, {0, 0, 0}});
        assertThat(batch.attentionMask()).isDeepEqualTo(new boolean[][] {{true, true, true}, {true, true, false}});
        assertThat(batch.length(1)).isEqualTo(2);
    }

    @Test
    void batchesAreValidatedAndDefensivelyCopied() {
        int[][] ids = {{1, 2}};
        TokenBatch batch = new TokenBatch(ids, new int[][] {{0, 0}}, new boolean[][] {{true, true}});
        ids[0][0] = 99;
        assertThat(batch.inputIds()[0][0]).isEqualTo(1);
        assertThatThrownBy(() -> new TokenBatch(new int[][] {{1, 2}, {3}}, new int[][] {{0, 0}, {0}},
                new boolean[][] {{true, true}, {true}})).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("inputIds: expected every sequence to have length 2 (pad them) but sequence"
                        + " 1 has 1");
        assertThatThrownBy(() -> new TokenBatch(new int[][] {{1, 2}}, new int[][] {{0, 0}},
                new boolean[][] {{false, false}})).hasMessageContaining("attentionMask[0]: expected at least one"
                + " real token");
        assertThatThrownBy(() -> new TokenBatch(new int[][] {{1, 2, 3}}, new int[][] {{0, 0, 0}},
                new boolean[][] {{true, false, true}})).hasMessageContaining("expected real tokens first, then"
                + " padding, but position 2 is real after padding at 1");
        assertThatThrownBy(() -> new TokenBatch(new int[][] {{1, 2}}, new int[][] {{0}},
                new boolean[][] {{true, true}})).hasMessageContaining("tokenTypeIds: expected (1, 2)");
    }

    @Test
    void meanPoolingAveragesRealTokensOnlyAndClsTakesTheFirst() {
        TokenBatch batch = TokenBatch.padded(0, new int[] {1, 2, 3}, new int[] {1});
        Tensor hidden = COUNTING.encode(batch);
        assertThat(Pooling.MEAN.apply(hidden, batch).data()).containsExactly(10, 11, 100, 101);
        assertThat(Pooling.CLS.apply(hidden, batch).data()).containsExactly(0, 1, 100, 101);
        assertThatThrownBy(() -> Pooling.MEAN.apply(Tensor.zeros(2, 4, 2), batch))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void l2NormalisationGivesUnitLengthAndLeavesZeroAlone() {
        Tensor v = Tensor.of(new float[] {3, 4, 0, 0}, 2, 2);
        assertThat(Normalize.L2.apply(v).data()).containsExactly(0.6f, 0.8f, 0f, 0f);
        assertThat(Normalize.NONE.apply(v).data()).containsExactly(3, 4, 0, 0);
        assertThat(v.data()).containsExactly(3, 4, 0, 0); // inputs are not modified
    }

    @Test
    void oneEmbedderServesSeveralThreadsWithTheSameBits() throws Exception {
        SentenceEmbedder embedder = new SentenceEmbedder(COUNTING, Pooling.MEAN, Normalize.L2);
        TokenBatch batch = TokenBatch.padded(0, new int[] {1, 2, 3}, new int[] {4, 5});
        Tensor expected = embedder.embed(batch);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Tensor>> results = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                results.add(pool.submit(() -> embedder.embed(batch)));
            }
            for (Future<Tensor> f : results) {
                assertThat(f.get().bitEquals(expected)).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(embedder.dimension()).isEqualTo(2);
    }
}
