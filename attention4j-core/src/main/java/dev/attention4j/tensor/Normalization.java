package dev.attention4j.tensor;

import dev.attention4j.kernels.Kernels;
import dev.attention4j.kernels.Parallel;

/** Layer normalisation over the last dim. */
public final class Normalization {

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
        Kernels k = Kernels.active();
        Parallel.forRange(rows, Math.max(1, 16384 / Math.max(1, d)), (start, end) -> k.layerNorm(out.data(),
                start * d, x.data(), start * d, gamma.data(), beta.data(), end - start, d, eps));
        return out;
    }
}
