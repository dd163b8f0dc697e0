package dev.attention4j.nn;

import dev.attention4j.tensor.Tensor;

/**
 * Inverted dropout: during training each element is kept with probability {@code 1 - p} and scaled by
 * {@code 1 / (1 - p)}; at inference it is the identity. Whether element {@code i} is kept is a pure function of the
 * seed and {@code i} (a counter-based hash), so masks do not depend on thread scheduling.
 */
public final class Dropout {

    private Dropout() {
    }

    /** Checks {@code 0 <= p < 1}. */
    public static float requireProbability(String name, float p) {
        if (!(p >= 0f && p < 1f)) {
            throw new IllegalArgumentException(name + ": expected a dropout probability in [0, 1) but got " + p);
        }
        return p;
    }

    /** Applies dropout with probability {@code p} under {@code mode}; returns {@code x} itself when nothing drops. */
    public static Tensor apply(Tensor x, float p, Mode mode) {
        if (!(mode instanceof Mode.Training training) || p == 0f) {
            return x;
        }
        Tensor out = x.copy();
        applyInPlace(out.data(), 0, out.size(), 0L, p, training.seed());
        return out;
    }

    /**
     * Dropout in place on {@code x[off .. off+n)}, element {@code i} using hash index {@code firstIndex + i}.
     */
    public static void applyInPlace(float[] x, int off, int n, long firstIndex, float p, long seed) {
        float scale = 1f / (1f - p);
        for (int i = 0; i < n; i++) {
            x[off + i] = keeps(seed, firstIndex + i, p) ? x[off + i] * scale : 0f;
        }
    }

    /** Whether element {@code index} survives dropout {@code p} under {@code seed}. */
    public static boolean keeps(long seed, long index, float p) {
        long h = mix(seed ^ mix(index + 0x632BE59BD9B4E019L));
        double u = (h >>> 11) * 0x1.0p-53;
        return u >= p;
    }

    /** SplitMix64's finaliser: a fast, well-mixed 64-bit hash. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
