package dev.attention4j.autograd;

import dev.attention4j.tensor.Elementwise;
import dev.attention4j.tensor.Tensor;

/** {@code y = a + b}, shapes equal (the residual connection). Backward: {@code da = db = dy}. */
public final class AddOp {

    private AddOp() {
    }

    /**
     * @param tape where to record the backward pass, or null at inference
     * @param a    any shape
     * @param b    the shape of {@code a}
     * @return {@code a + b}, a new tensor of that shape
     */
    public static Tensor apply(Tape tape, Tensor a, Tensor b) {
        if (a == null || b == null) {
            throw new NullPointerException((a == null ? "a" : "b") + " must not be null");
        }
        if (!a.shape().equals(b.shape())) {
            throw new IllegalArgumentException("add: expected a and b to have the same shape but a has shape "
                    + a.shape() + " and b has shape " + b.shape());
        }
        Tensor y = Elementwise.add(a, b);
        if (tape != null) {
            tape.record(grads -> backward(grads, y, a, b));
        }
        return y;
    }

    private static void backward(Gradients grads, Tensor y, Tensor a, Tensor b) {
        Tensor dy = grads.get(y);
        if (dy == null) {
            return;
        }
        // Copies: Gradients keeps what it is given and may accumulate into it, so a and b never share a buffer.
        grads.add(a, dy.copy());
        grads.add(b, dy.copy());
    }
}
