package dev.attention4j.train;

import dev.attention4j.autograd.Gradients;
import dev.attention4j.kernels.Parallel;
import dev.attention4j.tensor.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** Gradient clipping, as {@code torch.nn.utils.clip_grad_norm_}. */
public final class GradientClipping {

    private GradientClipping() {
    }

    /**
     * Scales the gradients of {@code params} in place so that their global L2 norm is at most about
     * {@code maxNorm}, as {@code torch.nn.utils.clip_grad_norm_(params, maxNorm)}: with
     * {@code norm = sqrt(sum over every gradient element of g^2)} and {@code coef = maxNorm / (norm + 1e-6)},
     * every gradient is multiplied by {@code coef} when {@code coef < 1} (PyTorch multiplies by
     * {@code min(coef, 1)}, and multiplying by 1 changes nothing).
     *
     * <p>Parameters without a gradient are ignored. The sum of squares is accumulated in double: each gradient's over
     * four interleaved partial sums (elements {@code i mod 4}), added in that order, then the gradients' sums in the
     * map's order; gradients may be summed on different threads, but the result does not depend on the thread count.
     * A gradient buffer shared by two parameters is counted for each but scaled once.
     *
     * <p>A non-finite norm (an overflow or a NaN somewhere) leaves the gradients unchanged, where PyTorch would
     * multiply them by 0 or NaN: check the returned value and skip the optimizer step, as mixed-precision trainers do.
     *
     * @param params  the parameters by name, e.g. {@link dev.attention4j.nn.Module#namedParameters()}
     * @param grads   their gradients, scaled in place
     * @param maxNorm the largest norm allowed, finite and {@code > 0}
     * @return the global norm before clipping, rounded to float
     */
    public static float clipGlobalNorm(Map<String, Tensor> params, Gradients grads, float maxNorm) {
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(grads, "grads");
        if (!(maxNorm > 0f) || Float.isInfinite(maxNorm)) {
            throw new IllegalArgumentException("maxNorm: expected a finite value > 0 but got " + maxNorm);
        }
        List<float[]> present = new ArrayList<>();
        for (Tensor param : params.values()) {
            Tensor grad = grads.get(param);
            if (grad != null) {
                present.add(grad.data());
            }
        }
        double[] perParam = new double[present.size()];
        Parallel.forRange(perParam.length, 1, (start, end) -> {
            for (int i = start; i < end; i++) {
                perParam[i] = sumOfSquares(present.get(i));
            }
        });
        double sumOfSquares = 0;
        for (double s : perParam) {
            sumOfSquares += s;
        }
        float norm = (float) Math.sqrt(sumOfSquares);
        float coef = maxNorm / (norm + 1e-6f); // in float, as PyTorch computes it from its float32 norm
        if (Float.isFinite(norm) && coef < 1f) {
            Set<float[]> scaled = Collections.newSetFromMap(new IdentityHashMap<>());
            for (Tensor param : params.values()) {
                Tensor grad = grads.get(param);
                if (grad != null && scaled.add(grad.data())) {
                    float[] g = grad.data();
                    for (int i = 0; i < g.length; i++) {
                        g[i] *= coef;
                    }
                }
            }
        }
        return norm;
    }

    /** {@code sum g^2} in double, over four interleaved partial sums (one chain would wait on each addition). */
    private static double sumOfSquares(float[] g) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int i = 0;
        for (; i + 3 < g.length; i += 4) {
            s0 += (double) g[i] * g[i];
            s1 += (double) g[i + 1] * g[i + 1];
            s2 += (double) g[i + 2] * g[i + 2];
            s3 += (double) g[i + 3] * g[i + 3];
        }
        for (; i < g.length; i++) {
            s0 += (double) g[i] * g[i];
        }
        return (s0 + s1) + (s2 + s3);
    }
}
