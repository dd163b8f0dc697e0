package dev.attention4j.autograd;

import dev.attention4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

class CrossEntropyOpTest {

    private static final int IGNORE = -100;

    /**
     * Mean over rows with target != ignore of (1 - eps)(-log p[y]) + eps / V sum_v (-log p[v]), p = softmax(row),
     * in double; 0 when every row is ignored.
     */
    static double[] crossEntropy(double[] logits, int[] targets, int vocabSize, double eps) {
        double total = 0;
        int counted = 0;
        for (int r = 0; r < targets.length; r++) {
            if (targets[r] == IGNORE) {
                continue;
            }
            double max = Double.NEGATIVE_INFINITY;
            for (int v = 0; v < vocabSize; v++) {
                max = Math.max(max, logits[r * vocabSize + v]);
            }
            double z = 0;
            for (int v = 0; v < vocabSize; v++) {
                z += Math.exp(logits[r * vocabSize + v] - max);
            }
            double smooth = 0;
            for (int v = 0; v < vocabSize; v++) {
                smooth += -Math.log(Math.exp(logits[r * vocabSize + v] - max) / z);
            }
            double nll = -Math.log(Math.exp(logits[r * vocabSize + targets[r]] - max) / z);
            total += (1 - eps) * nll + eps / vocabSize * smooth;
            counted++;
        }
        return new double[] {counted == 0 ? 0 : total / counted};
    }

    @Test
    void gradientsWithoutSmoothing() {
        Tensor logits = GradientCheck.random(1, 2, 3, 7);     // (batch, seq, vocabSize)
        int[] targets = {3, IGNORE, 0, 6, IGNORE, 2};
        GradientCheck.check("cross-entropy", List.of(logits),
                tape -> CrossEntropyOp.apply(tape, logits, targets, IGNORE, 0f),
                in -> crossEntropy(in[0], targets, 7, 0), 1e-5, 1e-4);
    }

    @Test
    void gradientsWithSmoothing() {
        Tensor logits = GradientCheck.random(2, 5, 9);
        for (int i = 0; i < logits.size(); i++) {
            logits.data()[i] *= 4f;                              // peaked rows, some p near 0
        }
        int[] targets = {8, 0, IGNORE, 4, 4};
        GradientCheck.check("cross-entropy smoothed", List.of(logits),
                tape -> CrossEntropyOp.apply(tape, logits, targets, IGNORE, 0.1f),
                in -> crossEntropy(in[0], targets, 9, 0.1f), 1e-5, 1e-4);
    }

    @Test
    void handComputedValues() {
        // a uniform row: -log(1/4) whatever the smoothing
        Tensor uniform = Tensor.zeros(1, 4);
        assertThat(CrossEntropyOp.apply(null, uniform, new int[] {2}, IGNORE, 0f).data()[0])
                .isCloseTo((float) Math.log(4), offset(1e-6f));
        assertThat(CrossEntropyOp.apply(null, uniform, new int[] {2}, IGNORE, 0.1f).data()[0])
                .isCloseTo((float) Math.log(4), offset(1e-6f));
        // logits (0, ln 3): p = (1/4, 3/4)
        Tensor row = Tensor.of(new float[] {0f, (float) Math.log(3)}, 1, 2);
        assertThat(CrossEntropyOp.apply(null, row, new int[] {1}, IGNORE, 0f).data()[0])
                .isCloseTo((float) -Math.log(0.75), offset(1e-6f));
        assertThat(CrossEntropyOp.apply(null, row, new int[] {1}, IGNORE, 0.1f).data()[0])
                .isCloseTo((float) (0.9 * -Math.log(0.75) + 0.05 * (-Math.log(0.25) - Math.log(0.75))),
                        offset(1e-6f));
        // two rows and an ignored one: the mean is over the two
        Tensor rows = Tensor.of(new float[] {0f, (float) Math.log(3), 0f, 0f, 5f, -5f}, 3, 2);
        assertThat(CrossEntropyOp.apply(null, rows, new int[] {0, 1, IGNORE}, IGNORE, 0f).data()[0])
                .isCloseTo((float) ((-Math.log(0.25) - Math.log(0.5)) / 2), offset(1e-6f));
    }

    @Test
    void handComputedGradient() {
        // logits (0, ln 3), target 1, eps 0.1: dlogits = p - 0.9 onehot - 0.05 = (0.25 - 0.05, 0.75 - 0.9 - 0.05)
        Tensor row = Tensor.of(new float[] {0f, (float) Math.log(3)}, 1, 2);
        Tape tape = new Tape();
        Tensor loss = CrossEntropyOp.apply(tape, row, new int[] {1}, IGNORE, 0.1f);
        float[] d = tape.backward(loss).get(row).data();
        assertThat(d[0]).isCloseTo(0.2f, offset(1e-6f));
        assertThat(d[1]).isCloseTo(-0.2f, offset(1e-6f));
    }

