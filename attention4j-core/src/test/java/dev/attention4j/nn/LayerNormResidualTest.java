package dev.attention4j.nn;

import dev.attention4j.kernels.WithThreads;
import dev.attention4j.tensor.Elementwise;
import dev.attention4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link LayerNorm#forwardResidualInto} (the residual add done inside the norm's chunks of rows) gives the bits of the
 * add followed by {@link LayerNorm#forwardInto}, at one and two threads and at row counts that make one chunk and many;
 * the sum is left in {@code x}; buffers too small for the rows are refused with the expected shape.
 */
class LayerNormResidualTest {

    @Test
    void residualInsideTheNormGivesTheBitsOfAddThenNorm() {
        SplittableRandom random = new SplittableRandom(3);
        int dim = 384;
        LayerNorm norm = new LayerNorm(dim, 1e-12f);
        java.util.Map<String, Tensor> parameters = new java.util.HashMap<>();
        norm.collectParameters("", parameters);
        fill(random, parameters.get("weight").data()); // not the ones and zeros they start as
        fill(random, parameters.get("bias").data());
        for (int rows : new int[] {1, 7, 128, 1000}) {
            float[] x = new float[rows * dim];
            float[] residual = new float[rows * dim];
            fill(random, x);
            fill(random, residual);
            float[] sum = x.clone();
            Elementwise.addInto(sum, sum, residual, sum.length);
            float[] expected = new float[sum.length];
            norm.forwardInto(expected, sum, rows);
            for (int threads : new int[] {1, 2}) {
                float[] xs = x.clone();
                float[] y = new float[xs.length];
                WithThreads.run(threads, () -> norm.forwardResidualInto(y, xs, residual, rows));
                assertThat(y).as("rows %d, threads %d", rows, threads).isEqualTo(expected);
                assertThat(xs).as("the sum left in x").isEqualTo(sum);
                float[] inPlace = x.clone();
                WithThreads.run(threads, () -> norm.forwardResidualInto(inPlace, inPlace, residual, rows));
                assertThat(inPlace).as("in place, rows %d, threads %d", rows, threads).isEqualTo(expected);
            }
        }
    }

    @Test
    void aResidualShorterThanTheRowsIsRefused() {
        LayerNorm norm = new LayerNorm(8, 1e-5f);
        float[] x = new float[16];
        assertThatThrownBy(() -> norm.forwardResidualInto(x, x, new float[8], 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("residual");
    }

    private static void fill(SplittableRandom random, float[] a) {
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (random.nextDouble() * 4 - 2);
        }
    }
}
