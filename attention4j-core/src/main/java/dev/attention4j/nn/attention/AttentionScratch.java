package dev.attention4j.nn.attention;

import dev.attention4j.autograd.ScoreMask;

/**
 * The buffers of {@link MultiHeadAttention}'s one-token decoding steps ({@link MultiHeadAttention#forwardCachedStep},
 * {@link MultiHeadAttention#forwardCrossCachedStep}), sized once for {@code batchSize} sequences and up to
 * {@code maxKeys} keys, so that a step allocates nothing. One scratch serves every layer of a stack (they share
 * {@code modelDim} and {@code numHeads}); it holds nothing between calls but the score mask last adapted, and is not
 * safe for concurrent use.
 */
public final class AttentionScratch {

    private final int batchSize;
    private final int numHeads;
    private final int modelDim;
    private final int maxKeys;
    final float[] query;    // (batchSize, modelDim): the new tokens' projected queries
    final float[] key;      // (batchSize, modelDim): their projected keys, before they join the cache
    final float[] value;    // (batchSize, modelDim): their projected values
    final float[] attended; // (batchSize, numHeads * headDim): the heads side by side, before W_O
    final float[] weights;  // (batchSize, numHeads, maxKeys): each pair's scores, then weights, over its keys
    private Mask adaptedMask;           // the mask last adapted for the op ...
    private ScoreMask adaptedScoreMask; // ... and its row rule, kept so a step does not adapt it again
    private int adaptedKeys = -1;       // the key count it was validated for

    /**
     * @param batchSize sequences per step
     * @param numHeads  heads
     * @param modelDim  {@code numHeads * headDim}
     * @param maxKeys   the most keys a step attends to: the self cache's capacity, or the memory's length
     */
    public AttentionScratch(int batchSize, int numHeads, int modelDim, int maxKeys) {
        if (batchSize < 0 || numHeads < 1 || modelDim < 1 || modelDim % numHeads != 0 || maxKeys < 0) {
            throw new IllegalArgumentException("AttentionScratch: expected batchSize >= 0, numHeads >= 1, modelDim a "
                    + "positive multiple of numHeads and maxKeys >= 0 but got " + batchSize + ", " + numHeads + ", "
                    + modelDim + " and " + maxKeys);
        }
        long weightCount = (long) batchSize * numHeads * maxKeys;
        if (weightCount > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("batchSize * numHeads * maxKeys = " + batchSize + " * " + numHeads
                    + " * " + maxKeys + " weights do not fit in one Java array");
        }
        this.batchSize = batchSize;
        this.numHeads = numHeads;
        this.modelDim = modelDim;
        this.maxKeys = maxKeys;
        this.query = new float[batchSize * modelDim];
        this.key = new float[batchSize * modelDim];
        this.value = new float[batchSize * modelDim];
        this.attended = new float[batchSize * modelDim];
        this.weights = new float[(int) weightCount];
    }

    public int batchSize() {
        return batchSize;
    }

    public int numHeads() {
        return numHeads;
    }

    public int modelDim() {
        return modelDim;
    }

    /** The most keys a step may attend to. */
    public int maxKeys() {
        return maxKeys;
    }

    /**
     * Checks that this scratch fits a step of {@code batchSize} sequences over {@code keys} keys of a module with
     * {@code numHeads} heads of total width {@code modelDim}.
     */
    void requireFits(int batchSize, int numHeads, int modelDim, int keys) {
        if (batchSize != this.batchSize || numHeads != this.numHeads || modelDim != this.modelDim
                || keys > maxKeys) {
            throw new IllegalArgumentException("scratch: expected one for batchSize = " + batchSize + ", numHeads = "
                    + numHeads + ", modelDim = " + modelDim + " and at least " + keys + " keys but got batchSize = "
                    + this.batchSize + ", numHeads = " + this.numHeads + ", modelDim = " + this.modelDim
                    + " and maxKeys = " + maxKeys);
        }
    }

    /**
     * {@code mask} as the op's row rule, checked against {@code (batchSize, numHeads, 1, keys)} scores; adapted and
     * checked again only when the mask or the key count changes (e.g. after the cache is reordered), so a step
     * allocates nothing.
     */
    ScoreMask scoreMask(Mask mask, int keys) {
        if (mask != adaptedMask || keys != adaptedKeys) {
            MaskShapes.validate(mask, batchSize, numHeads, 1, keys);
            adaptedScoreMask = MaskShapes.scoreMask(mask);
            adaptedMask = mask;
            adaptedKeys = keys;
        }
        return adaptedScoreMask;
    }
}