    /**
     * A real vocabulary (10,000 classes, 48 rows, a few ignored, peaked rows) against the double-precision formulas:
     * the loss within 1e-6 relative, every gradient element within 1e-9 + 1e-5 relative of
     * {@code (p - (1 - eps) [v == y] - eps / V) / n}.
     */
    @Test
    void aTenThousandWordVocabularyMatchesTheDoubleFormulas() {
        int rows = 48;
        int vocab = 10_000;
        float eps = 0.1f;
        Tensor logits = GradientCheck.random(5, rows, vocab);
        float[] x = logits.data();
        for (int i = 0; i < x.length; i++) {
            x[i] *= 6f;
        }
        int[] targets = new int[rows];
        java.util.SplittableRandom random = new java.util.SplittableRandom(6);
        int counted = 0;
        for (int r = 0; r < rows; r++) {
            targets[r] = r % 7 == 3 ? IGNORE : random.nextInt(vocab);
            counted += targets[r] == IGNORE ? 0 : 1;
        }
        double[] in = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            in[i] = x[i];
        }
        Tape tape = new Tape();
        Tensor loss = CrossEntropyOp.apply(tape, logits, targets, IGNORE, eps);
        double want = crossEntropy(in, targets, vocab, eps)[0];
        assertThat((double) loss.data()[0]).isCloseTo(want, offset(1e-6 * want));
        float[] d = tape.backward(loss).get(logits).data();
        for (int r = 0; r < rows; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int v = 0; v < vocab; v++) {
                max = Math.max(max, in[r * vocab + v]);
            }
            double z = 0;
            for (int v = 0; v < vocab; v++) {
                z += Math.exp(in[r * vocab + v] - max);
            }
            for (int v = 0; v < vocab; v++) {
                double g = targets[r] == IGNORE ? 0 : (Math.exp(in[r * vocab + v] - max) / z
                        - (v == targets[r] ? 1 - (double) eps : 0) - (double) eps / vocab) / counted;
                assertThat((double) d[r * vocab + v]).as("row %d class %d", r, v)
                        .isCloseTo(g, offset(1e-9 + 1e-5 * Math.abs(g)));
            }
        }
    }

    @Test
    void largeLogitsStayFinite() {
        Tensor logits = Tensor.of(new float[] {1000f, 0f, -1000f}, 1, 3);
        Tape tape = new Tape();
        Tensor loss = CrossEntropyOp.apply(tape, logits, new int[] {2}, IGNORE, 0f);
        assertThat(loss.data()[0]).isEqualTo(2000f);
        assertThat(tape.backward(loss).get(logits).data()).containsExactly(1f, 0f, -1f);
    }

    @Test
    void everyRowIgnoredGivesZeroLossAndZeroGradient() {
        Tensor logits = GradientCheck.random(3, 2, 5);
        Tape tape = new Tape();
        Tensor loss = CrossEntropyOp.apply(tape, logits, new int[] {IGNORE, IGNORE}, IGNORE, 0.1f);
        assertThat(loss.rank()).isZero();
        assertThat(loss.data()[0]).isZero();
        assertThat(tape.backward(loss).get(logits).data()).containsOnly(0f);
    }

    @Test
    void statsCountArgmaxHitsOnCountedRows() {
        Tensor logits = Tensor.of(new float[] {
                0f, 2f, 1f,     // argmax 1
                3f, 3f, 0f,     // tie: the first, 0
                0f, 0f, 9f,     // argmax 2, ignored
                5f, 1f, 1f},    // argmax 0
                2, 2, 3);
        CrossEntropyOp.Stats stats = CrossEntropyOp.stats(logits, new int[] {1, 0, IGNORE, 2}, IGNORE);
        assertThat(stats).isEqualTo(new CrossEntropyOp.Stats(2, 3));
        assertThat(stats.accuracy()).isEqualTo(2.0 / 3);
        assertThat(CrossEntropyOp.stats(logits, new int[] {IGNORE, IGNORE, IGNORE, IGNORE}, IGNORE).accuracy())
                .isZero();
    }

    @Test
    void badArgumentsAreRejected() {
        Tensor logits = Tensor.zeros(2, 3, 5);
        assertThatThrownBy(() -> CrossEntropyOp.apply(null, logits, new int[5], IGNORE, 0f))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("targets: expected one target per row of logits [2, 3, 5] (6) but got 5");
        assertThatThrownBy(() -> CrossEntropyOp.apply(null, logits, new int[] {0, 1, 2, 3, 4, 5}, IGNORE, 0f))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("targets[5]: expected a class index in [0, 5) or the ignoreIndex -100 but got 5");
        assertThatThrownBy(() -> CrossEntropyOp.stats(logits, new int[] {0, -1, 0, 0, 0, 0}, IGNORE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("targets[1]: expected a class index in [0, 5) or the ignoreIndex -100 but got -1");
        assertThatThrownBy(() -> CrossEntropyOp.apply(null, logits, new int[6], IGNORE, 1f))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("labelSmoothing: expected a value in [0, 1) but got 1.0");
        assertThatThrownBy(() -> CrossEntropyOp.apply(null, logits, new int[6], IGNORE, Float.NaN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("labelSmoothing: expected a value in [0, 1) but got NaN");
        assertThatThrownBy(() -> CrossEntropyOp.apply(null, Tensor.scalar(1f), new int[1], IGNORE, 0f))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("logits: expected shape (..., vocabSize) with vocabSize >= 1 but got []");
    }
}
