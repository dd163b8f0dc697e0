package dev.attention4j.train;

import dev.attention4j.autograd.Gradients;
import dev.attention4j.tensor.Tensor;

import java.util.Map;

/**
 * Updates parameters in place from their gradients. An optimizer is not bound to a parameter set: each
 * {@link #step} receives the live parameters by name ({@link dev.attention4j.nn.Module#namedParameters()}) and
 * keeps its per-parameter state under those names, so the state saves and restores with the names alone.
 */
public interface Optimizer {

    /**
     * One update of every parameter in {@code params} that has a gradient in {@code grads} (looked up by tensor
     * identity). A parameter without a gradient is skipped entirely, as PyTorch skips a parameter whose
     * {@code .grad} is {@code None}: no update, no state created, and its own step count does not advance.
     *
     * @param params       the live parameters by name; updated in place
     * @param grads        their gradients; not modified
     * @param learningRate the learning rate for this step, {@code >= 0} (e.g. {@link LearningRateSchedule#at})
     */
    void step(Map<String, Tensor> params, Gradients grads, float learningRate);

    /** A copy of the optimizer's state as named tensors, ready to save; {@link #loadState} restores it exactly. */
    Map<String, Tensor> state();

    /**
     * Replaces the whole state with {@code state} (copied), as produced by {@link #state()}.
     *
     * @throws IllegalArgumentException if the names or shapes do not form a valid state (the message lists them);
     *                                  on failure nothing is changed
     */
    void loadState(Map<String, Tensor> state);

    /** How many times {@link #step} has run, including the steps restored by {@link #loadState}. */
    long steps();
}
