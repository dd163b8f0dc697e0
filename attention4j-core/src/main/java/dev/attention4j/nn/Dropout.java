package dev.attention4j.nn;

import dev.attention4j.autograd.DropoutOp;
import dev.attention4j.tensor.Tensor;

/**
 * Dropout as a module-level step: the identity at inference; in training, {@link DropoutOp} with the mode's seed
 * (recorded on the mode's tape, if any).
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
        return DropoutOp.apply(training.tape(), x, p, training.seed());
    }
}
