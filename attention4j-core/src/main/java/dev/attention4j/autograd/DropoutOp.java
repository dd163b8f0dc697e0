package dev.attention4j.autograd;

import dev.attention4j.kernels.DropoutHash;
import dev.attention4j.kernels.Kernels;
import dev.attention4j.kernels.Parallel;
import dev.attention4j.tensor.Tensor;

/**
 * Inverted dropout: element {@code i} is kept with probability {@code 1 - p} and scaled by {@code 1 / (1 - p)},
 * else zeroed. Whether it is kept is a pure function of {@code (seed, i)} (a counter-based hash), so masks do not
 * depend on thread scheduling and backward recomputes the mask instead of storing it.
 * Backward: {@code dx = dy * mask / (1 - p)}.
 */
public final class DropoutOp {

    /** Elements per parallel chunk: a hash and a multiply each. */
    private static final int ELEMENTS_PER_CHUNK = 1 << 15;

    private DropoutOp() {
    }

    /** Dropout of {@code x} under {@code seed}; {@code p = 0} returns {@code x} itself. */
    public static Tensor apply(Tape tape, Tensor x, float p, long seed) {
        if (p == 0f) {
            return x;
        }
        Tensor y = x.copy();
        applySplit(y.data(), p, seed);
        if (tape != null) {
            tape.record(grads -> {
                Tensor dy = grads.get(y);
                if (dy != null) {
                    Tensor dx = dy.copy();
                    applySplit(dx.data(), p, seed);
                    grads.add(x, dx);
                }
            });
        }
        return y;
    }

    /**
     * Dropout in place on the whole of {@code x}, split across threads: each element's fate is a function of its
     * index alone, so the bits do not depend on the split.
     */
    private static void applySplit(float[] x, float p, long seed) {
        Parallel.forRange(x.length, ELEMENTS_PER_CHUNK, (start, end) -> applyInPlace(x, start, end - start, start, p,
                seed));
    }

    /** Dropout in place on {@code x[off .. off+n)}, element {@code i} hashed as {@code firstIndex + i}. */
    public static void applyInPlace(float[] x, int off, int n, long firstIndex, float p, long seed) {
        Kernels.active().dropout(x, off, n, firstIndex, DropoutHash.mix(seed), DropoutHash.threshold(p), 1f / (1f - p));
    }

    /** Whether element {@code index} survives dropout {@code p} under {@code seed}. */
    public static boolean keeps(long seed, long index, float p) {
        return DropoutHash.kept(DropoutHash.mix(seed), index, DropoutHash.threshold(p));
    }
}
