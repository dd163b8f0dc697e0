package dev.attention4j.autograd;

import dev.attention4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SliceOpTest {

    /** Rows [start, start + count) of a row-major array whose rows have rowSize elements. */
    static double[] rows(double[] t, int rowSize, int start, int count) {
        return Arrays.copyOfRange(t, start * rowSize, (start + count) * rowSize);
    }

    @Test
    void rank1() {
        Tensor bias = GradientCheck.random(1, 9);       // in_proj_bias (3E), E = 3
        GradientCheck.check("slice rank 1", List.of(bias), tape -> SliceOp.rows(tape, bias, 3, 3),
                in -> rows(in[0], 1, 3, 3), 1e-5, 1e-4);
    }

    @Test
    void rank2() {
        Tensor weight = GradientCheck.random(2, 15, 5); // in_proj_weight (3E, E), E = 5
        GradientCheck.check("slice rank 2", List.of(weight), tape -> SliceOp.rows(tape, weight, 10, 5),
                in -> rows(in[0], 5, 10, 5), 1e-5, 1e-4);
    }

    @Test
    void rank3SlicesDim0Only() {
        Tensor t = GradientCheck.random(3, 4, 3, 2);
        Tensor y = SliceOp.rows(null, t, 1, 2);
        assertThat(y.shape().dims()).containsExactly(2, 3, 2);
        GradientCheck.check("slice rank 3", List.of(t), tape -> SliceOp.rows(tape, t, 1, 2),
                in -> rows(in[0], 6, 1, 2), 1e-5, 1e-4);
    }

    @Test
    void threeSlicesOfOnePackedWeightAccumulate() {
        Tensor packed = GradientCheck.random(4, 9, 2);  // three (3, 2) blocks stacked
        GradientCheck.check("q, k, v slices", List.of(packed), tape -> AddOp.apply(tape,
                        AddOp.apply(tape, SliceOp.rows(tape, packed, 0, 3), SliceOp.rows(tape, packed, 3, 3)),
                        SliceOp.rows(tape, packed, 6, 3)),
                in -> {
                    double[] y = new double[6];
                    for (int i = 0; i < 6; i++) {
                        y[i] = in[0][i] + in[0][6 + i] + in[0][12 + i];
                    }
                    return y;
                }, 1e-5, 1e-4);
    }

    @Test
    void outOfRangeIsRejected() {
        assertThatThrownBy(() -> SliceOp.rows(null, Tensor.zeros(6, 4), 4, 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("rows [4, 7): expected start >= 0, count >= 0 and start + count <= 6 (dim 0 of t, shape "
                        + "[6, 4])");
        assertThatThrownBy(() -> SliceOp.rows(null, Tensor.zeros(6), -1, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("rows [-1, 1): expected start >= 0");
        assertThatThrownBy(() -> SliceOp.rows(null, Tensor.scalar(1f), 0, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("t: expected a tensor of rank >= 1 to slice along dim 0 but got shape []");
    }
}
