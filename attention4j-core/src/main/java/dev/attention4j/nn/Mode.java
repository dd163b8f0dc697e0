package dev.attention4j.nn;

import dev.attention4j.autograd.Tape;
import dev.attention4j.kernels.DropoutHash;

/**
 * Whether a forward pass is inference (no dropout, nothing recorded) or training (dropout driven by a seed, and,
 * with a {@link Tape}, every op recorded for backward). Modules take the mode as an argument instead of keeping a
 * {@code train()}/{@code eval()} flag, so one model can serve both at once and a training step is reproducible from
 * its seed alone.
 */
public sealed interface Mode {

    /** No dropout, nothing recorded. */
    Mode INFERENCE = new Inference();

    /** Dropout on, with masks derived from {@code seed}; nothing recorded (no gradients). */
    static Mode training(long seed) {
        return new Training(seed, null);
    }

    /** Dropout on, with masks derived from {@code seed}, and every op recorded on {@code tape} for backward. */
    static Mode training(long seed, Tape tape) {
        return new Training(seed, tape);
    }

    /**
     * The mode for the {@code index}-th sub-part of a module (each dropout site gets its own stream, the tape is
     * shared). Inference stays inference.
     */
    Mode child(int index);

    /** The tape ops record on, or null. */
    Tape tape();

    /** Inference: dropout is the identity, nothing is recorded. */
    record Inference() implements Mode {
        @Override
        public Mode child(int index) {
            return this;
        }

        @Override
        public Tape tape() {
            return null;
        }
    }

    /** Training with dropout masks derived from {@code seed}; {@code tape} may be null (no gradients). */
    record Training(long seed, Tape tape) implements Mode {
        @Override
        public Mode child(int index) {
            return new Training(DropoutHash.mix(seed * 0x9E3779B97F4A7C15L + index + 1), tape);
        }
    }
}
