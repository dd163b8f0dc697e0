package dev.attention4j.autograd;

import dev.attention4j.tensor.Normalization;
import dev.attention4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LayerNormOpTest {

    /** y[r, c] = (x[r, c] - mean_r) / sqrt(var_r + eps) * gamma[c] + beta[c], biased variance, in double. */
    static double[] layerNorm(double[] x, double[] gamma, double[] beta, int d, double eps) {
        int rows = x.length / d;
        double[] y = new double[x.length];
        for (int r = 0; r < rows; r++) {
            double mean = 0;
            for (int c = 0; c < d; c++) {
                mean += x[r * d + c];
            }
            mean /= d;
            double var = 0;
            for (int c = 0; c < d; c++) {
                var += (x[r * d + c] - mean) * (x[r * d + c] - mean);
            }
            var /= d;
            for (int c = 0; c < d; c++) {
                y[r * d + c] = (x[r * d + c] - mean) / Math.sqrt(var + eps) * gamma[c] + beta[c];
            }
        }
        return y;
    }

    @Test
    void gradientsMatchCentralDifferences() {
        Tensor x = GradientCheck.random(1, 2, 3, 7);   // (batch, seq, d)
        Tensor gamma = GradientCheck.random(2, 7);
        Tensor beta = GradientCheck.random(3, 7);
        GradientCheck.check("layerNorm", List.of(x, gamma, beta),
                tape -> LayerNormOp.apply(tape, x, gamma, beta, 1e-5f),
                in -> layerNorm(in[0], in[1], in[2], 7, 1e-5), 1e-4, 1e-3);
    }

    @Test
    void gradientsWithALargeEpsAndOneRow() {
        Tensor x = GradientCheck.random(4, 1, 5);
        Tensor gamma = GradientCheck.random(5, 5);
        Tensor beta = GradientCheck.random(6, 5);
        GradientCheck.check("layerNorm eps 0.5", List.of(x, gamma, beta),
                tape -> LayerNormOp.apply(tape, x, gamma, beta, 0.5f),
                in -> layerNorm(in[0], in[1], in[2], 5, 0.5), 1e-4, 1e-3);
    }

    @Test
    void theOutputIsTheTensorPackagesLayerNorm() {
        Tensor x = GradientCheck.random(7, 4, 9);
        Tensor gamma = GradientCheck.random(8, 9);
        Tensor beta = GradientCheck.random(9, 9);
        Tensor expected = Normalization.layerNorm(x, gamma, beta, 1e-5f);
        assertThat(LayerNormOp.apply(null, x, gamma, beta, 1e-5f).bitEquals(expected)).isTrue();
        assertThat(LayerNormOp.apply(new Tape(), x, gamma, beta, 1e-5f).bitEquals(expected)).isTrue();
    }

    @Test
    void badShapesAreRejected() {
        assertThatThrownBy(() -> LayerNormOp.apply(null, Tensor.zeros(2, 4), Tensor.zeros(5), Tensor.zeros(5), 1e-5f))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("x: expected shape (..., 5) to match the normalised shape [5] but got [2, 4]");
        assertThatThrownBy(() -> LayerNormOp.apply(null, Tensor.zeros(2, 4), Tensor.zeros(4), Tensor.zeros(3), 1e-5f))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("beta: expected shape [4] but got [3]");
    }
}
