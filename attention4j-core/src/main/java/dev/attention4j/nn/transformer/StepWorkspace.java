package dev.attention4j.nn.transformer;

import dev.attention4j.nn.attention.AttentionScratch;
import dev.attention4j.tensor.Elementwise;

/**
 * The buffers of one-token decoding steps ({@code decodeStep}): the residual stream, a sub-layer's input and output,
 * the feed-forward hidden layer, attention's scratch and the logits, for one token of each of {@code batchSize}
 * sequences. A {@link DecoderCache} makes one at its first step and keeps it, so the steps after allocate nothing.
 */
final class StepWorkspace {

    final int batchSize;
    final int modelDim;
    final int ffnDim;
    final int vocabSize;
    final float[] x;        // (batchSize, modelDim): the residual stream
    final float[] normed;   // (batchSize, modelDim): a pre-norm sub-layer's input, norm(x)
    final float[] sublayer; // (batchSize, modelDim): a sub-layer's output, before it joins x
    final float[] hidden;   // (batchSize, ffnDim): the feed-forward hidden layer
    final float[] logits;   // (batchSize, vocabSize): the step's result
    final AttentionScratch attention;

    StepWorkspace(int batchSize, int numHeads, int modelDim, int ffnDim, int vocabSize, int maxKeys) {
        this.batchSize = batchSize;
        this.modelDim = modelDim;
        this.ffnDim = ffnDim;
        this.vocabSize = vocabSize;
        this.x = new float[batchSize * modelDim];
        this.normed = new float[batchSize * modelDim];
        this.sublayer = new float[batchSize * modelDim];
        this.hidden = new float[batchSize * ffnDim];
        this.logits = new float[Math.multiplyExact(batchSize, vocabSize)];
        this.attention = new AttentionScratch(batchSize, numHeads, modelDim, maxKeys);
    }

    /** Whether this workspace has the sizes asked for. */
    boolean fits(int batchSize, int numHeads, int modelDim, int ffnDim, int vocabSize, int maxKeys) {
        return batchSize == this.batchSize && numHeads == attention.numHeads() && modelDim == this.modelDim
                && ffnDim == this.ffnDim && vocabSize == this.vocabSize && maxKeys <= attention.maxKeys();
    }

    /** The residual connection, {@code x = x + sublayer}, in place: what {@code AddOp} computes. */
    void addSublayer() {
        Elementwise.addInto(x, x, sublayer, batchSize * modelDim);
    }
}
