package dev.attention4j.train;

import dev.attention4j.autograd.Gradients;
import dev.attention4j.autograd.LinearOp;
import dev.attention4j.autograd.Tape;
import dev.attention4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class GradientAccumulatorTest {

    private static final int IN = 4;
    private static final int OUT = 3;

    private final Tensor weight = Tensor.randn(1, OUT, IN);   // (OUT, IN)
    private final Tensor bias = Tensor.randn(2, OUT);          // (OUT)
    private final Map<String, Tensor> params = new LinkedHashMap<>();

    GradientAccumulatorTest() {
        params.put("weight", weight);
        params.put("bias", bias);
    }

    /**
     * The mean over rows of the squared error {@code sum_o (y[r, o] - target[r, o])^2}, as a one-element tensor whose
     * backward ({@code dy = dLoss * 2 (y - target) / rows}) is recorded on {@code tape} by hand.
     */
    private static Tensor meanSquaredError(Tape tape, Tensor y, Tensor target) {
        int rows = y.dim(0);
        float[] yd = y.data();
        float[] td = target.data();
        double sum = 0;
        for (int i = 0; i < yd.length; i++) {
            double d = yd[i] - td[i];
            sum += d * d;
        }
        Tensor loss = Tensor.scalar((float) (sum / rows));
        tape.record(grads -> {
            Tensor dLoss = grads.get(loss);
            if (dLoss == null) {
                return;
            }
            Tensor dy = Tensor.zeros(y.shape());                     // (rows, OUT)
            for (int i = 0; i < yd.length; i++) {
                dy.data()[i] = dLoss.data()[0] * 2f * (yd[i] - td[i]) / rows;
            }
            grads.add(y, dy);
        });
        return loss;
    }

    /** The gradients of the mean squared error of the linear model on rows {@code [from, to)}. */
    private Gradients gradients(Tensor x, Tensor target, int from, int to) {
        Tensor xs = Tensor.of(Arrays.copyOfRange(x.data(), from * IN, to * IN), to - from, IN);        // (rows, IN)
        Tensor ts = Tensor.of(Arrays.copyOfRange(target.data(), from * OUT, to * OUT), to - from, OUT); // (rows, OUT)
        Tape tape = new Tape();
        Tensor y = LinearOp.apply(tape, xs, weight, bias);                                              // (rows, OUT)
        return tape.backward(meanSquaredError(tape, y, ts));
    }

    @Test
    void twoHalfBatchesAverageToTheFullBatchGradient() {
        Tensor x = Tensor.randn(3, 8, IN);
        Tensor target = Tensor.randn(4, 8, OUT);
        Gradients full = gradients(x, target, 0, 8);

        GradientAccumulator accumulator = new GradientAccumulator(params);
        accumulator.add(gradients(x, target, 0, 4));
        accumulator.add(gradients(x, target, 4, 8));
        assertThat(accumulator.microBatches()).isEqualTo(2);
        Gradients averaged = accumulator.takeAverage();

        for (Tensor p : params.values()) {
            float[] expected = full.get(p).data();
            float[] actual = averaged.get(p).data();
            for (int i = 0; i < expected.length; i++) {
                assertThat(actual[i]).as("element %d", i)
                        .isCloseTo(expected[i], within(1e-5f + 1e-5f * Math.abs(expected[i])));
            }
        }
        assertThat(accumulator.microBatches()).isZero();
    }

    @Test
    void aParameterMissingFromAMicroBatchCountsAsZeroThere() {
        GradientAccumulator accumulator = new GradientAccumulator(params);
        Gradients first = new Gradients();
        first.add(bias, Tensor.of(new float[] {2f, 4f, 6f}, OUT));
        accumulator.add(first);
        accumulator.add(new Gradients());
        Gradients average = accumulator.takeAverage();
        assertThat(average.get(bias).data()).containsExactly(1f, 2f, 3f);
        assertThat(average.get(weight)).as("no micro-batch gave weight a gradient").isNull();
    }

    @Test
    void theAccumulatorOwnsItsBuffers() {
        GradientAccumulator accumulator = new GradientAccumulator(params);
        Tensor given = Tensor.of(new float[] {1f, 1f, 1f}, OUT);
        Gradients grads = new Gradients();
        grads.add(bias, given);
        accumulator.add(grads);
        accumulator.add(grads);
        assertThat(given.data()).as("the input is not summed into").containsExactly(1f, 1f, 1f);
        given.data()[0] = 100f;
        Gradients average = accumulator.takeAverage();
        assertThat(average.get(bias).data()).containsExactly(1f, 1f, 1f);
        assertThat(average.get(bias)).isNotSameAs(given);

        accumulator.add(grads);
        assertThat(average.get(bias).data()).as("a taken average is not reused").containsExactly(1f, 1f, 1f);
    }

    @Test
    void resetAndEmptyAverages() {
        GradientAccumulator accumulator = new GradientAccumulator(params);
        assertThatThrownBy(accumulator::takeAverage).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no micro-batch gradients");
        Gradients grads = new Gradients();
        grads.add(bias, Tensor.of(new float[] {1f, 1f, 1f}, OUT));
        accumulator.add(grads);
        accumulator.reset();
        assertThat(accumulator.microBatches()).isZero();
        assertThatThrownBy(accumulator::takeAverage).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void rejectsATiedParameterListedTwice() {
        Map<String, Tensor> tied = new LinkedHashMap<>(params);
        tied.put("lm_head.weight", weight);
        assertThatThrownBy(() -> new GradientAccumulator(tied)).hasMessageContaining("params['lm_head.weight']");
    }
}
