package dev.attention4j.train;

import dev.attention4j.autograd.Gradients;
import dev.attention4j.kernels.Parallel;
import dev.attention4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class GradientClippingTest {

    private final Tensor a = Tensor.zeros(2);
    private final Tensor b = Tensor.zeros(3);
    private final Tensor unused = Tensor.zeros(4);
    private final Map<String, Tensor> params = new LinkedHashMap<>();
    private final Gradients grads = new Gradients();

    GradientClippingTest() {
        params.put("a", a);
        params.put("b", b);
        params.put("unused", unused);
        grads.add(a, Tensor.of(new float[] {3f, 4f}, 2));
        grads.add(b, Tensor.of(new float[] {0f, 0f, -12f}, 3)); // global norm sqrt(9 + 16 + 144) = 13
    }

    @Test
    void scalesEveryGradientByMaxNormOverNormWhenTheNormIsLarger() {
        float norm = GradientClipping.clipGlobalNorm(params, grads, 6.5f);
        assertThat(norm).isEqualTo(13f);
        float coef = 6.5f / (13f + 1e-6f);
        assertThat(grads.get(a).data()).containsExactly(3f * coef, 4f * coef);
        assertThat(grads.get(b).data()).containsExactly(0f, 0f, -12f * coef);
        assertThat(grads.get(unused)).isNull();
        assertThat(GradientClipping.clipGlobalNorm(params, grads, 6.5f)).isCloseTo(6.5f,
                within(1e-5f));
    }

    @Test
    void leavesGradientsAloneWhenTheNormIsWithinBounds() {
        assertThat(GradientClipping.clipGlobalNorm(params, grads, 13.5f)).isEqualTo(13f);
        assertThat(grads.get(a).data()).containsExactly(3f, 4f);
        assertThat(grads.get(b).data()).containsExactly(0f, 0f, -12f);
    }

    @Test
    void aNonFiniteNormIsReportedAndNothingIsScaled() {
        grads.get(b).data()[0] = Float.NaN;
        assertThat(GradientClipping.clipGlobalNorm(params, grads, 1f)).isNaN();
        assertThat(grads.get(a).data()).containsExactly(3f, 4f);
        grads.get(b).data()[0] = Float.POSITIVE_INFINITY;
        assertThat(GradientClipping.clipGlobalNorm(params, grads, 1f)).isInfinite();
        assertThat(grads.get(a).data()).containsExactly(3f, 4f);
    }

    @Test
    void theSumOfSquaresIsInDoubleSoLargeGradientsDoNotOverflow() {
        Gradients big = new Gradients();
        big.add(a, Tensor.of(new float[] {3e30f, 4e30f}, 2)); // squares overflow float
        assertThat(GradientClipping.clipGlobalNorm(Map.of("a", a), big, 1f)).isCloseTo(5e30f, within(1e24f));
        assertThat(big.get(a).data()[0]).isCloseTo(0.6f, within(1e-6f));
    }

    @Test
    void aGradientBufferSharedByTwoParametersIsScaledOnce() {
        Tensor shared = Tensor.of(new float[] {3f, 4f}, 2);
        Tensor c = Tensor.zeros(2);
        Gradients sharing = new Gradients();
        sharing.add(a, shared);
        sharing.add(c, shared);
        Map<String, Tensor> both = new LinkedHashMap<>(Map.of("a", a, "c", c));
        float norm = GradientClipping.clipGlobalNorm(both, sharing, 1f);
        assertThat((double) norm).isCloseTo(Math.sqrt(50), within(1e-6));
        float coef = 1f / (norm + 1e-6f);
        assertThat(shared.data()).containsExactly(3f * coef, 4f * coef);
    }

    @Test
    void theNormOfManyOddLengthGradientsIsTheExactOneRoundedAndTheSameAtAnyThreadCount() {
        Map<String, Tensor> many = new LinkedHashMap<>();
        Gradients g = new Gradients();
        BigDecimal exact = BigDecimal.ZERO;
        for (int p = 0; p < 9; p++) {
            Tensor param = Tensor.zeros(1 + 1000 * p + p % 4);
            Tensor grad = Tensor.randn(p, param.size());
            many.put("p" + p, param);
            g.add(param, grad);
            for (float x : grad.data()) {
                exact = exact.add(new BigDecimal(x).multiply(new BigDecimal(x)));
            }
        }
        float want = (float) Math.sqrt(exact.doubleValue());
        int before = Parallel.threads();
        try {
            Parallel.setThreads(1);
            float one = GradientClipping.clipGlobalNorm(many, g, Float.MAX_VALUE);
            Parallel.setThreads(2);
            float two = GradientClipping.clipGlobalNorm(many, g, Float.MAX_VALUE);
            assertThat(one).isCloseTo(want, within(Math.ulp(want)));
            assertThat(Float.floatToRawIntBits(two)).isEqualTo(Float.floatToRawIntBits(one));
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void rejectsANonPositiveMaxNorm() {
        assertThatThrownBy(() -> GradientClipping.clipGlobalNorm(params, grads, 0f))
                .hasMessage("maxNorm: expected a finite value > 0 but got 0.0");
    }
}
