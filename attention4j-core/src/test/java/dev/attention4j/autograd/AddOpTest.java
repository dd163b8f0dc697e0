package dev.attention4j.autograd;

import dev.attention4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AddOpTest {

    @Test
    void gradientsMatchCentralDifferences() {
        Tensor a = GradientCheck.random(1, 3, 5, 7);
        Tensor b = GradientCheck.random(2, 3, 5, 7);
        GradientCheck.check("add", List.of(a, b), tape -> AddOp.apply(tape, a, b), in -> {
            double[] y = new double[in[0].length];
            for (int i = 0; i < y.length; i++) {
                y[i] = in[0][i] + in[1][i];
            }
            return y;
        }, 1e-5, 1e-4);
    }

    @Test
    void aTensorAddedToItselfGetsTwiceTheGradient() {
        Tensor a = GradientCheck.random(3, 2, 3);
        GradientCheck.check("a + a", List.of(a), tape -> AddOp.apply(tape, a, a), in -> {
            double[] y = new double[in[0].length];
            for (int i = 0; i < y.length; i++) {
                y[i] = 2 * in[0][i];
            }
            return y;
        }, 1e-5, 1e-4);
    }

    @Test
    void theTwoGradientsAreSeparateBuffers() {
        Tensor a = GradientCheck.random(4, 2, 3);
        Tensor b = GradientCheck.random(5, 2, 3);
        Tape tape = new Tape();
        Tensor y = AddOp.apply(tape, a, b);
        Tensor loss = Tensor.scalar(0f);
        tape.record(grads -> grads.add(y, Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3)));
        Gradients grads = tape.backward(loss);
        assertThat(grads.get(a).data()).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(grads.get(a)).isNotSameAs(grads.get(b)).isNotSameAs(grads.get(y));
        assertThat(grads.get(b).data()).containsExactly(1, 2, 3, 4, 5, 6);
    }

    @Test
    void differentShapesAreRejectedNamingBoth() {
        assertThatThrownBy(() -> AddOp.apply(null, Tensor.zeros(2, 3), Tensor.zeros(3, 2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("add: expected a and b to have the same shape but a has shape [2, 3] and b has shape [3, 2]");
    }

    @Test
    void inferenceRecordsNothing() {
        Tape tape = new Tape();
        AddOp.apply(null, Tensor.zeros(2), Tensor.zeros(2));
        assertThat(tape.size()).isZero();
        AddOp.apply(tape, Tensor.zeros(2), Tensor.zeros(2));
        assertThat(tape.size()).isEqualTo(1);
    }
}
