package dev.attention4j.models.golden;

import dev.attention4j.tensor.Tensor;

import static org.assertj.core.api.Assertions.assertThat;

/** Elementwise comparison with a message that names the worst index, both values and the max difference. */
final class Compare {

    private Compare() {
    }

    /** Asserts {@code |actual - expected| <= atol} everywhere and returns the max abs difference. */
    static float close(String what, Tensor actual, Tensor expected, float atol) {
        assertThat(actual).as(what + " (returned tensor)").isNotNull();
        assertThat(actual.shape()).as(what + " shape").isEqualTo(expected.shape());
        float[] a = actual.data();
        float[] e = expected.data();
        float max = 0f;
        int worst = -1;
        for (int i = 0; i < a.length; i++) {
            float d = Math.abs(a[i] - e[i]);
            if (Float.isNaN(d) || d > max) {
                max = Float.isNaN(d) ? Float.POSITIVE_INFINITY : d;
                worst = i;
            }
        }
        if (max > atol) {
            throw new AssertionError(String.format("%s: max abs difference %.3e > %.1e at flat index %d of %s: "
                    + "actual %s, expected %s", what, max, atol, worst, expected.shape(), a[worst], e[worst]));
        }
        return max;
    }
}
