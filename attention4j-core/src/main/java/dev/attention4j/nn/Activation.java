package dev.attention4j.nn;

import dev.attention4j.tensor.Activations;
import dev.attention4j.tensor.Tensor;

/** The feed-forward non-linearity: the paper's ReLU, or GELU as BERT and GPT use. */
public enum Activation {
    RELU,
    GELU;

    public Tensor apply(Tensor x) {
        return switch (this) {
            case RELU -> Activations.relu(x);
            case GELU -> Activations.gelu(x);
        };
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
