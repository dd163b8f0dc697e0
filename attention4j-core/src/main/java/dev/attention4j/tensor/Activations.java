package dev.attention4j.tensor;

import dev.attention4j.kernels.Kernels;

/** The feed-forward non-linearities of the Transformer. */
public final class Activations {

    private Activations() {
    }

    /** {@code max(0, x)}, elementwise. */
    public static Tensor relu(Tensor x) {
        Tensor out = Tensor.zeros(x.shape());
        Kernels.active().relu(out.data(), 0, x.data(), 0, x.size());
        return out;
    }

    /** PyTorch's exact GELU, {@code x * Phi(x)}, elementwise. */
    public static Tensor gelu(Tensor x) {
        Tensor out = Tensor.zeros(x.shape());
        Kernels.active().gelu(out.data(), 0, x.data(), 0, x.size());
        return out;
    }

    /** Softmax over the last dim; a row of all {@code -inf} becomes zeros. */
    public static Tensor softmax(Tensor x) {
        Shapes.requireRank("x", x, Math.max(1, x.rank()), "(..., n)");
        Tensor out = x.copy();
        int n = x.rank() == 0 ? 1 : x.dim(-1);
        Kernels k = Kernels.active();
        for (int off = 0; off < out.size(); off += Math.max(1, n)) {
            k.softmax(out.data(), off, n);
        }
        return out;
    }
}
