package dev.attention4j.autograd;

/** One recorded op's backward pass: read the gradient of its output, add the gradients of its inputs. */
@FunctionalInterface
public interface Node {

    /** Accumulates input gradients into {@code grads}; does nothing if no gradient reached the output. */
    void backward(Gradients grads);
}
