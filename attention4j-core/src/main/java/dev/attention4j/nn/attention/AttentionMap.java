package dev.attention4j.nn.attention;

import dev.attention4j.tensor.Tensor;

import java.util.Arrays;
import java.util.Objects;

/**
 * The attention weights of one call, for the heads an {@link AttentionObserver} asked for: row {@code i} of head
 * {@code heads[k]} of sequence {@code b} is {@code weights[b, k, i, :]}, a probability distribution over the keys
 * (zeros for a fully masked row; with dropout in training, the dropped-out weights that were applied).
 *
 * @param site    where the call happened
 * @param heads   the heads' indices in the module, ascending, in the order of {@code weights}' second dim
 * @param weights {@code (batchSize, heads.length, tgtLen, srcLen)}
 */
public record AttentionMap(AttentionSite site, int[] heads, Tensor weights) {

    public AttentionMap {
        Objects.requireNonNull(site, "site");
        Objects.requireNonNull(heads, "heads");
        Objects.requireNonNull(weights, "weights");
        if (weights.rank() != 4 || weights.dim(1) != heads.length) {
            throw new IllegalArgumentException("weights: expected shape (batchSize, heads = " + heads.length
                    + ", tgtLen, srcLen) but got " + weights.shape());
        }
        heads = heads.clone();
    }

    @Override
    public int[] heads() {
        return heads.clone();
    }

    public int batchSize() {
        return weights.dim(0);
    }

    /** Query rows. */
    public int tgtLen() {
        return weights.dim(2);
    }

    /** Keys. */
    public int srcLen() {
        return weights.dim(3);
    }

    /** The weight of key {@code key} for query {@code query} in the {@code k}-th head held (head {@code heads[k]}). */
    public float weight(int batch, int k, int query, int key) {
        return weights.data()[((batch * heads.length + k) * tgtLen() + query) * srcLen() + key];
    }

    @Override
    public String toString() {
        return "AttentionMap[" + site + ", heads=" + Arrays.toString(heads) + ", " + weights.shape() + "]";
    }
}
