package dev.attention4j.autograd;

import dev.attention4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class LinearOpTest {

    /** y[r, o] = sum_i x[r, i] W[o, i] + b[o], in double. */
    static double[] linear(double[] x, double[] w, double[] b, int rows, int out, int in) {
        double[] y = new double[rows * out];
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < out; o++) {
                double s = b == null ? 0 : b[o];
                for (int i = 0; i < in; i++) {
                    s += x[r * in + i] * w[o * in + i];
                }
                y[r * out + o] = s;
            }
        }
        return y;
    }

    @Test
    void gradientsMatchCentralDifferences() {
        Tensor x = GradientCheck.random(1, 2, 3, 5);   // (batch, seq, inFeatures)
        Tensor w = GradientCheck.random(2, 7, 5);      // (outFeatures, inFeatures)
        Tensor b = GradientCheck.random(3, 7);
        GradientCheck.check("linear", List.of(x, w, b), tape -> LinearOp.apply(tape, x, w, b),
                in -> linear(in[0], in[1], in[2], 6, 7, 5), 1e-4, 1e-3);
    }

    @Test
    void withoutBias() {
        Tensor x = GradientCheck.random(4, 4, 9);
        Tensor w = GradientCheck.random(5, 3, 9);
        GradientCheck.check("linear without bias", List.of(x, w), tape -> LinearOp.apply(tape, x, w, null),
                in -> linear(in[0], in[1], null, 4, 3, 9), 1e-4, 1e-3);
    }

    @Test
    void aTensorUsedTwiceAccumulatesBothGradients() {
        Tensor x = GradientCheck.random(6, 3, 4);
        Tensor w = GradientCheck.random(7, 4, 4);
        // y = (x W^T) W^T: w is used by two ops
        GradientCheck.check("linear twice", List.of(x, w),
                tape -> LinearOp.apply(tape, LinearOp.apply(tape, x, w, null), w, null),
                in -> linear(linear(in[0], in[1], null, 3, 4, 4), in[1], null, 3, 4, 4), 1e-4, 1e-3);
    }

    @Test
    void inferenceRecordsNothing() {
        Tensor y = LinearOp.apply(null, Tensor.randn(1, 2, 3), Tensor.randn(2, 4, 3), null);
        assertThat(y.shape().dims()).containsExactly(2, 4);
        Tape tape = new Tape();
        LinearOp.apply(tape, Tensor.randn(1, 2, 3), Tensor.randn(2, 4, 3), null);
        assertThat(tape.size()).isEqualTo(1);
    }
}
