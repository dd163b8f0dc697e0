package dev.attention4j.nn.attention;

import dev.attention4j.autograd.Gradients;
import dev.attention4j.autograd.Tape;
import dev.attention4j.kernels.Parallel;
import dev.attention4j.nn.Mode;
import dev.attention4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScaledDotProductAttentionTest {

    // Awkward sizes (odd, past a vector width) so the SIMD paths and their tails are exercised.
    static final int B = 2;
    static final int H = 3;
    static final int L = 19;
    static final int S = 37;
    static final int E = 21;
    static final int EV = 18;

    final Tensor q = Tensor.randn(1, B, H, L, E);
    final Tensor k = Tensor.randn(2, B, H, S, E);
    final Tensor v = Tensor.randn(3, B, H, S, EV);

    private static void assertClose(Tensor actual, double[] expected, double atol) {
        float[] a = actual.data();
        assertThat(a.length).isEqualTo(expected.length);
        for (int i = 0; i < a.length; i++) {
            if (Math.abs(a[i] - expected[i]) > atol) {
                throw new AssertionError("index " + i + ": actual " + a[i] + " expected " + expected[i]);
            }
        }
    }

    private void checkAgainstOracle(Mask mask, NaiveAttention.MaskFn fn, float scale) {
        AttentionOptions options = AttentionOptions.DEFAULTS.withWeights(AttentionWeights.PER_HEAD);
        if (!Float.isNaN(scale)) {
            options = options.withScale(scale);
        }
        AttentionOutput out = ScaledDotProductAttention.attend(q, k, v, mask, options);
        double s = Float.isNaN(scale) ? 1 / Math.sqrt(E) : scale;
        NaiveAttention.Result expected = NaiveAttention.attend(q.data(), k.data(), v.data(), B, H, L, S, E, EV, s, fn);
        assertClose(out.output(), expected.output(), 1e-5);
        assertClose(out.weights(), expected.weights(), 1e-6);
    }

    @Test
    void unmaskedMatchesTheFormula() {
        checkAgainstOracle(Mask.none(), (b, h, i, j) -> true, Float.NaN);
    }

    @Test
    void customScale() {
        checkAgainstOracle(Mask.none(), (b, h, i, j) -> true, 0.05f);
    }

    @Test
    void causalUpperLeftAndLowerRight() {
        checkAgainstOracle(Mask.causal(Mask.Alignment.UPPER_LEFT), (b, h, i, j) -> j <= i, Float.NaN);
        checkAgainstOracle(Mask.causal(Mask.Alignment.LOWER_RIGHT), (b, h, i, j) -> j <= i + S - L, Float.NaN);
    }

    @Test
    void keyPaddingBoolAndAdditiveCombined() {
        int[] lengths = {S, 11};
        boolean[] keep = new boolean[L * S];
        Tensor bias = Tensor.randn(9, B, 1, L, S);
        for (int i = 0; i < keep.length; i++) {
            keep[i] = (i * 7) % 5 != 0;
        }
        keep[3 * S + 0] = true; // make sure row 3 keeps key 0
        Mask mask = Mask.keyLengths(S, lengths).and(Mask.bool(keep, L, S)).and(Mask.additive(bias));
        checkAgainstOracle(mask, new NaiveAttention.MaskFn() {
            @Override
            public boolean keep(int b, int h, int i, int j) {
                return j < lengths[b] && keep[i * S + j];
            }

            @Override
            public double add(int b, int h, int i, int j) {
                return bias.data()[(b * L + i) * S + j];
            }
        }, Float.NaN);
    }

    @Test
    void fullyMaskedRowGivesZeroWeightsAndZeroOutput() {
        boolean[] keep = new boolean[L * S];
        java.util.Arrays.fill(keep, true);
        java.util.Arrays.fill(keep, 4 * S, 5 * S, false); // query 4 sees nothing
        AttentionOutput out = ScaledDotProductAttention.attend(q, k, v, Mask.bool(keep, L, S),
                AttentionOptions.DEFAULTS.withWeights(AttentionWeights.PER_HEAD));
        for (int b = 0; b < B; b++) {
            for (int h = 0; h < H; h++) {
                for (int j = 0; j < S; j++) {
                    assertThat(out.weights().get(b, h, 4, j)).isZero();
                }
                for (int d = 0; d < EV; d++) {
                    assertThat(out.output().get(b, h, 4, d)).isZero();
                }
                assertThat(out.output().get(b, h, 3, 0)).isNotZero();
            }
        }
    }

    @Test
    void causalOutputAtTIgnoresLaterTokens() {
        Tensor x = Tensor.randn(5, 1, 1, L, E);
        Tensor y = x.copy();
        int t = 7;
        for (int i = (t + 1) * E; i < y.size(); i++) {
            y.data()[i] += 3f; // change every token after t
        }
        Tensor outX = ScaledDotProductAttention.attend(x, x, x, Mask.causal());
        Tensor outY = ScaledDotProductAttention.attend(y, y, y, Mask.causal());
        for (int i = 0; i <= t; i++) {
            for (int d = 0; d < E; d++) {
                assertThat(outY.get(0, 0, i, d)).isEqualTo(outX.get(0, 0, i, d));
            }
        }
        assertThat(outY.get(0, 0, t + 1, 0)).isNotEqualTo(outX.get(0, 0, t + 1, 0));
    }

    @Test
    void permutingKeyValuePairsTogetherLeavesUnmaskedAttentionUnchanged() {
        int[] perm = new int[S];
        for (int j = 0; j < S; j++) {
            perm[j] = (j * 11 + 5) % S; // 11 is coprime with 37: a permutation
        }
        Tensor kp = Tensor.zeros(B, H, S, E);
        Tensor vp = Tensor.zeros(B, H, S, EV);
        for (int bh = 0; bh < B * H; bh++) {
            for (int j = 0; j < S; j++) {
                System.arraycopy(k.data(), (bh * S + perm[j]) * E, kp.data(), (bh * S + j) * E, E);
                System.arraycopy(v.data(), (bh * S + perm[j]) * EV, vp.data(), (bh * S + j) * EV, EV);
            }
        }
        Tensor out = ScaledDotProductAttention.attend(q, k, v, Mask.none());
        Tensor permuted = ScaledDotProductAttention.attend(q, kp, vp, Mask.none());
        assertThat(permuted.maxAbsDifference(out)).isLessThan(1e-5f);
    }

    @Test
    void singleHeadThreeDimensionalInputs() {
        Tensor q3 = Tensor.randn(1, 2, 5, 8);
        Tensor k3 = Tensor.randn(2, 2, 6, 8);
        Tensor v3 = Tensor.randn(3, 2, 6, 4);
        AttentionOutput out = ScaledDotProductAttention.attend(q3, k3, v3, Mask.none(),
                AttentionOptions.DEFAULTS.withWeights(AttentionWeights.PER_HEAD));
        assertThat(out.output().shape().dims()).containsExactly(2, 5, 4);
        assertThat(out.weights().shape().dims()).containsExactly(2, 5, 6);
        Tensor four = ScaledDotProductAttention.attend(q3.reshape(2, 1, 5, 8), k3.reshape(2, 1, 6, 8),
                v3.reshape(2, 1, 6, 4), Mask.none());
        assertThat(four.reshape(2, 5, 4).bitEquals(out.output())).isTrue();
    }

    @Test
    void dropoutIsSeededAndOffAtInference() {
        AttentionOptions train = AttentionOptions.DEFAULTS.withDropout(0.5f, Mode.training(42))
                .withWeights(AttentionWeights.PER_HEAD);
        AttentionOutput a = ScaledDotProductAttention.attend(q, k, v, Mask.none(), train);
        AttentionOutput b = ScaledDotProductAttention.attend(q, k, v, Mask.none(), train);
        AttentionOutput c = ScaledDotProductAttention.attend(q, k, v, Mask.none(),
                train.withDropout(0.5f, Mode.training(43)));
        AttentionOutput inference = ScaledDotProductAttention.attend(q, k, v, Mask.none(),
                train.withDropout(0.5f, Mode.INFERENCE));
        AttentionOutput plain = ScaledDotProductAttention.attend(q, k, v, Mask.none(),
                AttentionOptions.DEFAULTS.withWeights(AttentionWeights.PER_HEAD));
        assertThat(a.output().bitEquals(b.output())).isTrue();
        assertThat(a.output().bitEquals(c.output())).isFalse();
        assertThat(inference.output().bitEquals(plain.output())).isTrue();
        // Each kept weight is p / (1 - p); dropped ones are 0; about half are dropped.
        int dropped = 0;
        float[] wa = a.weights().data();
        float[] wp = plain.weights().data();
        for (int i = 0; i < wa.length; i++) {
            if (wa[i] == 0f) {
                dropped++;
            } else {
                assertThat(wa[i]).isCloseTo(wp[i] * 2f, org.assertj.core.data.Offset.offset(1e-6f));
            }
        }
        assertThat((double) dropped / wa.length).isBetween(0.45, 0.55);
    }

    @Test
    void trainingWithATapeSendsGradientsToTheCallersTensors() {
        Tensor q3 = Tensor.randn(4, 2, 5, 8);
        Tensor k3 = Tensor.randn(5, 2, 6, 8);
        Tensor v3 = Tensor.randn(6, 2, 6, 4);
        Tape tape = new Tape();
        AttentionOptions train = AttentionOptions.DEFAULTS.withDropout(0.2f, Mode.training(7, tape));
        Tensor out = ScaledDotProductAttention.attend(q3, k3, v3, Mask.keyLengths(6, 4, 6), train).output();
        AttentionOutput untaped = ScaledDotProductAttention.attend(q3, k3, v3, Mask.keyLengths(6, 4, 6),
                train.withDropout(0.2f, Mode.training(7)));
        assertThat(tape.size()).isEqualTo(1);
        assertThat(out.bitEquals(untaped.output())).isTrue();

        Tensor loss = Tensor.scalar(0f);
        tape.record(grads -> grads.add(out, Tensor.randn(8, 2, 5, 4)));
        Gradients grads = tape.backward(loss);
        // The 3-D tensors passed in get the gradients (no hidden reshape in between) ...
        assertThat(grads.get(q3).shape()).isEqualTo(q3.shape());
        assertThat(grads.get(k3).shape()).isEqualTo(k3.shape());
        assertThat(grads.get(v3).shape()).isEqualTo(v3.shape());
        // ... and the padded keys 4 and 5 of sequence 0 get none: the mask applies in backward too.
        for (int j = 4; j < 6; j++) {
            for (int d = 0; d < 8; d++) {
                assertThat(grads.get(k3).get(0, j, d) == 0f).as("dKey[0, %d, %d]", j, d).isTrue();
            }
            for (int d = 0; d < 4; d++) {
                assertThat(grads.get(v3).get(0, j, d) == 0f).as("dValue[0, %d, %d]", j, d).isTrue();
            }
        }
        assertThat(grads.get(k3).get(1, 5, 0)).isNotZero();
    }

    @Test
    void sameBitsAtOneAndTwoThreads() {
        int before = Parallel.threads();
        try {
            Parallel.setThreads(1);
            Tensor one = ScaledDotProductAttention.attend(q, k, v, Mask.causal());
            Parallel.setThreads(2);
            Tensor two = ScaledDotProductAttention.attend(q, k, v, Mask.causal());
            assertThat(two.bitEquals(one)).isTrue();
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void shapeErrorsNameTheArgumentAndBothShapes() {
        assertThatThrownBy(() -> ScaledDotProductAttention.attend(q, Tensor.zeros(B, H, S, E + 1), v, Mask.none()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("key").hasMessageContaining("[2, 3, 37, 22]").hasMessageContaining("headDim");
        assertThatThrownBy(() -> ScaledDotProductAttention.attend(q, k, Tensor.zeros(B, H, S + 1, EV), Mask.none()))
                .hasMessageContaining("value").hasMessageContaining("[2, 3, 38, 18]");
        assertThatThrownBy(() -> ScaledDotProductAttention.attend(Tensor.zeros(4, 4), k, v, Mask.none()))
                .hasMessageContaining("query").hasMessageContaining("[4, 4]");
        assertThatThrownBy(() -> ScaledDotProductAttention.attend(q, k, v, Mask.bool(new boolean[L * L], L, L)))
                .hasMessageContaining("bool mask").hasMessageContaining("[19, 37]").hasMessageContaining("[19, 19]");
        assertThatThrownBy(() -> ScaledDotProductAttention.attend(q, k, v, Mask.keyLengths(S, 3)))
                .hasMessageContaining("key padding").hasMessageContaining("[2, 37]").hasMessageContaining("[1, 37]");
    }
}
