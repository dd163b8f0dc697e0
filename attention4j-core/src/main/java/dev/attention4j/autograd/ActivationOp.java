package dev.attention4j.autograd;

import dev.attention4j.kernels.Erf;
import dev.attention4j.kernels.Parallel;
import dev.attention4j.tensor.Activations;
import dev.attention4j.tensor.Tensor;

/**
 * The feed-forward non-linearities, elementwise.
 * <ul>
 *   <li>{@code relu(x) = max(0, x)}; backward {@code dx = dy} where {@code x > 0}, else 0 (PyTorch's choice at 0).
 *   <li>{@code gelu(x) = x Phi(x)}, {@code Phi(x) = (1 + erf(x / sqrt 2)) / 2} (PyTorch's exact GELU); backward
 *       {@code dx = dy * (Phi(x) + x phi(x))}, {@code phi(x) = exp(-x^2 / 2) / sqrt(2 pi)}, with the forward's
 *       {@link Erf#erf}.
 * </ul>
 */
public final class ActivationOp {

    /** Elements per parallel chunk of the backward. */
    private static final int GRAIN = 16384;
    private static final float INV_SQRT2 = 0.70710678118654752f;
    private static final float INV_SQRT_2PI = 0.39894228040143268f;

    private ActivationOp() {
    }

    /** {@code max(0, x)}: any shape to the same shape. */
    public static Tensor relu(Tape tape, Tensor x) {
        return recordBackward(tape, x, Activations.relu(x), (xi, dyi) -> xi > 0f ? dyi : 0f);
    }

    /** {@code x Phi(x)}: any shape to the same shape. */
    public static Tensor gelu(Tape tape, Tensor x) {
        return recordBackward(tape, x, Activations.gelu(x), (xi, dyi) -> dyi * geluDerivative(xi));
    }

    /** {@code dx[i]} from {@code x[i]} and {@code dy[i]}. */
    @FunctionalInterface
    private interface ElementBackward {
        float dx(float x, float dy);
    }

    /** Records the elementwise backward {@code dx = rule(x, dy)} of {@code y = f(x)} and returns {@code y}. */
    private static Tensor recordBackward(Tape tape, Tensor x, Tensor y, ElementBackward rule) {
        if (tape != null) {
            tape.record(grads -> {
                Tensor dyT = grads.get(y);
                if (dyT == null) {
                    return;
                }
                float[] dy = dyT.data();
                float[] xs = x.data();
                Tensor dxT = Tensor.zeros(x.shape());
                float[] dx = dxT.data();
                Parallel.forRange(dx.length, GRAIN, (start, end) -> {
                    for (int i = start; i < end; i++) {
                        dx[i] = rule.dx(xs[i], dy[i]);
                    }
                });
                grads.add(x, dxT);
            });
        }
        return y;
    }

    /** {@code Phi(x) + x phi(x)}; the second term is dropped once {@code phi} underflows (so infinities give 0 or 1). */
    static float geluDerivative(float x) {
        float cdf = 0.5f * (1f + Erf.erf(x * INV_SQRT2));
        float pdf = (float) Math.exp(-0.5 * x * x) * INV_SQRT_2PI;
        return pdf == 0f ? cdf : cdf + x * pdf;
    }
}
