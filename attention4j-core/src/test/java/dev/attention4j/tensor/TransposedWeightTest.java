package dev.attention4j.tensor;

import dev.attention4j.autograd.Gradients;
import dev.attention4j.kernels.Parallel;
import dev.attention4j.train.Adam;
import dev.attention4j.train.AdamConfig;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * {@link MatMul#linearTransposedInto} on a kept {@link TransposedWeight} gives the bits of {@link MatMul#linearInto}
 * on the weight itself (the oracle: the product a model's normal forward computes), for the active kernels, at row
 * counts on both sides of {@link MatMul#FEW_ROWS}, ragged widths, a block of a packed weight, with and without a
 * bias, split across threads or not; and the copy follows the weight when it changes.
 */
class TransposedWeightTest {

    static float[] random(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return a;
    }

    static void assertSameBits(String what, float[] expected, float[] actual) {
        assertThat(actual.length).isEqualTo(expected.length);
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                fail(what + ": index " + i + ": linearInto gave " + expected[i] + " but linearTransposedInto "
                        + actual[i]);
            }
        }
    }

    @Test
    void givesTheBitsOfLinearIntoOnTheWeight() {
        SplittableRandom r = new SplittableRandom(11);
        int[][] shapes = {{1, 1, 1}, {3, 17, 5}, {5, 3, 1}, {1, 300, 257}, {33, 40, 31}, {8, 1030, 129}};
        for (int threads : new int[] {1, 2}) {
            int before = Parallel.threads();
            try {
                Parallel.setThreads(threads);
                for (int[] s : shapes) {
                    for (int rows : new int[] {1, 2, 3, 4, 8, MatMul.FEW_ROWS, MatMul.FEW_ROWS + 1}) {
                        int blocks = 3; // a packed weight: (3 * out, in), the middle block used
                        int out = s[1];
                        int in = s[2];
                        Tensor weight = Tensor.of(random(r, blocks * out * in), blocks * out, in);
                        float[] bias = random(r, blocks * out);
                        float[] x = random(r, 2 + rows * in);
                        TransposedWeight t = new TransposedWeight(weight, out, out);
                        for (float[] b : new float[][] {null, bias}) {
                            String what = threads + " threads, " + rows + " x " + in + " -> " + out
                                    + (b == null ? "" : ", bias");
                            float[] expected = new float[1 + rows * out];
                            float[] actual = new float[1 + rows * out];
                            MatMul.linearInto(expected, 1, x, 2, weight.data(), out * in, b, out, rows, out, in);
                            MatMul.linearTransposedInto(actual, 1, x, 2, t, b, out, rows);
                            assertSameBits(what, expected, actual);
                        }
                    }
                }
            } finally {
                Parallel.setThreads(before);
            }
        }
    }

    @Test
    void theCopyIsKeptUntilTheWeightChangesThenMadeAgain() {
        SplittableRandom r = new SplittableRandom(12);
        int out = 9;
        int in = 7;
        Tensor weight = Tensor.of(random(r, out * in), out, in);
        TransposedWeight t = new TransposedWeight(weight);
        float[] first = t.data();
        assertThat(t.data()).as("unchanged weight: the same copy").isSameAs(first);
        for (int j = 0; j < out; j++) {
            for (int p = 0; p < in; p++) {
                assertThat(first[p * out + j]).isEqualTo(weight.get(j, p));
            }
        }
        float[] x = random(r, in);

        weight.set(5f, 2, 3); // through the library: marks the tensor modified
        assertThat(t.data()[3 * out + 2]).isEqualTo(5f);
        assertProductFollows("after Tensor.set", weight, t, x);

        weight.data()[4 * in + 1] = -3f; // written directly: the writer marks it
        weight.markModified();
        assertThat(t.data()[out + 4]).isEqualTo(-3f);
        assertProductFollows("after markModified", weight, t, x);

        Tensor viewOfTheSameData = weight.reshape(out * in);
        viewOfTheSameData.set(7f, 0); // a view shares the version
        assertThat(t.data()[0]).isEqualTo(7f);

        Gradients grads = new Gradients();
        grads.add(weight, Tensor.of(random(r, out * in), out, in));
        new Adam(AdamConfig.pytorchAdam()).step(Map.of("w", weight), grads, 0.1f);
        assertProductFollows("after an Adam step", weight, t, x);
    }

    private static void assertProductFollows(String what, Tensor weight, TransposedWeight t, float[] x) {
        float[] expected = new float[t.outFeatures()];
        float[] actual = new float[t.outFeatures()];
        MatMul.linearInto(expected, 0, x, 0, weight.data(), 0, null, 0, 1, t.outFeatures(), t.inFeatures());
        MatMul.linearTransposedInto(actual, 0, x, 0, t, null, 0, 1);
        assertSameBits(what, expected, actual);
    }

    @Test
    void badArgumentsAreClearErrors() {
        Tensor weight = Tensor.zeros(4, 3);
        assertThatThrownBy(() -> new TransposedWeight(Tensor.zeros(12))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("weight");
        assertThatThrownBy(() -> new TransposedWeight(weight, 2, 3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rows [2, 5)");
        TransposedWeight t = new TransposedWeight(weight);
        assertThatThrownBy(() -> MatMul.linearTransposedInto(new float[7], 0, new float[6], 0, t, null, 0, 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("y.length = 7");
        assertThatThrownBy(() -> MatMul.linearTransposedInto(new float[8], 0, new float[6], 0, t, new float[3], 0, 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bias.length = 3");
    }
}
