package dev.attention4j.autograd;

import dev.attention4j.kernels.Kernels;
import dev.attention4j.tensor.Shapes;
import dev.attention4j.tensor.Tensor;

import java.util.IdentityHashMap;
import java.util.Map;

/** Gradients of a scalar loss with respect to tensors, keyed by tensor identity. */
public final class Gradients {

    private final Map<Tensor, Tensor> grads = new IdentityHashMap<>();

    /** The gradient of {@code t}, or null if nothing flowed into it. */
    public Tensor get(Tensor t) {
        return grads.get(t);
    }

    /**
     * Adds {@code grad} to the gradient of {@code t}. The first gradient of a tensor is kept as is (not copied):
     * callers pass freshly computed buffers and never touch them again.
     */
    public void add(Tensor t, Tensor grad) {
        Shapes.requireShape("gradient of " + t.shape() + " tensor", grad, t.shape());
        Tensor existing = grads.get(t);
        if (existing == null) {
            grads.put(t, grad);
        } else {
            Kernels.active().add(existing.data(), 0, existing.data(), 0, grad.data(), 0, grad.size());
        }
    }

    /** The number of tensors that received a gradient. */
    public int size() {
        return grads.size();
    }
}
