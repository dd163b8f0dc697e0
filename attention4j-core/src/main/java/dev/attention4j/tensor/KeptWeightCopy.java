package dev.attention4j.tensor;

/**
 * A copy derived from a block of a linear map's weight, {@code weight[rowOffset .. rowOffset + outFeatures) x
 * inFeatures} (PyTorch's {@code (outFeatures, inFeatures)}), made at the first {@link #data()} and made again when the
 * weight's {@link Tensor#version()} has changed since (an optimizer step, a state dict loaded,
 * {@link Tensor#markModified()}); otherwise the kept copy, with no allocation. It costs as much memory as the weight
 * block, and is plain heap (never an array a {@link BufferPool} lends). Safe to share between threads: a copy is
 * published whole, and two threads that find it stale may both make one (the same). The subclasses say what the copy
 * is: {@link TransposedWeight}, {@link PanelWeight}.
 */
abstract sealed class KeptWeightCopy permits TransposedWeight, PanelWeight {

    private final Tensor weight;
    private final int rowOffset;
    private final int outFeatures;
    private final int inFeatures;
    private volatile Copy copy;

    /** A derived copy and the weight version it was made from. */
    private record Copy(long version, float[] data) {
    }

    /** Of rows {@code [rowOffset, rowOffset + outFeatures)} of {@code weight (rows, inFeatures)}. */
    KeptWeightCopy(Tensor weight, int rowOffset, int outFeatures) {
        requireMatrix(weight);
        if (rowOffset < 0 || outFeatures < 0 || (long) rowOffset + outFeatures > weight.dim(0)) {
            throw new IllegalArgumentException("rowOffset, outFeatures: expected a block of rows inside weight "
                    + weight.shape() + " but got rows [" + rowOffset + ", " + ((long) rowOffset + outFeatures) + ")");
        }
        this.weight = weight;
        this.rowOffset = rowOffset;
        this.outFeatures = outFeatures;
        this.inFeatures = weight.dim(1);
    }

    static Tensor requireMatrix(Tensor weight) {
        Shapes.requireRank("weight", weight, 2, "(outFeatures, inFeatures)");
        return weight;
    }

    /** The weight this is derived from (its rows from {@link #sourceOffset}{@code / inFeatures}). */
    Tensor source() {
        return weight;
    }

    /** Where the block begins in {@code source().data()}: {@code rowOffset * inFeatures}. */
    int sourceOffset() {
        return rowOffset * inFeatures;
    }

    public int outFeatures() {
        return outFeatures;
    }

    public int inFeatures() {
        return inFeatures;
    }

    /** The copy, made again when the weight changed. Do not write it. */
    public float[] data() {
        long version = weight.version();
        Copy c = copy;
        if (c == null || c.version() != version) {
            c = new Copy(version, make(weight.data()));
            copy = c;
        }
        return c.data();
    }

    /** A fresh copy from the weight's current {@code data} (all of it; the block starts at {@link #sourceOffset}). */
    abstract float[] make(float[] weightData);
}
