package dev.attention4j.nn;

import dev.attention4j.autograd.ActivationOp;
import dev.attention4j.autograd.Tape;
import dev.attention4j.kernels.Kernels;
import dev.attention4j.tensor.Activations;
import dev.attention4j.tensor.Tensor;

/** The feed-forward non-linearity: the paper's ReLU, or GELU as BERT and GPT use. */
public enum Activation {
    RELU,
    GELU;

    /** The activation, recorded on {@code tape} when it is not null. */
    public Tensor apply(Tape tape, Tensor x) {
        return switch (this) {
            case RELU -> ActivationOp.relu(tape, x);
            case GELU -> ActivationOp.gelu(tape, x);
        };
    }

    /**
     * The activation written over {@code x} (a tensor nothing else needs, at inference), split across threads as
     * {@link #apply}: the same bits, no new array. Returns {@code x}.
     */
    public Tensor applyInPlace(Tensor x) {
        return switch (this) {
            case RELU -> Activations.reluInPlace(x);
            case GELU -> Activations.geluInPlace(x);
        };
    }

    /**
     * The activation of {@code x[0 .. n)} in place, at inference: the kernel of {@link #apply}, so the same bits,
     * allocating nothing.
     */
    public void applyInPlace(float[] x, int n) {
        Kernels k = Kernels.active();
        switch (this) {
            case RELU -> k.relu(x, 0, x, 0, n);
            case GELU -> k.gelu(x, 0, x, 0, n);
        }
    }

    /** PyTorch's spelling, {@code "relu"} or {@code "gelu"}. */
    public static Activation fromTorchName(String name) {
        return switch (name) {
            case "relu" -> RELU;
            case "gelu" -> GELU;
            default -> throw new IllegalArgumentException("activation: expected \"relu\" or \"gelu\" but got \"" + name + "\"");
        };
    }
}
