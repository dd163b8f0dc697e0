package dev.attention4j.tensor;

import dev.attention4j.kernels.Kernels;

/** Element-by-element arithmetic on tensors of equal shape. */
public final class Elementwise {

    private Elementwise() {
    }

    /** {@code a + b}, shapes equal (the residual connection). */
    public static Tensor add(Tensor a, Tensor b) {
        Shapes.requireShape("b", b, a.shape());
        Tensor out = Tensor.forOverwrite(a.shape()); // every element written below
        addInto(out.data(), a.data(), b.data(), a.size());
        return out;
    }

    /**
     * {@code out[i] = a[i] + b[i]} over the first {@code n} elements of caller-owned arrays ({@code out} may be
     * {@code a} or {@code b}): the kernel of {@link #add}, allocating nothing. For callers that already checked sizes.
     */
    public static void addInto(float[] out, float[] a, float[] b, int n) {
        Kernels.active().add(out, 0, a, 0, b, 0, n);
    }

    /** {@code alpha * x}. */
    public static Tensor scale(Tensor x, float alpha) {
        Tensor out = Tensor.forOverwrite(x.shape()); // every element written below
        Kernels.active().scale(out.data(), 0, x.data(), 0, alpha, x.size());
        return out;
    }
}
