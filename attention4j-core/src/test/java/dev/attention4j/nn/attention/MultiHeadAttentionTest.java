package dev.attention4j.nn.attention;

import dev.attention4j.kernels.Parallel;
import dev.attention4j.nn.Mode;
import dev.attention4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MultiHeadAttentionTest {

    final MultiHeadAttention attention = new MultiHeadAttention(MultiHeadAttentionConfig.of(24, 4), 7L);
    final Tensor x = Tensor.randn(11, 2, 9, 24);

    /**
     * Self-attention (one tensor for query, key and value) projects Q, K and V in one product and attends in place;
     * cross-attention with memory = a copy of x projects them apart: the same bits, with and without weights.
     */
    @Test
    void selfAttentionEqualsCrossAttentionWithMemoryEqualToX() {
        for (Mask mask : new Mask[] {Mask.none(), Mask.causal(), Mask.causal().and(Mask.keyLengths(9, 9, 0))}) {
            Tensor self = attention.forward(x, x, x, mask);
            Tensor cross = attention.forward(x, x.copy(), x.copy(), mask);
            assertThat(cross.bitEquals(self)).as("%s", mask).isTrue();
            AttentionOutput selfWeights = attention.forward(x, x, x, mask, AttentionWeights.PER_HEAD);
            AttentionOutput crossWeights = attention.forward(x, x.copy(), x.copy(), mask, AttentionWeights.PER_HEAD);
            assertThat(selfWeights.output().bitEquals(self)).as("%s", mask).isTrue();
            assertThat(selfWeights.weights().bitEquals(crossWeights.weights())).as("%s", mask).isTrue();
        }
    }

    /**
     * A NaN in one input token reaches the outputs as in PyTorch: the weights of every query that sees the token are
     * NaN (all queries without a mask, the token's own and later ones under the causal mask), the others' stay finite;
     * and every output is NaN, those of the earlier queries under the causal mask too, since their weight of 0 on the
     * token's NaN value row is still multiplied in (0 x NaN, as in PyTorch's product). On the tiled path at a short
     * and a long length, frozen or not.
     */
    @Test
    void aNaNTokenReachesEveryOutputThatAttendsToIt() {
        for (int n : new int[] {9, 300}) {
            for (boolean frozen : new boolean[] {false, true}) {
                MultiHeadAttention module = new MultiHeadAttention(MultiHeadAttentionConfig.of(24, 4), 7L);
                if (frozen) {
                    module.freeze();
                }
                Tensor input = Tensor.randn(12, 1, n, 24);
                int poisoned = 3;
                input.data()[poisoned * 24 + 5] = Float.NaN;
                for (Mask mask : new Mask[] {Mask.none(), Mask.causal()}) {
                    AttentionOutput out = module.forward(input, input, input, mask, AttentionWeights.PER_HEAD);
                    for (int i = 0; i < n; i++) {
                        boolean sees = mask == Mask.none() || i >= poisoned;
                        for (int c = 0; c < 24; c++) {
                            assertThat(out.output().data()[i * 24 + c])
                                    .as("n=%d frozen=%s %s: output (%d, %d)", n, frozen, mask, i, c).isNaN();
                        }
                        assertThat(Float.isNaN(out.weights().data()[i * n + poisoned]))
                                .as("n=%d frozen=%s %s: weight of query %d on the token", n, frozen, mask, i)
                                .isEqualTo(sees);
                    }
                }
            }
        }
    }

    /**
     * Training on the one packed projection gives the gradients of the three projections apart: {@code in_proj_weight}
     * and {@code in_proj_bias} the same bits (each row of their gradient is the same chain), {@code x} the sum of the
     * three paths' gradients up to float rounding (one product over {@code 3 * modelDim} against three added).
     */
    @Test
    void selfAttentionTrainsAsCrossAttentionWithMemoryEqualToX() {
        Tensor r = Tensor.randn(12, 2, 9, 24);
        Map<String, Tensor> params = new java.util.HashMap<>();
        attention.collectParameters("", params);
        var selfTape = new dev.attention4j.autograd.Tape();
        Tensor self = attention.forward(x, x, x, Mask.causal(), AttentionWeights.NONE, Mode.training(1, selfTape))
                .output();
        var selfGrads = selfTape.backward(dev.attention4j.autograd.WeightedSumOp.apply(selfTape, self, r));
        Tensor key = x.copy();
        Tensor value = x.copy();
        var crossTape = new dev.attention4j.autograd.Tape();
        Tensor cross = attention.forward(x, key, value, Mask.causal(), AttentionWeights.NONE,
                Mode.training(1, crossTape)).output();
        var crossGrads = crossTape.backward(dev.attention4j.autograd.WeightedSumOp.apply(crossTape, cross, r));
        assertThat(self.bitEquals(cross)).isTrue();
        for (String name : params.keySet()) {
            assertThat(selfGrads.get(params.get(name)).bitEquals(crossGrads.get(params.get(name)))).as(name).isTrue();
        }
        float[] dx = selfGrads.get(x).data();
        float[] dq = crossGrads.get(x).data();
        float[] dk = crossGrads.get(key).data();
        float[] dv = crossGrads.get(value).data();
        for (int i = 0; i < dx.length; i++) {
            float expected = dq[i] + dk[i] + dv[i];
            assertThat(dx[i]).as("dx[%d]", i).isCloseTo(expected, org.assertj.core.data.Offset.offset(
                    1e-5f + 1e-5f * Math.abs(expected)));
        }
    }

    /**
     * At inference self-attention holds Q, K and V in one {@code (batchSize, len, 3 * modelDim)} buffer and nothing
     * more: the heads' output overwrites the queries and no block of {@code in_proj_weight} is copied. Counted on the
     * calling thread with one thread; the least over calls, once the JIT has compiled the kernels. (Head dim 64, as
     * in the benchmark: at some narrower heads and widths C2 leaves a few of the vector kernels' temporaries boxed.)
     */
    @Test
    void selfAttentionAtInferenceAllocatesTheProjectionsAndTheOutputOnly() {
        int n = 2048;
        int e = 128;
        var module = new MultiHeadAttention(MultiHeadAttentionConfig.of(e, 2), 3L);
        Tensor input = Tensor.randn(5, 1, n, e);
        long projections = 4L * n * 3 * e;
        long output = 4L * n * e;
        long bound = projections + output + 64 * 1024;
        dev.attention4j.kernels.WithThreads.run(1, () -> {
            long least = Long.MAX_VALUE;
            for (int call = 0; call < 100 && least >= bound; call++) { // the kernels compile by call 25-30
                long start = allocatedBytes();
                module.forward(input, input, input, Mask.causal());
                least = Math.min(least, allocatedBytes() - start);
            }
            assertThat(least).isLessThan(bound);
        });
    }

    private static long allocatedBytes() {
        var bean = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        return bean.getThreadAllocatedBytes(Thread.currentThread().threadId());
    }

    @Test
    void crossAttentionOutputHasTheQueryLength() {
        MultiHeadAttention cross = new MultiHeadAttention(MultiHeadAttentionConfig.of(24, 4).withKeyValueDims(10, 6), 3L);
        Tensor target = Tensor.randn(1, 2, 5, 24);
        AttentionOutput out = cross.forward(target, Tensor.randn(2, 2, 13, 10), Tensor.randn(3, 2, 13, 6),
                Mask.keyLengths(13, 13, 8), AttentionWeights.PER_HEAD);
        assertThat(out.output().shape().dims()).containsExactly(2, 5, 24);
        assertThat(out.weights().shape().dims()).containsExactly(2, 4, 5, 13);
        assertThat(cross.namedParameters()).containsKeys("q_proj_weight", "k_proj_weight", "v_proj_weight",
                "in_proj_bias").doesNotContainKey("in_proj_weight");
        assertThat(cross.namedParameters().get("k_proj_weight").shape().dims()).containsExactly(24, 10);
        // padded keys get no weight
        for (int h = 0; h < 4; h++) {
            for (int i = 0; i < 5; i++) {
                for (int j = 8; j < 13; j++) {
                    assertThat(out.weights().get(1, h, i, j)).isZero();
                }
            }
        }
    }

    @Test
    void headAverageIsTheMeanOfPerHeadWeights() {
        Tensor perHead = attention.forward(x, x, x, Mask.none(), AttentionWeights.PER_HEAD).weights();
        Tensor average = attention.forward(x, x, x, Mask.none(), AttentionWeights.HEAD_AVERAGE).weights();
        for (int b = 0; b < 2; b++) {
            for (int i = 0; i < 9; i++) {
                for (int j = 0; j < 9; j++) {
                    float sum = 0;
                    for (int h = 0; h < 4; h++) {
                        sum += perHead.get(b, h, i, j);
                    }
                    assertThat(average.get(b, i, j)).isCloseTo(sum / 4, org.assertj.core.data.Offset.offset(1e-7f));
                }
            }
        }
    }

    @Test
    void causalSelfAttentionAtTIgnoresLaterTokens() {
        Tensor y = x.copy();
        for (int i = 6 * 24; i < 9 * 24; i++) {
            y.data()[i] = -y.data()[i];
            y.data()[9 * 24 + i] *= 2; // second sequence too
        }
        Tensor outX = attention.forward(x, x, x, Mask.causal());
        Tensor outY = attention.forward(y, y, y, Mask.causal());
        for (int b = 0; b < 2; b++) {
            for (int t = 0; t < 6; t++) {
                for (int d = 0; d < 24; d++) {
                    assertThat(outY.get(b, t, d)).isEqualTo(outX.get(b, t, d));
                }
            }
        }
    }

    @Test
    void addBiasKvAndZeroAttnAppendAlwaysVisibleKeys() {
        MultiHeadAttention extra = new MultiHeadAttention(MultiHeadAttentionConfig.of(24, 4).withBiasKv().withZeroAttn(), 5L);
        AttentionOutput out = extra.forward(x, x, x, Mask.keyLengths(9, 0, 9), AttentionWeights.PER_HEAD);
        assertThat(out.weights().shape().dims()).containsExactly(2, 4, 9, 11);
        // sequence 0 has no real keys: all its weight goes to bias_k and the zero key, and nothing is NaN
        for (int h = 0; h < 4; h++) {
            float visible = out.weights().get(0, h, 0, 9) + out.weights().get(0, h, 0, 10);
            assertThat(visible).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-6f));
        }
        for (float f : out.output().data()) {
            assertThat(f).isFinite();
        }
        assertThat(extra.namedParameters()).containsKeys("bias_k", "bias_v");
    }

    @Test
    void dropoutOnlyInTrainingAndSeeded() {
        MultiHeadAttention dropping = new MultiHeadAttention(MultiHeadAttentionConfig.of(24, 4).withDropout(0.3f), 7L);
        Tensor inference = dropping.forward(x, x, x, Mask.none());
        assertThat(inference.bitEquals(attention.forward(x, x, x, Mask.none()))).isTrue();
        Tensor t1 = dropping.forward(x, x, x, Mask.none(), AttentionWeights.NONE, Mode.training(1)).output();
        Tensor t1again = dropping.forward(x, x, x, Mask.none(), AttentionWeights.NONE, Mode.training(1)).output();
        Tensor t2 = dropping.forward(x, x, x, Mask.none(), AttentionWeights.NONE, Mode.training(2)).output();
        assertThat(t1.bitEquals(t1again)).isTrue();
        assertThat(t1.bitEquals(t2)).isFalse();
        assertThat(t1.bitEquals(inference)).isFalse();
    }

    @Test
    void sameBitsAtOneAndTwoThreads() {
        int before = Parallel.threads();
        try {
            Parallel.setThreads(1);
            AttentionOutput one = attention.forward(x, x, x, Mask.causal(), AttentionWeights.PER_HEAD);
            Parallel.setThreads(2);
            AttentionOutput two = attention.forward(x, x, x, Mask.causal(), AttentionWeights.PER_HEAD);
            assertThat(two.output().bitEquals(one.output())).isTrue();
            assertThat(two.weights().bitEquals(one.weights())).isTrue();
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void stateDictUsesPyTorchNames() {
        Map<String, Tensor> params = attention.namedParameters();
        assertThat(params.keySet()).containsExactly("in_proj_weight", "in_proj_bias", "out_proj.weight",
                "out_proj.bias");
        assertThat(params.get("in_proj_weight").shape().dims()).containsExactly(72, 24);
        assertThat(new MultiHeadAttention(MultiHeadAttentionConfig.of(24, 4).withoutBias(), 1L).namedParameters()
                .keySet()).containsExactly("in_proj_weight", "out_proj.weight");
    }

    @Test
    void configErrorsNameTheFieldAndValues() {
        assertThatThrownBy(() -> MultiHeadAttentionConfig.of(24, 5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("numHeads").hasMessageContaining("24").hasMessageContaining("5");
        assertThatThrownBy(() -> MultiHeadAttentionConfig.of(0, 1)).hasMessageContaining("modelDim");
        assertThatThrownBy(() -> MultiHeadAttentionConfig.of(8, 2).withDropout(1f)).hasMessageContaining("dropout");
    }

    @Test
    void shapeErrorsNameTheArgumentExpectedAndActual() {
        assertThatThrownBy(() -> attention.forward(Tensor.zeros(2, 9, 16), x, x, Mask.none()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("query").hasMessageContaining("modelDim").hasMessageContaining("24")
                .hasMessageContaining("[2, 9, 16]");
        assertThatThrownBy(() -> attention.forward(x, Tensor.zeros(3, 9, 24), x, Mask.none()))
                .hasMessageContaining("key").hasMessageContaining("[3, 9, 24]");
        assertThatThrownBy(() -> attention.forward(x, x, Tensor.zeros(2, 8, 24), Mask.none()))
                .hasMessageContaining("value").hasMessageContaining("[2, 8, 24]");
        assertThatThrownBy(() -> attention.forward(x, x, x, Mask.bool(new boolean[9 * 8], 9, 8)))
                .hasMessageContaining("bool mask").hasMessageContaining("[9, 9]").hasMessageContaining("[9, 8]");
        assertThatThrownBy(() -> attention.forward(x, x, x, Mask.additive(Tensor.zeros(2, 3, 9, 9))))
                .hasMessageContaining("additive mask").hasMessageContaining("[2, 3, 9, 9]");
    }

    @Test
    void torchMaskConvertersFlipPolarity() {
        boolean[] blocked = {false, true, false, false};
        Mask.Bool mask = (Mask.Bool) TorchMasks.fromMultiheadAttentionBoolMask(blocked, 1, 2, 2);
        assertThat(mask.keep()).containsExactly(true, false, true, true);
        Mask.KeyPadding padding = (Mask.KeyPadding) TorchMasks.fromKeyPaddingMask(new boolean[][] {{false, true}});
        assertThat(padding.keep()[0]).containsExactly(true, false);
        Mask.Bool sdpa = (Mask.Bool) TorchMasks.fromScaledDotProductBoolMask(blocked, 2, 2);
        assertThat(sdpa.keep()).containsExactly(blocked);
        Mask.Additive threeD = (Mask.Additive) TorchMasks.fromMultiheadAttentionFloatMask(Tensor.zeros(6, 3, 5), 3);
        assertThat(threeD.bias().shape().dims()).containsExactly(2, 3, 3, 5);
        assertThatThrownBy(() -> TorchMasks.fromMultiheadAttentionFloatMask(Tensor.zeros(5, 3, 5), 3))
                .hasMessageContaining("numHeads = 3");
    }
}
