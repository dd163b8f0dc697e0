package dev.attention4j.autograd;

import dev.attention4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WeightedSumOpTest {

    @Test
    void gradientIsTheWeights() {
        Tensor x = GradientCheck.random(1, 3, 5);
        Tensor w = GradientCheck.random(2, 3, 5);
        GradientCheck.check("weighted sum", List.of(x), tape -> WeightedSumOp.apply(tape, x, w), in -> {
            double s = 0;
            for (int i = 0; i < in[0].length; i++) {
                s += in[0][i] * w.data()[i];
            }
            return new double[] {s};
        }, 1e-5, 1e-5);
    }

    @Test
    void weightsMustMatchTheShape() {
        assertThatThrownBy(() -> WeightedSumOp.apply(null, Tensor.zeros(2, 3), Tensor.zeros(3, 2)))
                .hasMessageContaining("weights").hasMessageContaining("[2, 3]").hasMessageContaining("[3, 2]");
    }
}
