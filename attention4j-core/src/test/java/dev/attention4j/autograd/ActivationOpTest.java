package dev.attention4j.autograd;

import dev.attention4j.tensor.Activations;
import dev.attention4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

class ActivationOpTest {

    /**
     * GELU's tolerances against the exact function. The forward's erf is Abramowitz and Stegun 7.1.26 in float
     * (absolute error up to 4e-7, times |x|/2 in GELU), and a float output of magnitude 4..40 rounds by up to
     * 2e-6; the backward's Phi(x) carries half the erf error, x phi(x) only float rounding. Measured on a grid of
     * [-12, 12], both kernels: forward 4.6e-7, derivative 3.1e-7 at most; the check multiplies the derivative by
     * r ~ N(0, 1), hence 2e-6 absolute.
     */
    private static final double GELU_ATOL = 2e-6;
    private static final double GELU_RTOL = 1e-6;

    /**
     * erf in double: {@code 2/sqrt(pi) exp(-z^2) sum_n 2^n z^(2n+1) / (1 3 5 ... (2n+1))}, a series of positive
     * terms (no cancellation), accurate to ~1e-15. Beyond |z| = 6, {@code 1 - erf(z) < 2.2e-17} is below double's
     * resolution at 1 (and the series' terms would overflow), so erf is 1.
     */
    static double erf(double z) {
        if (z < 0) {
            return -erf(-z);
        }
        if (z >= 6) {
            return 1.0;
        }
        double term = z;
        double sum = z;
        for (int n = 1; n < 2000 && term > 1e-18 * sum; n++) {
            term *= 2 * z * z / (2 * n + 1);
            sum += term;
        }
        return Math.min(1.0, 2 / Math.sqrt(Math.PI) * Math.exp(-z * z) * sum);
    }

    /** x Phi(x), Phi(x) = (1 + erf(x / sqrt 2)) / 2. */
    static double[] gelu(double[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = x[i] * 0.5 * (1 + erf(x[i] / Math.sqrt(2)));
        }
        return y;
    }

    static double[] relu(double[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = Math.max(0, x[i]);
        }
        return y;
    }

    @Test
    void theOracleErfIsRight() {
        // Abramowitz and Stegun, table 7.1
        assertThat(erf(0.5)).isCloseTo(0.5204998778130465, offset(1e-15));
        assertThat(erf(1.0)).isCloseTo(0.8427007929497149, offset(1e-15));
        assertThat(erf(2.0)).isCloseTo(0.9953222650189527, offset(1e-15));
        assertThat(1 - erf(4.0)).isCloseTo(1.541725790028002e-8, offset(1e-15));
    }

    @Test
    void reluGradientsMatchCentralDifferences() {
        // kept at least 0.05 away from the kink, where central differences straddle it
        Tensor x = awayFromZero(GradientCheck.random(1, 3, 7, 5));
        GradientCheck.check("relu", List.of(x), tape -> ActivationOp.relu(tape, x), in -> relu(in[0]), 1e-5, 1e-5);
    }

    @Test
    void reluPassesNothingAtOrBelowZero() {
        Tensor x = Tensor.of(new float[] {-2f, -0f, 0f, 1e-30f, 3f}, 5);
        Tape tape = new Tape();
        Tensor y = ActivationOp.relu(tape, x);
        Tensor loss = Tensor.scalar(0f);
        tape.record(grads -> grads.add(y, Tensor.of(new float[] {1, 1, 1, 1, 1}, 5)));
        assertThat(tape.backward(loss).get(x).data()).containsExactly(0f, 0f, 0f, 1f, 1f);
    }

    @Test
    void geluGradientsMatchCentralDifferences() {
        Tensor x = GradientCheck.random(2, 3, 11);
        for (int i = 0; i < x.size(); i++) {
            x.data()[i] *= 3f;                        // span the curved part, [-3, 3]
        }
        GradientCheck.check("gelu", List.of(x), tape -> ActivationOp.gelu(tape, x), in -> gelu(in[0]),
                GELU_ATOL, GELU_RTOL);
    }

    @Test
    void geluAtZeroAndLargeMagnitudes() {
        float[] values = {-40f, -12f, -10f, -6f, -3.5f, -1e-3f, 0f, 1e-3f, 3.5f, 6f, 10f, 12f, 40f};
        Tensor x = Tensor.of(values.clone(), values.length);
        GradientCheck.check("gelu at 0 and large |x|", List.of(x), tape -> ActivationOp.gelu(tape, x),
                in -> gelu(in[0]), GELU_ATOL, GELU_RTOL);
        // the exact values: GELU'(0) = 1/2, and the derivative saturates to 0 and 1 without NaN
        assertThat(ActivationOp.geluDerivative(0f)).isEqualTo(0.5f);
        assertThat(ActivationOp.geluDerivative(-40f)).isEqualTo(0f);
        assertThat(ActivationOp.geluDerivative(40f)).isEqualTo(1f);
        assertThat(ActivationOp.geluDerivative(Float.NEGATIVE_INFINITY)).isEqualTo(0f);
        assertThat(ActivationOp.geluDerivative(Float.POSITIVE_INFINITY)).isEqualTo(1f);
    }

    @Test
    void forwardsAreTheTensorPackages() {
        Tensor x = GradientCheck.random(3, 4, 9);
        assertThat(ActivationOp.gelu(new Tape(), x).bitEquals(Activations.gelu(x))).isTrue();
        assertThat(ActivationOp.relu(null, x).bitEquals(Activations.relu(x))).isTrue();
    }

    private static Tensor awayFromZero(Tensor t) {
        for (int i = 0; i < t.size(); i++) {
            float v = t.data()[i];
            t.data()[i] = v < 0 ? v - 0.05f : v + 0.05f;
        }
        return t;
    }
}
