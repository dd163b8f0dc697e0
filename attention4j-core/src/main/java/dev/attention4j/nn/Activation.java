package dev.attention4j.nn;

import dev.attention4j.autograd.ActivationOp;
import dev.attention4j.autograd.Tape;
import dev.attention4j.tensor.MatMul;
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
     * This activation as the epilogue of a linear map's product
     * ({@link MatMul#linear(Tensor, Tensor, Tensor, MatMul.Epilogue)}): the same kernel, so the same bits.
     */
    public MatMul.Epilogue epilogue() {
        return switch (this) {
            case RELU -> MatMul.Epilogue.RELU;
            case GELU -> MatMul.Epilogue.GELU;
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
