package dev.attention4j.autograd;

import dev.attention4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BroadcastAddOpTest {

    /** y[b, t, d] = x[b, t, d] + table[t, d], in double. */
    static double[] addRows(double[] x, double[] table, int batchSize, int seqLen, int dim) {
        double[] y = new double[batchSize * seqLen * dim];
        for (int b = 0; b < batchSize; b++) {
            for (int t = 0; t < seqLen; t++) {
                for (int d = 0; d < dim; d++) {
                    int i = (b * seqLen + t) * dim + d;
                    y[i] = x[i] + table[t * dim + d];
                }
            }
        }
        return y;
    }

    @Test
    void gradientsMatchCentralDifferencesWithSeqLenBelowMaxLen() {
        Tensor x = GradientCheck.random(1, 3, 5, 7);   // (batchSize, seqLen, dim)
        Tensor table = GradientCheck.random(2, 9, 7);  // (maxLen, dim)
        GradientCheck.check("addRows", List.of(x, table), tape -> BroadcastAddOp.addRows(tape, x, table),
                in -> addRows(in[0], in[1], 3, 5, 7), 1e-5, 1e-4);
    }

    @Test
    void tableRowsBeyondSeqLenGetZeroGradient() {
        Tensor x = GradientCheck.random(3, 2, 1, 3);
        Tensor table = GradientCheck.random(4, 4, 3);
        Tape tape = new Tape();
        Tensor y = BroadcastAddOp.addRows(tape, x, table);
        Tensor loss = Tensor.scalar(0f);
        tape.record(grads -> grads.add(y, Tensor.of(new float[] {1, 2, 3, 10, 20, 30}, 2, 1, 3)));
        Gradients grads = tape.backward(loss);
        assertThat(grads.get(table).data()).containsExactly(11, 22, 33, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        assertThat(grads.get(x).data()).containsExactly(1, 2, 3, 10, 20, 30);
    }

    @Test
    void badShapesAreRejected() {
        Tensor table = Tensor.zeros(4, 3);
        assertThatThrownBy(() -> BroadcastAddOp.addRows(null, Tensor.zeros(2, 5, 3), table))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("x: sequence length 5 exceeds the positional encoding's maxLen 4");
        assertThatThrownBy(() -> BroadcastAddOp.addRows(null, Tensor.zeros(2, 4, 2), table))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("x: expected shape (batchSize, seqLen, 3) to match table [4, 3] but got [2, 4, 2]");
        assertThatThrownBy(() -> BroadcastAddOp.addRows(null, Tensor.zeros(4, 3), table))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("x: expected a rank-3 tensor (batchSize, seqLen, dim) but got shape [4, 3]");
    }
}
