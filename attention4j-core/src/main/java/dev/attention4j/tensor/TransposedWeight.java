package dev.attention4j.tensor;

/**
 * The transpose of a linear map's weight (or of a block of its rows), made for products of a few rows at inference
 * and kept until the weight changes: {@code weight[rowOffset .. rowOffset + outFeatures) x inFeatures}, PyTorch's
 * {@code (outFeatures, inFeatures)} layout, as {@code (inFeatures, outFeatures)} row-major.
 *
 * <p>Why: the SIMD kernels compute {@code x W^T} by packing {@code W}'s columns with gathers on every call, which a
 * decoding step's one row cannot amortise; with {@code W^T} stored, {@link MatMul#linearTransposedInto} reads its rows
 * straight (contiguous loads, no packing for a row or two). Same bits: both products compute each output element by the
 * same in-order chain over the inner dimension (see {@code PackedGemm} and {@code ScalarKernels}).
 *
 * <p>The copy is made at the first {@link #data()} and made again when the weight's {@link Tensor#version()} has
 * changed since (an optimizer step, a state dict loaded, {@link Tensor#markModified()}). It costs as much memory as
 * the weight block. Safe to share between threads: a copy is published whole, and two threads that find it stale
 * may both make one (the same).
 */
public final class TransposedWeight {

    private final Tensor weight;
    private final int rowOffset;
    private final int outFeatures;
    private final int inFeatures;
    private volatile Copy copy;

    /** A transposed copy and the weight version it was made from. */
    private record Copy(long version, float[] data) {
    }

    /** The transpose of all of {@code weight (outFeatures, inFeatures)}. */
    public TransposedWeight(Tensor weight) {
        this(weight, 0, requireMatrix(weight).dim(0));
    }

    /**
     * The transpose of rows {@code [rowOffset, rowOffset + outFeatures)} of {@code weight (rows, inFeatures)}, e.g.
     * the query, key or value block of a packed in-projection.
     */
    public TransposedWeight(Tensor weight, int rowOffset, int outFeatures) {
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

    private static Tensor requireMatrix(Tensor weight) {
        Shapes.requireRank("weight", weight, 2, "(outFeatures, inFeatures)");
        return weight;
    }

    /** The weight this is the transpose of (its rows from {@link #sourceOffset}{@code / inFeatures}). */
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

    /**
     * {@code (inFeatures, outFeatures)} row-major: element {@code [p, j]} is {@code weight[rowOffset + j, p]}. Made
     * again when the weight changed; otherwise the kept copy, with no allocation. Do not write it.
     */
    public float[] data() {
        long version = weight.version();
        Copy c = copy;
        if (c == null || c.version() != version) {
            c = new Copy(version, transpose());
            copy = c;
        }
        return c.data();
    }

    private float[] transpose() {
        float[] w = weight.data();
        float[] t = new float[Math.multiplyExact(inFeatures, outFeatures)];
        for (int j = 0; j < outFeatures; j++) {
            int row = (rowOffset + j) * inFeatures;
            for (int p = 0; p < inFeatures; p++) {
                t[p * outFeatures + j] = w[row + p];
            }
        }
        return t;
    }
}
