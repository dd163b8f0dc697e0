package dev.attention4j.autograd;

import dev.attention4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EmbeddingOpTest {

    /** y[b, t, d] = w[tokens[b][t], d] * scale, in double. */
    static double[] embed(double[] w, int[][] tokens, int dim, double scale) {
        int seqLen = tokens[0].length;
        double[] y = new double[tokens.length * seqLen * dim];
        for (int b = 0; b < tokens.length; b++) {
            for (int t = 0; t < seqLen; t++) {
                for (int d = 0; d < dim; d++) {
                    y[(b * seqLen + t) * dim + d] = w[tokens[b][t] * dim + d] * scale;
                }
            }
        }
        return y;
    }

    @Test
    void gradientsMatchCentralDifferences() {
        Tensor weight = GradientCheck.random(1, 7, 5);          // (vocabSize, dim)
        int[][] tokens = {{3, 0, 6}, {3, 3, 1}};                  // repeats, and unused ids 2, 4, 5
        GradientCheck.check("embedding", List.of(weight), tape -> EmbeddingOp.apply(tape, weight, tokens, 1.7f),
                in -> embed(in[0], tokens, 5, 1.7f), 1e-5, 1e-4);
    }

    @Test
    void repeatedTokensAccumulateAndUnusedRowsGetZero() {
        Tensor weight = GradientCheck.random(2, 4, 3);
        Tape tape = new Tape();
        Tensor y = EmbeddingOp.apply(tape, weight, new int[][] {{2, 2}, {2, 0}}, 0.5f); // (2, 2, 3)
        Tensor loss = Tensor.scalar(0f);
        tape.record(grads -> {
            Tensor dy = Tensor.zeros(2, 2, 3);
            for (int i = 0; i < dy.size(); i++) {
                dy.data()[i] = i + 1;
            }
            grads.add(y, dy);
        });
        Tensor dWeight = tape.backward(loss).get(weight);
        // row 2 gets positions (0,0), (0,1), (1,0): (1 + 4 + 7, 2 + 5 + 8, 3 + 6 + 9) * 0.5; row 0 gets (1,1)
        assertThat(dWeight.data()).containsExactly(
                5f, 5.5f, 6f,
                0f, 0f, 0f,
                6f, 7.5f, 9f,
                0f, 0f, 0f);
    }

    @Test
    void theTokensMayBeReusedAfterTheForward() {
        Tensor weight = GradientCheck.random(3, 4, 2);
        int[][] tokens = {{1}};
        Tape tape = new Tape();
        Tensor y = EmbeddingOp.apply(tape, weight, tokens, 1f);
        tokens[0][0] = 3;
        Tensor loss = Tensor.scalar(0f);
        tape.record(grads -> grads.add(y, Tensor.of(new float[] {1, 1}, 1, 1, 2)));
        assertThat(tape.backward(loss).get(weight).data()).containsExactly(0, 0, 1, 1, 0, 0, 0, 0);
    }

    @Test
    void badTokensAreRejected() {
        Tensor weight = Tensor.zeros(5, 2);
        assertThatThrownBy(() -> EmbeddingOp.apply(null, weight, new int[][] {{0, 1}, {2, 5}}, 1f))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tokens[1][1]: expected a token id in [0, 5) but got 5");
        assertThatThrownBy(() -> EmbeddingOp.apply(null, weight, new int[][] {{-1}}, 1f))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tokens[0][0]: expected a token id in [0, 5) but got -1");
        assertThatThrownBy(() -> EmbeddingOp.apply(null, weight, new int[][] {{0, 1}, {2}}, 1f))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tokens: expected every sequence to have length 2 (pad them and pass a padding mask) but "
                        + "sequence 1 has 1");
        assertThatThrownBy(() -> EmbeddingOp.apply(null, Tensor.zeros(5), new int[][] {{0}}, 1f))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("weight: expected a rank-2 tensor (vocabSize, dim) but got shape [5]");
    }

    @Test
    void anEmptyBatchGivesAnEmptyTensor() {
        assertThat(EmbeddingOp.apply(null, Tensor.zeros(5, 3), new int[0][], 1f).shape().dims())
                .containsExactly(0, 0, 3);
    }
}
