package dev.attention4j.tensor;

import dev.attention4j.kernels.KeptPanels;
import dev.attention4j.kernels.RowPanels;

/**
 * A linear map's weight (or a block of its rows) packed in {@link RowPanels} for products at inference, of any number
 * of rows, kept until the weight changes: {@code weight[rowOffset .. rowOffset + outFeatures) x inFeatures},
 * PyTorch's {@code (outFeatures, inFeatures)}.
 *
 * <p>Why: on {@code W} itself the register-blocked GEMM packs it into panels at every call, with a gather per
 * vector (or, for a few rows, reads it in place, one stream per row of {@code W} in its register block); on this copy
 * it reads the panels as they are (see {@code RowPanels}), 1.1-2x faster per product. Same bits: every output element
 * is the same in-order chain over the inner dimension either way.
 *
 * <p>Cost: one weight-sized copy per weight, made at the first product whatever its number of rows (so also by a
 * frozen model that only ever sees long inputs).
 *
 * <p>Held only by modules that were frozen ({@code Linear.freeze()} and the modules built on it): a copy that outlives
 * the call is safe only for weights that do not change behind the library's back, which an unfrozen module's may (a
 * test that edited a tied embedding's {@code data()} in place caught exactly that). Kept as {@link KeptWeightCopy}
 * says (made at the first {@link #data()}, again after the weight's version changed), so code that writes a weight's
 * {@code data()} itself must call {@code markModified()}, as for the transposed copies of decoding.
 */
public final class PanelWeight extends KeptWeightCopy {

    /** The packed form of all of {@code weight (outFeatures, inFeatures)}. */
    public PanelWeight(Tensor weight) {
        this(weight, 0, requireMatrix(weight).dim(0));
    }

    /** The packed form of rows {@code [rowOffset, rowOffset + outFeatures)} of {@code weight (rows, inFeatures)}. */
    public PanelWeight(Tensor weight, int rowOffset, int outFeatures) {
        super(weight, rowOffset, outFeatures);
    }

    /**
     * The block in {@link RowPanels}' layout ({@code RowPanels.size(outFeatures, inFeatures)} floats). Made again
     * when the weight changed; otherwise the kept copy, with no allocation. Do not write it.
     */
    @Override
    public float[] data() {
        return super.data();
    }

    @Override
    float[] make(float[] w) {
        float[] packed = new float[RowPanels.size(outFeatures(), inFeatures())];
        RowPanels.pack(packed, w, sourceOffset(), outFeatures(), inFeatures());
        KeptPanels.kept(packed);
        return packed;
    }
}
