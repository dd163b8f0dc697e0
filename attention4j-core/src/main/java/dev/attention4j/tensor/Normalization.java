package dev.attention4j.tensor;

import dev.attention4j.kernels.Kernels;
import dev.attention4j.kernels.Parallel;

/** Layer normalisation over the last dim. */
public final class Normalization {

    /** Target elements per parallel chunk of rows. */
    private static final int ROW_ELEMENTS_PER_CHUNK = 16384;

    private Normalization() {
    }

    /**
     * {@code (x - mean) / sqrt(var + eps) * gamma + beta} over the last dim, as {@code nn.LayerNorm}.
     *
     * @param x     {@code (..., d)}
     * @param gamma {@code (d)}
     * @param beta  {@code (d)}
     */
    public static Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps) {
        int d = gamma.size();
        Shapes.requireShape("gamma", gamma, Shape.of(d));
        Shapes.requireShape("beta", beta, Shape.of(d));
        if (x.rank() < 1 || x.dim(-1) != d) {
            throw new IllegalArgumentException("x: expected shape (..., " + d + ") to match the normalised shape ["
                    + d + "] but got " + x.shape());
        }
        Tensor out = Tensor.zeros(x.shape());
        int rows = d == 0 ? 0 : x.size() / d;
        layerNormInto(out.data(), 0, x.data(), 0, gamma.data(), beta.data(), rows, d, eps);
        return out;
    }

    /**
     * The kernel-level layer norm of {@code rows} contiguous rows of {@code d}, rows split across threads; {@code out}
     * may alias {@code x}. For callers that already validated shapes. Allocates nothing when the rows are not split
     * (a few rows, as in a one-token decoding step, or one thread).
     */
    public static void layerNormInto(float[] out, int outOff, float[] x, int xOff, float[] gamma, float[] beta,
                                     int rows, int d, float eps) {
        Kernels k = Kernels.active();
        int grain = Math.max(1, ROW_ELEMENTS_PER_CHUNK / Math.max(1, d));
        if (!Parallel.splits(rows, grain)) { // one chunk on this thread: no task, no lambda
            k.layerNorm(out, outOff, x, xOff, gamma, beta, rows, d, eps);
            return;
        }
        Parallel.forRange(rows, grain, (start, end) -> k.layerNorm(out, outOff + start * d, x, xOff + start * d,
                gamma, beta, end - start, d, eps));
    }
}
