package dev.attention4j.nn;

/**
 * Whether a forward pass is inference (no dropout) or training (dropout on, driven by a seed). Modules take the
 * mode as an argument instead of keeping a {@code train()}/{@code eval()} flag, so one model can serve both at once
 * and a training step is reproducible from its seed alone.
 */
public sealed interface Mode {

    /** No dropout. */
    Mode INFERENCE = new Inference();

    /** Dropout on, with masks derived from {@code seed}: the same seed gives the same masks at any thread count. */
    static Mode training(long seed) {
        return new Training(seed);
    }

    /**
     * The mode for the {@code index}-th sub-part of a module (each dropout site gets its own stream). Inference
     * stays inference.
     */
    Mode child(int index);

    /** Inference: dropout is the identity. */
    record Inference() implements Mode {
        @Override
        public Mode child(int index) {
            return this;
        }
    }

    /** Training with dropout masks derived from {@code seed}. */
    record Training(long seed) implements Mode {
        @Override
        public Mode child(int index) {
            return new Training(Dropout.mix(seed * 0x9E3779B97F4A7C15L + index + 1));
        }
    }
}
