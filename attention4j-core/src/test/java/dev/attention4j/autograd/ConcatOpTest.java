package dev.attention4j.autograd;

import dev.attention4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConcatOpTest {

    /** y[b, t] = x[b, t] for t < seqLen, y[b, seqLen] = row (zeros when row is null), in double. */
    static double[] appendRow(double[] x, double[] row, int batchSize, int seqLen, int dim) {
        double[] y = new double[batchSize * (seqLen + 1) * dim];
        for (int b = 0; b < batchSize; b++) {
            for (int t = 0; t <= seqLen; t++) {
                for (int d = 0; d < dim; d++) {
                    double v = t < seqLen ? x[(b * seqLen + t) * dim + d] : row == null ? 0 : row[d];
                    y[(b * (seqLen + 1) + t) * dim + d] = v;
                }
            }
        }
        return y;
    }

    @Test
    void appendRowGradients() {
        Tensor x = GradientCheck.random(1, 3, 5, 7);   // (batchSize, seqLen, dim)
        Tensor biasK = GradientCheck.random(2, 1, 1, 7);
        GradientCheck.check("appendRow", List.of(x, biasK), tape -> ConcatOp.appendRow(tape, x, biasK),
                in -> appendRow(in[0], in[1], 3, 5, 7), 1e-5, 1e-4);
    }

    @Test
    void appendRowOfRank1() {
        Tensor x = GradientCheck.random(3, 2, 1, 3);
        Tensor row = GradientCheck.random(4, 3);
        Tensor y = ConcatOp.appendRow(null, x, row);
        assertThat(y.shape().dims()).containsExactly(2, 2, 3);
        GradientCheck.check("appendRow rank 1", List.of(x, row), tape -> ConcatOp.appendRow(tape, x, row),
                in -> appendRow(in[0], in[1], 2, 1, 3), 1e-5, 1e-4);
    }

    @Test
    void appendZeroRowGradients() {
        Tensor x = GradientCheck.random(5, 2, 3, 5);
        GradientCheck.check("appendZeroRow", List.of(x), tape -> ConcatOp.appendZeroRow(tape, x),
                in -> appendRow(in[0], null, 2, 3, 5), 1e-5, 1e-4);
    }

    @Test
    void anEmptySequenceGetsJustTheRow() {
        Tensor row = Tensor.of(new float[] {1, 2}, 2);
        Tensor y = ConcatOp.appendRow(null, Tensor.zeros(2, 0, 2), row);
        assertThat(y.shape().dims()).containsExactly(2, 1, 2);
        assertThat(y.data()).containsExactly(1, 2, 1, 2);
    }

    @Test
    void badShapesAreRejected() {
        assertThatThrownBy(() -> ConcatOp.appendRow(null, Tensor.zeros(2, 3, 4), Tensor.zeros(1, 1, 5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("row: expected 4 elements (one row of x, shape [2, 3, 4]) but got shape [1, 1, 5]");
        assertThatThrownBy(() -> ConcatOp.appendZeroRow(null, Tensor.zeros(3, 4)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("x: expected a rank-3 tensor (batchSize, seqLen, dim) but got shape [3, 4]");
    }
}
