package dev.attention4j.tensor;

import dev.attention4j.kernels.RowPanels;

/**
 * A linear map's weight (or a block of its rows) packed in {@link RowPanels} for products of a few rows at inference
 * ({@link MatMul#PANEL_ROWS} or fewer: a short sentence through an encoder), kept until the weight changes:
 * {@code weight[rowOffset .. rowOffset + outFeatures) x inFeatures}, PyTorch's {@code (outFeatures, inFeatures)}.
 *
 * <p>Why: reading {@code W} in place, a few-rows product streams one row of {@code W} per row of its register block;
 * packed, all of them come as one stream, which ran 1.2-1.4x faster per product (see {@code RowPanels}). Same bits:
 * every output element is the same in-order chain over the inner dimension either way.
 *
 * <p>Held only by modules that were frozen ({@code Linear.freeze()} and the modules built on it): a copy that outlives
 * the call is safe only for weights that do not change behind the library's back, which an unfrozen module's may (a
 * test that edited a tied embedding's {@code data()} in place caught exactly that). Kept as {@link TransposedWeight}
 * is: made at the first {@link #data()} and made again when the weight's
 * {@link Tensor#version()} has changed since (an optimizer step, a state dict loaded, {@link Tensor#markModified()}),
 * so code that writes a weight's {@code data()} itself must call {@code markModified()}, as for the transposed copies
 * of decoding. Costs as much memory as the weight block. Safe to share between threads: a copy is published whole,
 * and two threads that find it stale may both make one (the same).
 */
public final class PanelWeight {

    private final Tensor weight;
    private final int rowOffset;
    private final int outFeatures;
    private final int inFeatures;
    private volatile Copy copy;

    /** A packed copy and the weight version it was made from. */
    private record Copy(long version, float[] data) {
    }

    /** The packed form of all of {@code weight (outFeatures, inFeatures)}. */
    public PanelWeight(Tensor weight) {
        this(weight, 0, requireMatrix(weight).dim(0));
    }

    /** The packed form of rows {@code [rowOffset, rowOffset + outFeatures)} of {@code weight (rows, inFeatures)}. */
    public PanelWeight(Tensor weight, int rowOffset, int outFeatures) {
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

    /** The weight this is the packed form of (its rows from {@link #sourceOffset}{@code / inFeatures}). */
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
     * The block in {@link RowPanels}' layout ({@code RowPanels.size(outFeatures, inFeatures)} floats). Made again
     * when the weight changed; otherwise the kept copy, with no allocation. Do not write it.
     */
    public float[] data() {
        long version = weight.version();
        Copy c = copy;
        if (c == null || c.version() != version) {
            float[] packed = new float[RowPanels.size(outFeatures, inFeatures)];
            RowPanels.pack(packed, weight.data(), sourceOffset(), outFeatures, inFeatures);
            c = new Copy(version, packed);
            copy = c;
        }
        return c.data();
    }
}
