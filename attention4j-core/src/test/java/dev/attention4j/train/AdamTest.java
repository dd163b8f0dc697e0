package dev.attention4j.train;

import dev.attention4j.autograd.Gradients;
import dev.attention4j.kernels.Parallel;
import dev.attention4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class AdamTest {

    private static final double[] P0 = {0.5, -1.25};
    /** Three steps of gradients, small enough against eps = 1e-2 that where eps goes matters. */
    private static final double[][] GRADS = {{0.02, -0.003}, {-0.01, 0.004}, {0.03, 0.001}};

    /**
     * The textbook algorithm in double: m_hat = m / (1 - beta1^t), v_hat = v / (1 - beta2^t),
     * p -= lr * m_hat / (sqrt(v_hat) + eps), with L2 or decoupled weight decay. Returns p after each step.
     */
    static double[][] reference(double[] p0, double[][] grads, double[] lrs, double beta1, double beta2, double eps,
                                double weightDecay, WeightDecay mode) {
        double[] p = p0.clone();
        double[] m = new double[p.length];
        double[] v = new double[p.length];
        double[][] out = new double[grads.length][];
        for (int t = 1; t <= grads.length; t++) {
            double lr = lrs[t - 1];
            for (int i = 0; i < p.length; i++) {
                double g = grads[t - 1][i];
                if (mode == WeightDecay.L2) {
                    g += weightDecay * p[i];
                } else if (mode == WeightDecay.DECOUPLED) {
                    p[i] *= 1 - lr * weightDecay;
                }
                m[i] = beta1 * m[i] + (1 - beta1) * g;
                v[i] = beta2 * v[i] + (1 - beta2) * g * g;
                double mHat = m[i] / (1 - Math.pow(beta1, t));
                double vHat = v[i] / (1 - Math.pow(beta2, t));
                p[i] -= lr * mHat / (Math.sqrt(vHat) + eps);
            }
            out[t - 1] = p.clone();
        }
        return out;
    }

    /** Runs {@code adam} for the three steps of {@link #GRADS} from {@link #P0}; returns p after each step. */
    private static float[][] run(Adam adam, float[] lrs) {
        Tensor param = Tensor.of(new float[] {(float) P0[0], (float) P0[1]}, 2);
        Map<String, Tensor> params = Map.of("w", param);
        float[][] out = new float[GRADS.length][];
        for (int t = 0; t < GRADS.length; t++) {
            Gradients grads = new Gradients();
            grads.add(param, Tensor.of(new float[] {(float) GRADS[t][0], (float) GRADS[t][1]}, 2));
            adam.step(params, grads, lrs[t]);
            out[t] = param.data().clone();
        }
        return out;
    }

    private static void checkAgainstReference(AdamConfig config, float[] lrs) {
        float[][] actual = run(new Adam(config), lrs);
        double[] lrsDouble = new double[lrs.length];
        for (int i = 0; i < lrs.length; i++) {
            lrsDouble[i] = Double.parseDouble(Float.toString(lrs[i]));
        }
        double[][] expected = reference(P0, GRADS, lrsDouble, Double.parseDouble(Float.toString(config.beta1())),
                Double.parseDouble(Float.toString(config.beta2())), Double.parseDouble(Float.toString(config.eps())),
                Double.parseDouble(Float.toString(config.weightDecay())), config.mode());
        for (int t = 0; t < expected.length; t++) {
            for (int i = 0; i < 2; i++) {
                assertThat((double) actual[t][i]).as("%s: step %d, element %d", config, t + 1, i)
                        .isCloseTo(expected[t][i], within(1e-6 + 1e-6 * Math.abs(expected[t][i])));
            }
        }
    }

    @Test
    void aLargeParameterSplitAcrossThreadsGetsTheBitsOfOneThread() {
        int before = Parallel.threads();
        try {
            Tensor one = adamSteps(1);
            Tensor two = adamSteps(2);
            assertThat(two.bitEquals(one)).isTrue();
            assertThat(Parallel.splits(one.size(), 1 << 16)).as("the update was split at two threads").isTrue();
        } finally {
            Parallel.setThreads(before);
        }
    }

    private static Tensor adamSteps(int threads) {
        Parallel.setThreads(threads);
        Tensor w = Tensor.randn(3, 300_001);                     // a few chunks and a ragged end
        Map<String, Tensor> ps = Map.of("w", w);
        Adam adam = new Adam(AdamConfig.pytorchAdamW());                 // decoupled weight decay on
        for (int step = 0; step < 3; step++) {
            Gradients g = new Gradients();
            g.add(w, Tensor.randn(10 + step, 300_001));
            adam.step(ps, g, 1e-3f);
        }
        return w;
    }

    @Test
    void adamMatchesTheDoublePrecisionAlgorithmForThreeSteps() {
        checkAgainstReference(new AdamConfig(0.9f, 0.999f, 1e-2f, 0f, WeightDecay.NONE), new float[] {0.1f, 0.1f, 0.1f});
    }

    @Test
    void adamWithL2WeightDecay() {
        checkAgainstReference(new AdamConfig(0.8f, 0.99f, 1e-2f, 0.5f, WeightDecay.L2), new float[] {0.1f, 0.05f, 0.2f});
    }

    @Test
    void adamWWithDecoupledWeightDecay() {
        checkAgainstReference(new AdamConfig(0.8f, 0.99f, 1e-2f, 0.5f, WeightDecay.DECOUPLED),
                new float[] {0.1f, 0.05f, 0.2f});
    }

    @Test
    void presetsAgreeWithTheReferenceToo() {
        checkAgainstReference(AdamConfig.paper(), new float[] {1e-3f, 2e-3f, 3e-3f});
        checkAgainstReference(AdamConfig.pytorchAdamW(), new float[] {1e-3f, 2e-3f, 3e-3f});
    }

    @Test
    void theFirstStepMovesEachElementByAboutTheLearningRate() {
        // t = 1: m_hat = g and v_hat = g^2, so the update is lr * g / (|g| + eps).
        Tensor w = Tensor.of(new float[] {1f, 1f}, 2);
        Gradients grads = new Gradients();
        grads.add(w, Tensor.of(new float[] {3f, -0.5f}, 2));
        new Adam(AdamConfig.pytorchAdam()).step(Map.of("w", w), grads, 0.01f);
        assertThat(w.data()[0]).isCloseTo(1f - 0.01f * 3f / (3f + 1e-8f), within(1e-7f));
        assertThat(w.data()[1]).isCloseTo(1f + 0.01f * 0.5f / (0.5f + 1e-8f), within(1e-7f));
    }

    @Test
    void decoupledDecayShrinksAParameterWithZeroGradient() {
        // m = v = 0, so the Adam part is 0 / eps = 0: only p * (1 - lr * weightDecay) remains.
        Tensor w = Tensor.of(new float[] {2f, -4f}, 2);
        Gradients grads = new Gradients();
        grads.add(w, Tensor.zeros(2));
        new Adam(new AdamConfig(0.9f, 0.999f, 1e-8f, 0.1f, WeightDecay.DECOUPLED)).step(Map.of("w", w), grads, 0.5f);
        assertThat(w.data()).containsExactly(2f * 0.95f, -4f * 0.95f);
    }

    @Test
    void l2WithZeroDecayIsPlainAdamEvenForAnInfiniteParameter() {
        Tensor plain = Tensor.of(new float[] {Float.POSITIVE_INFINITY, 0.5f}, 2);
        Tensor l2 = plain.copy();
        Gradients plainGrads = new Gradients();
        plainGrads.add(plain, Tensor.of(new float[] {0.25f, -2f}, 2));
        Gradients l2Grads = new Gradients();
        l2Grads.add(l2, Tensor.of(new float[] {0.25f, -2f}, 2));
        new Adam(AdamConfig.pytorchAdam()).step(Map.of("w", plain), plainGrads, 0.1f);
        new Adam(new AdamConfig(0.9f, 0.999f, 1e-8f, 0f, WeightDecay.L2)).step(Map.of("w", l2), l2Grads, 0.1f);
        assertThat(l2.bitEquals(plain)).isTrue();
        assertThat(l2.data()[0]).isEqualTo(Float.POSITIVE_INFINITY);
    }

    @Test
    void hyperParametersAreWidenedAsTheirDecimalForm() {
        assertThat(Adam.decimal(0.999f)).isEqualTo(0.999);
        assertThat(Adam.decimal(0.9f)).isEqualTo(0.9);
        assertThat(Adam.decimal(1e-9f)).isEqualTo(1e-9);
        assertThat((float) Adam.decimal(0.1f + 0.2f)).isEqualTo(0.1f + 0.2f);
    }

    @Test
    void aParameterWithoutGradientIsSkippedEntirelyAndKeepsItsOwnStepCount() {
        Tensor a = Tensor.of(new float[] {1f, 2f}, 2);
        Tensor b = Tensor.of(new float[] {3f}, 1);
        Map<String, Tensor> params = new LinkedHashMap<>();
        params.put("a", a);
        params.put("b", b);
        Adam adam = new Adam(new AdamConfig(0.9f, 0.999f, 1e-8f, 0.1f, WeightDecay.DECOUPLED));

        Gradients onlyA = new Gradients();
        onlyA.add(a, Tensor.of(new float[] {0.1f, 0.2f}, 2));
        adam.step(params, onlyA, 0.1f);
        adam.step(params, onlyA, 0.1f);
        assertThat(b.data()).containsExactly(3f); // not even decayed
        assertThat(adam.state()).containsOnlyKeys("exp_avg.a", "exp_avg_sq.a", "step.a", "steps");

        Gradients both = new Gradients();
        both.add(a, Tensor.of(new float[] {0.1f, 0.2f}, 2));
        both.add(b, Tensor.of(new float[] {-1f}, 1));
        adam.step(params, both, 0.1f);
        Map<String, Tensor> state = adam.state();
        assertThat(state.get("step.a").data()).containsExactly(0f, 3f);
        assertThat(state.get("step.b").data()).containsExactly(0f, 1f);
        assertThat(state.get("steps").data()).containsExactly(0f, 3f);
        assertThat(adam.steps()).isEqualTo(3);
        // b's first step is its t = 1 (full bias correction): 3 * 0.99 + 0.1 * 1 / (1 + 1e-8)
        double expected = 3 * (1 - 0.1 * 0.1) + 0.1 * 1 / (1 + 1e-8);
        assertThat((double) b.data()[0]).isCloseTo(expected, within(1e-6));
    }

    @Test
    void savedStateResumesBitForBit() {
        AdamConfig config = AdamConfig.pytorchAdamW();
        Tensor w1 = Tensor.randn(1, 3, 5);
        Tensor b1 = Tensor.randn(2, 5);
        Map<String, Tensor> params1 = new LinkedHashMap<>(Map.of("w", w1, "b", b1));
        Adam first = new Adam(config);
        for (int step = 0; step < 2; step++) {
            first.step(params1, gradients(params1, 10 + step), 1e-2f);
        }
        Map<String, Tensor> saved = first.state();
        Tensor w2 = w1.copy();
        Tensor b2 = b1.copy();
        Map<String, Tensor> params2 = new LinkedHashMap<>(Map.of("w", w2, "b", b2));
        Adam resumed = new Adam(config);
        resumed.loadState(saved);
        assertThat(resumed.steps()).isEqualTo(2);

        for (int step = 2; step < 5; step++) {
            first.step(params1, gradients(params1, 10 + step), 1e-2f);
            resumed.step(params2, gradients(params2, 10 + step), 1e-2f);
        }
        assertThat(w2.bitEquals(w1)).isTrue();
        assertThat(b2.bitEquals(b1)).isTrue();
        Map<String, Tensor> a = first.state();
        Map<String, Tensor> b = resumed.state();
        assertThat(b.keySet()).isEqualTo(a.keySet());
        a.forEach((name, t) -> assertThat(b.get(name).bitEquals(t)).as(name).isTrue());
    }

    private static Gradients gradients(Map<String, Tensor> params, long seed) {
        Gradients grads = new Gradients();
        for (Tensor p : params.values()) {
            grads.add(p, Tensor.randn(seed++, p.shape().dims()));
        }
        return grads;
    }

    @Test
    void stateIsASnapshotAndLoadStateCopies() {
        Tensor w = Tensor.of(new float[] {1f, 2f}, 2);
        Adam adam = new Adam(AdamConfig.paper());
        Gradients grads = new Gradients();
        grads.add(w, Tensor.of(new float[] {1f, 1f}, 2));
        adam.step(Map.of("w", w), grads, 0.1f);
        Map<String, Tensor> state = adam.state();
        float before = state.get("exp_avg.w").data()[0];
        adam.loadState(state);
        state.get("exp_avg.w").data()[0] = 1234f;
        assertThat(adam.state().get("exp_avg.w").data()[0]).isEqualTo(before);
    }

    @Test
    void countsAreExactFarBeyondTwoToTheTwentyFour() {
        for (long count : new long[] {0, 1, (1L << 24) - 1, 1L << 24, (1L << 24) + 3, 123_456_789_012L,
                (1L << 48) - 1}) {
            List<String> problems = new ArrayList<>();
            assertThat(Adam.decodeCount("c", Adam.encodeCount(count), problems)).isEqualTo(count);
            assertThat(problems).isEmpty();
        }
    }

    @Test
    void loadStateRejectsMalformedStateAndChangesNothing() {
        Tensor w = Tensor.of(new float[] {1f, 2f}, 2);
        Adam adam = new Adam(AdamConfig.paper());
        Gradients grads = new Gradients();
        grads.add(w, Tensor.of(new float[] {1f, 1f}, 2));
        adam.step(Map.of("w", w), grads, 0.1f);
        Map<String, Tensor> good = adam.state();

        Map<String, Tensor> bad = new HashMap<>(good);
        bad.remove("exp_avg_sq.w");
        bad.put("momentum.w", Tensor.zeros(2));
        bad.put("step.w", Tensor.of(new float[] {0f, 1.5f}, 2));
        bad.put("exp_avg.v", Tensor.zeros(3));
        assertThatThrownBy(() -> adam.loadState(bad))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unexpected: [momentum.w]")
                .hasMessageContaining("parameter 'w' needs")
                .hasMessageContaining("lacks exp_avg_sq.w")
                .hasMessageContaining("parameter 'v' needs");

        Map<String, Tensor> badCount = new HashMap<>(good);
        badCount.put("step.w", Tensor.of(new float[] {0f, 1.5f}, 2));
        assertThatThrownBy(() -> adam.loadState(badCount)).hasMessageContaining("step.w: expected whole numbers");
        Map<String, Tensor> tooMany = new HashMap<>(good);
        tooMany.put("step.w", Adam.encodeCount(7));
        assertThatThrownBy(() -> adam.loadState(tooMany)).hasMessageContaining("step.w is 7, more than steps (1)");
        Map<String, Tensor> noSteps = new HashMap<>(good);
        noSteps.remove("steps");
        assertThatThrownBy(() -> adam.loadState(noSteps)).hasMessageContaining("missing: [steps]");

        Map<String, Tensor> after = adam.state();
        good.forEach((name, t) -> assertThat(after.get(name).bitEquals(t)).as(name).isTrue());
    }

    @Test
    void anEmptyStateIsAFreshOptimizerOnlyWithStepsPresent() {
        Adam adam = new Adam(AdamConfig.paper());
        assertThat(adam.state()).containsOnlyKeys("steps");
        adam.loadState(adam.state());
        assertThat(adam.steps()).isZero();
    }

    @Test
    void stepRejectsBadArgumentsBeforeTouchingAnything() {
        Tensor w = Tensor.of(new float[] {1f, 2f}, 2);
        Adam adam = new Adam(AdamConfig.paper());
        Gradients grads = new Gradients();
        grads.add(w, Tensor.of(new float[] {1f, 1f}, 2));
        assertThatThrownBy(() -> adam.step(Map.of("w", w), grads, -1f))
                .hasMessage("learningRate: expected a finite value >= 0 but got -1.0");
        assertThatThrownBy(() -> adam.step(Map.of("w", w), grads, Float.NaN)).hasMessageContaining("learningRate");
        Map<String, Tensor> tied = new LinkedHashMap<>();
        tied.put("encoder.weight", w);
        tied.put("decoder.weight", w);
        assertThatThrownBy(() -> adam.step(tied, grads, 0.1f)).hasMessageContaining("params['decoder.weight']");

        adam.step(Map.of("w", w), grads, 0.1f);
        Tensor other = Tensor.zeros(3);
        Gradients otherGrads = new Gradients();
        otherGrads.add(other, Tensor.zeros(3));
        Map<String, Tensor> reshaped = new LinkedHashMap<>();
        reshaped.put("a", Tensor.zeros(1));
        reshaped.put("w", other);
        float[] before = w.data().clone();
        assertThatThrownBy(() -> adam.step(reshaped, otherGrads, 0.1f))
                .hasMessage("params['w'] has shape [3] but the optimizer state for it has shape [2]");
        assertThat(adam.steps()).isEqualTo(1);
        assertThat(w.data()).containsExactly(before);
    }

    @Test
    void configValidationNamesTheField() {
        assertThatThrownBy(() -> new AdamConfig(1f, 0.9f, 1e-8f, 0f, WeightDecay.NONE))
                .hasMessage("beta1: expected a value in [0, 1) but got 1.0");
        assertThatThrownBy(() -> new AdamConfig(0.9f, -0.1f, 1e-8f, 0f, WeightDecay.NONE))
                .hasMessage("beta2: expected a value in [0, 1) but got -0.1");
        assertThatThrownBy(() -> new AdamConfig(0.9f, 0.9f, Float.NaN, 0f, WeightDecay.NONE))
                .hasMessage("eps: expected a finite value >= 0 but got NaN");
        assertThatThrownBy(() -> new AdamConfig(0.9f, 0.9f, 1e-8f, -1f, WeightDecay.L2))
                .hasMessage("weightDecay: expected a finite value >= 0 but got -1.0");
        assertThatThrownBy(() -> new AdamConfig(0.9f, 0.9f, 1e-8f, 0.1f, WeightDecay.NONE))
                .hasMessageStartingWith("weightDecay: expected 0 with mode NONE but got 0.1");
        assertThatThrownBy(() -> new AdamConfig(0.9f, 0.9f, 1e-8f, 0f, null)).hasMessage("mode");
    }

    @Test
    void presets() {
        assertThat(AdamConfig.paper()).isEqualTo(new AdamConfig(0.9f, 0.98f, 1e-9f, 0f, WeightDecay.NONE));
        assertThat(AdamConfig.pytorchAdam()).isEqualTo(new AdamConfig(0.9f, 0.999f, 1e-8f, 0f, WeightDecay.NONE));
        assertThat(AdamConfig.pytorchAdamW())
                .isEqualTo(new AdamConfig(0.9f, 0.999f, 1e-8f, 0.01f, WeightDecay.DECOUPLED));
    }
}
