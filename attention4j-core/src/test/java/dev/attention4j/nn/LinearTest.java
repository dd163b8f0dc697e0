package dev.attention4j.nn;

import dev.attention4j.autograd.LinearOp;
import dev.attention4j.tensor.MatMul;
import dev.attention4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class LinearTest {

    @Test
    void inferenceOnAFewRowsGivesThePackedProductsBitsAndSeesWeightChanges() {
        Linear linear = Linear.withBias(37, 53, new SplittableRandom(3));
        for (int rows : new int[] {1, 5, 16, MatMul.FEW_ROWS, MatMul.FEW_ROWS + 1}) {
            Tensor x = Tensor.randn((long) rows, 1, rows, 37); // (1, rows, inFeatures)
            Tensor expected = LinearOp.apply(null, x, linear.weight(), linear.bias()); // the packed product
            Tensor actual = linear.forward(x, Mode.INFERENCE);
            assertThat(actual.shape()).isEqualTo(expected.shape());
            assertThat(actual.bitEquals(expected)).as("%d rows", rows).isTrue();
        }
        Tensor x = Tensor.randn(9L, 4, 37);
        Tensor before = linear.forward(x, Mode.INFERENCE);
        linear.weight().set(linear.weight().get(7, 3) + 1f, 7, 3); // marks the weight modified
        Tensor after = linear.forward(x, Mode.INFERENCE);
        assertThat(after.bitEquals(LinearOp.apply(null, x, linear.weight(), linear.bias()))).isTrue();
        assertThat(after.bitEquals(before)).as("the kept transpose was rebuilt").isFalse();
    }
}
