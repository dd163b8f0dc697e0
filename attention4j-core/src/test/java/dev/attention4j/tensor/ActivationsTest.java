package dev.attention4j.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attention4j.kernels.Kernels;
import dev.attention4j.kernels.Parallel;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The elementwise activations split across threads give the bits of the kernel run once over the whole tensor, at any
 * thread count, on sizes that end mid-chunk and mid-vector.
 */
class ActivationsTest {

    private static final int[] SIZES = {0, 1, 63, Activations.CHUNK - 1, Activations.CHUNK + 1,
        3 * Activations.CHUNK + 37};

    @Test
    void geluSplitEqualsTheWholeKernelAtAnyThreadCount() {
        assertSplitEqualsWhole("gelu", Activations::gelu, (out, x) -> Kernels.active().gelu(out, 0, x, 0, x.length));
    }

    @Test
    void reluSplitEqualsTheWholeKernelAtAnyThreadCount() {
        assertSplitEqualsWhole("relu", Activations::relu, (out, x) -> Kernels.active().relu(out, 0, x, 0, x.length));
    }

    @FunctionalInterface
    private interface WholeKernel {
        void run(float[] out, float[] x);
    }

    private static void assertSplitEqualsWhole(String what, UnaryOperator<Tensor> op, WholeKernel whole) {
        int saved = Parallel.threads();
        try {
            for (int n : SIZES) {
                Tensor x = Tensor.randn(n, n);
                for (int i = 0; i < n; i++) {
                    x.data()[i] *= 3f; // reach the tails of erf and the zero of relu
                }
                float[] expected = new float[n];
                whole.run(expected, x.data());
                for (int threads : new int[] {1, 2, 3}) {
                    Parallel.setThreads(threads);
                    Tensor y = op.apply(x);
                    assertThat(y.shape()).isEqualTo(x.shape());
                    for (int i = 0; i < n; i++) {
                        if (Float.floatToRawIntBits(y.data()[i]) != Float.floatToRawIntBits(expected[i])) {
                            throw new AssertionError(what + " of " + n + " elements at " + threads + " threads:"
                                    + " element " + i + " is " + y.data()[i] + ", the whole kernel gives "
                                    + expected[i]);
                        }
                    }
                }
            }
        } finally {
            Parallel.setThreads(saved);
        }
    }
}
