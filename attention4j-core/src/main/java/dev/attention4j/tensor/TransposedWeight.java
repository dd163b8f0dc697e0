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
 * <p>Kept as {@link KeptWeightCopy} says: made at the first {@link #data()}, again after the weight changed.
 */
public final class TransposedWeight extends KeptWeightCopy {

    /** The transpose of all of {@code weight (outFeatures, inFeatures)}. */
    public TransposedWeight(Tensor weight) {
        this(weight, 0, requireMatrix(weight).dim(0));
    }

    /**
     * The transpose of rows {@code [rowOffset, rowOffset + outFeatures)} of {@code weight (rows, inFeatures)}, e.g.
     * the query, key or value block of a packed in-projection.
     */
    public TransposedWeight(Tensor weight, int rowOffset, int outFeatures) {
        super(weight, rowOffset, outFeatures);
    }

    /**
     * {@code (inFeatures, outFeatures)} row-major: element {@code [p, j]} is {@code weight[rowOffset + j, p]}. Made
     * again when the weight changed; otherwise the kept copy, with no allocation. Do not write it.
     */
    @Override
    public float[] data() {
        return super.data();
    }

    @Override
    float[] make(float[] w) {
        int outFeatures = outFeatures();
        int inFeatures = inFeatures();
        int first = sourceOffset();
        float[] t = new float[Math.multiplyExact(inFeatures, outFeatures)];
        for (int j = 0; j < outFeatures; j++) {
            int row = first + j * inFeatures;
            for (int p = 0; p < inFeatures; p++) {
                t[p * outFeatures + j] = w[row + p];
            }
        }
        return t;
    }
}
