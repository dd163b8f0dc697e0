package dev.attention4j.nn.attention;

import dev.attention4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KeyValueCacheTest {

    static final float TOLERANCE = 1e-5f;

    @Test
    void appendFillsRowsInOrderAndCountsBytes() {
        KeyValueCache cache = new KeyValueCache(2, 5, 3);
        Tensor k1 = Tensor.randn(1, 2, 2, 3);
        Tensor v1 = Tensor.randn(2, 2, 2, 3);
        Tensor k2 = Tensor.randn(3, 2, 1, 3);
        Tensor v2 = Tensor.randn(4, 2, 1, 3);
        cache.append(k1, v1);
        cache.append(k2, v2);
        assertThat(cache.length()).isEqualTo(3);
        for (int b = 0; b < 2; b++) {
            for (int c = 0; c < 3; c++) {
                assertThat(cache.keys().get(b, 0, c)).isEqualTo(k1.get(b, 0, c));
                assertThat(cache.keys().get(b, 1, c)).isEqualTo(k1.get(b, 1, c));
                assertThat(cache.keys().get(b, 2, c)).isEqualTo(k2.get(b, 0, c));
                assertThat(cache.values().get(b, 2, c)).isEqualTo(v2.get(b, 0, c));
            }
        }
        assertThat(cache.bytes()).isEqualTo(2L * 2 * 3 * 3 * 4);          // 2 x batch x length x modelDim x 4
        assertThat(cache.allocatedBytes()).isEqualTo(2L * 2 * 5 * 3 * 4); // 2 x batch x capacity x modelDim x 4
    }

    @Test
    void exceedingTheCapacityNamesCapacityAndPositionAndLeavesTheCacheUnchanged() {
        KeyValueCache cache = new KeyValueCache(1, 2, 4);
        cache.append(Tensor.zeros(1, 2, 4), Tensor.zeros(1, 2, 4));
        assertThatThrownBy(() -> cache.append(Tensor.zeros(1, 1, 4), Tensor.zeros(1, 1, 4)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("capacity 2")
                .hasMessageContaining("position 2");
        assertThat(cache.length()).isEqualTo(2);
    }

    @Test
    void reorderPermutesAndDuplicatesSequences() {
        KeyValueCache cache = new KeyValueCache(3, 4, 2);
        Tensor k = Tensor.randn(5, 3, 3, 2);
        Tensor v = Tensor.randn(6, 3, 3, 2);
        cache.append(k, v);
        int[] order = {2, 0, 0};
        cache.reorder(order);
        cache.reorder(new int[] {0, 1, 2}); // identity after a swap of buffers
        for (int b = 0; b < 3; b++) {
            for (int t = 0; t < 3; t++) {
                for (int c = 0; c < 2; c++) {
                    assertThat(cache.keys().get(b, t, c)).isEqualTo(k.get(order[b], t, c));
                    assertThat(cache.values().get(b, t, c)).isEqualTo(v.get(order[b], t, c));
                }
            }
        }
        assertThatThrownBy(() -> cache.reorder(new int[] {0, 3, 1})).hasMessageContaining("batchIndices[1]");
        assertThatThrownBy(() -> cache.reorder(new int[] {0})).hasMessageContaining("batchIndices");
    }

    @Test
    void cachedSelfAttentionEqualsCausalAttentionOverThePrefix() {
        MultiHeadAttention attn = new MultiHeadAttention(MultiHeadAttentionConfig.of(8, 2), 7L);
        Tensor x = Tensor.randn(11, 2, 5, 8); // (batchSize, seqLen, modelDim)
        Tensor full = attn.forward(x, x, x, Mask.causal());
        KeyValueCache cache = attn.newCache(2, 5);
        // a chunk of 2, then one token at a time
        int[] chunks = {2, 1, 1, 1};
        int start = 0;
        for (int len : chunks) {
            Tensor chunk = rows(x, start, len);
            Tensor out = attn.forwardCached(chunk, cache, Mask.none(), AttentionWeights.NONE).output();
            assertThat(out.maxAbsDifference(rows(full, start, len))).as("rows from %d", start)
                    .isLessThanOrEqualTo(TOLERANCE);
            start += len;
        }
        assertThat(cache.length()).isEqualTo(5);
    }

    @Test
    void cachedCrossAttentionEqualsCrossAttention() {
        MultiHeadAttention attn = new MultiHeadAttention(MultiHeadAttentionConfig.of(8, 2), 8L);
        Tensor q = Tensor.randn(12, 2, 3, 8);
        Tensor memory = Tensor.randn(13, 2, 4, 8);
        Mask padding = Mask.keyLengths(4, 4, 2);
        AttentionOutput full = attn.forward(q, memory, memory, padding, AttentionWeights.PER_HEAD);
        AttentionOutput cached = attn.forwardCrossCached(q, attn.projectKeysValues(memory, memory), padding,
                AttentionWeights.PER_HEAD);
        assertThat(cached.output().maxAbsDifference(full.output())).isLessThanOrEqualTo(TOLERANCE);
        assertThat(cached.weights().maxAbsDifference(full.weights())).isLessThanOrEqualTo(TOLERANCE);
    }

    /** Rows {@code [start, start + len)} of {@code (batchSize, seqLen, dim)}. */
    static Tensor rows(Tensor x, int start, int len) {
        int batchSize = x.dim(0);
        int seqLen = x.dim(1);
        int dim = x.dim(2);
        Tensor out = Tensor.zeros(batchSize, len, dim);
        for (int b = 0; b < batchSize; b++) {
            System.arraycopy(x.data(), (b * seqLen + start) * dim, out.data(), b * len * dim, len * dim);
        }
        return out;
    }
}
