package dev.attention4j.tensor;

import dev.attention4j.kernels.Kernels;

/** Element-by-element arithmetic on tensors of equal shape. */
public final class Elementwise {

    private Elementwise() {
    }

    /** {@code a + b}, shapes equal (the residual connection). */
    public static Tensor add(Tensor a, Tensor b) {
        Shapes.requireShape("b", b, a.shape());
        Tensor out = Tensor.zeros(a.shape());
        Kernels.active().add(out.data(), 0, a.data(), 0, b.data(), 0, a.size());
        return out;
    }

    /** {@code alpha * x}. */
    public static Tensor scale(Tensor x, float alpha) {
        Tensor out = Tensor.zeros(x.shape());
        Kernels.active().scale(out.data(), 0, x.data(), 0, alpha, x.size());
        return out;
    }
}
