package dev.attention4j.tensor;

import dev.attention4j.kernels.Kernels;
import dev.attention4j.kernels.Parallel;

/**
 * The feed-forward non-linearities of the Transformer. The elementwise ones split large tensors across threads in
 * chunks of {@value #CHUNK} elements, a multiple of every vector length, so every element takes the same kernel path
 * (vector body or scalar tail) as unsplit, and the bits do not depend on the split or the thread count.
 */
public final class Activations {

    /**
     * Elements per chunk: a multiple of 64 (the most float lanes of any species). A profile of BERT inference on 4,096
     * tokens per batch put GELU over a 1536-wide hidden layer at about 6% of the time, all of it on one thread.
     */
    static final int CHUNK = 16384;

    private Activations() {
    }

    /** {@code max(0, x)}, elementwise. */
    public static Tensor relu(Tensor x) {
        Tensor out = Tensor.zeros(x.shape());
        float[] o = out.data();
        float[] in = x.data();
        Kernels k = Kernels.active();
        Parallel.forRange(x.size(), CHUNK, (start, end) -> k.relu(o, start, in, start, end - start));
        return out;
    }

    /** PyTorch's exact GELU, {@code x * Phi(x)}, elementwise. */
    public static Tensor gelu(Tensor x) {
        Tensor out = Tensor.zeros(x.shape());
        float[] o = out.data();
        float[] in = x.data();
        Kernels k = Kernels.active();
        Parallel.forRange(x.size(), CHUNK, (start, end) -> k.gelu(o, start, in, start, end - start));
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
