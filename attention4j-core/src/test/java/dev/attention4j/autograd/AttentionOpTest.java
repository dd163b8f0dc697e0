package dev.attention4j.autograd;

import dev.attention4j.kernels.Parallel;
import dev.attention4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.reflect.RecordComponent;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AttentionOpTest {

    // Odd sizes on purpose: nothing divides anything, tgtLen != srcLen, headDim != valueHeadDim.
    private static final int B = 2;
    private static final int H = 3;
    private static final int T = 5;
    private static final int S = 7;
    private static final int E = 3;
    private static final int EV = 4;

    // The largest gradient error measured against the oracle over every case here was 3.0e-7 (both kernel sets).
    private static final double ATOL = 5e-6;
    private static final double RTOL = 1e-4;

    /** Whether query i of (b, h) keeps masked key j, and what is added to its score. */
    interface MaskFn {
        boolean keep(int b, int h, int i, int j);

        default double add(int b, int h, int i, int j) {
            return 0;
        }
    }

    private static final MaskFn NO_MASK = (b, h, i, j) -> true;
    private static final MaskFn CAUSAL_UPPER_LEFT = (b, h, i, j) -> j <= i;
    private static final int[] LENGTHS = {4, 6};
    private static final int[] BLOCKED_ROW = {1, 2, 3}; // (b, h, i) of a row that sees no key at all
    /** Key padding (lengths 4 and 6) plus one fully masked row. */
    private static final MaskFn PADDING_AND_BLOCKED_ROW = (b, h, i, j) -> j < LENGTHS[b]
            && !(b == BLOCKED_ROW[0] && h == BLOCKED_ROW[1] && i == BLOCKED_ROW[2]);

    /** One attention problem: the op's arguments and what the oracle needs to compute the same thing. */
    record Problem(AttentionLayout layout, int batchSize, int numHeads, int tgtLen, int srcLen, int maskedSrcLen,
                   int headDim, int valueHeadDim, float scale, MaskFn mask, float dropout, long seed) {

        static Problem of(AttentionLayout layout) {
            return new Problem(layout, B, H, T, S, S, E, EV, (float) (1 / Math.sqrt(E)), NO_MASK, 0f, 0L);
        }

        Problem sizes(int batchSize, int numHeads, int tgtLen, int srcLen, int headDim, int valueHeadDim) {
            return new Problem(layout, batchSize, numHeads, tgtLen, srcLen, srcLen, headDim, valueHeadDim, scale,
                    mask, dropout, seed);
        }

        Problem masked(MaskFn newMask) {
            return new Problem(layout, batchSize, numHeads, tgtLen, srcLen, maskedSrcLen, headDim, valueHeadDim,
                    scale, newMask, dropout, seed);
        }

        Problem maskCovering(int keys) {
            return new Problem(layout, batchSize, numHeads, tgtLen, srcLen, keys, headDim, valueHeadDim, scale, mask,
                    dropout, seed);
        }

        Problem scaled(float newScale) {
            return new Problem(layout, batchSize, numHeads, tgtLen, srcLen, maskedSrcLen, headDim, valueHeadDim,
                    newScale, mask, dropout, seed);
        }

        Problem withDropout(float p, long newSeed) {
            return new Problem(layout, batchSize, numHeads, tgtLen, srcLen, maskedSrcLen, headDim, valueHeadDim,
                    scale, mask, p, newSeed);
        }

        int[] dims(int len, int width) {
            return switch (layout) {
                case TOKENS_MAJOR -> new int[] {batchSize, len, numHeads * width};
                case HEADS_MAJOR -> new int[] {batchSize, numHeads, len, width};
            };
        }

        /** Flat index of (b, h, row, col) in a tensor of {@code len} rows of {@code width} per head. */
        int index(int b, int h, int row, int col, int len, int width) {
            return switch (layout) {
                case TOKENS_MAJOR -> (b * len + row) * numHeads * width + h * width + col;
                case HEADS_MAJOR -> ((b * numHeads + h) * len + row) * width + col;
            };
        }

        /** The mask as the op sees it: only the first maskedSrcLen keys, as a ScoreMask must. */
        ScoreMask scoreMask() {
            return (scores, off, b, h, i, tgtLen, maskedSrcLen) -> {
                for (int j = 0; j < maskedSrcLen; j++) {
                    if (!mask.keep(b, h, i, j)) {
                        scores[off + j] = Float.NEGATIVE_INFINITY;
                    } else {
                        scores[off + j] += (float) mask.add(b, h, i, j);
                    }
                }
            };
        }

        Tensor apply(Tape tape, Tensor q, Tensor k, Tensor v, float[] weightsOut) {
            return AttentionOp.apply(tape, q, k, v, layout, numHeads, scale, scoreMask(), maskedSrcLen, dropout, seed,
                    weightsOut);
        }

        Tensor query(long s) {
            return GradientCheck.random(s, dims(tgtLen, headDim));
        }

        Tensor key(long s) {
            return GradientCheck.random(s, dims(srcLen, headDim));
        }

        Tensor value(long s) {
            return GradientCheck.random(s, dims(srcLen, valueHeadDim));
        }
    }

    record Expected(double[] output, double[] weights) {
    }

    /**
     * Attention from the formula in double precision, sharing no code with the op: for each (b, h, i),
     * {@code s_j = q_i . k_j * scale + add} (or -inf where blocked; keys from maskedSrcLen on are always visible),
     * {@code p = softmax(s)} (all zeros when every key is blocked), {@code p_j = keep_j ? p_j / (1 - dropout) : 0}
     * with keep_j DropoutOp's flag for weight {@code (bh * tgtLen + i) * srcLen + j}, {@code out_i = sum_j p_j v_j}.
     */
    static Expected oracle(Problem p, double[] q, double[] k, double[] v) {
        int tgtLen = p.tgtLen();
        int srcLen = p.srcLen();
        double[] out = new double[p.batchSize() * p.numHeads() * tgtLen * p.valueHeadDim()];
        double[] weights = new double[p.batchSize() * p.numHeads() * tgtLen * srcLen];
        for (int b = 0; b < p.batchSize(); b++) {
            for (int h = 0; h < p.numHeads(); h++) {
                int bh = b * p.numHeads() + h;
                for (int i = 0; i < tgtLen; i++) {
                    double[] s = new double[srcLen];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < srcLen; j++) {
                        boolean masked = j < p.maskedSrcLen();
                        if (masked && !p.mask().keep(b, h, i, j)) {
                            s[j] = Double.NEGATIVE_INFINITY;
                            continue;
                        }
                        double dot = 0;
                        for (int d = 0; d < p.headDim(); d++) {
                            dot += q[p.index(b, h, i, d, tgtLen, p.headDim())]
                                    * k[p.index(b, h, j, d, srcLen, p.headDim())];
                        }
                        s[j] = dot * p.scale() + (masked ? p.mask().add(b, h, i, j) : 0);
                        max = Math.max(max, s[j]);
                    }
                    if (max == Double.NEGATIVE_INFINITY) {
                        continue; // every key blocked: zero weights, zero output
                    }
                    double sum = 0;
                    for (int j = 0; j < srcLen; j++) {
                        s[j] = Math.exp(s[j] - max);
                        sum += s[j];
                    }
                    for (int j = 0; j < srcLen; j++) {
                        double w = s[j] / sum;
                        if (p.dropout() > 0) {
                            long index = ((long) bh * tgtLen + i) * srcLen + j;
                            w = DropoutOp.keeps(p.seed(), index, p.dropout()) ? w / (1 - p.dropout()) : 0;
                        }
                        weights[(bh * tgtLen + i) * srcLen + j] = w;
                        for (int d = 0; d < p.valueHeadDim(); d++) {
                            out[p.index(b, h, i, d, tgtLen, p.valueHeadDim())]
                                    += w * v[p.index(b, h, j, d, srcLen, p.valueHeadDim())];
                        }
                    }
                }
            }
        }
        return new Expected(out, weights);
    }

    /** Runs the gradient check of {@code p} on seeded inputs. */
    private static void check(String name, Problem p) {
        Tensor q = p.query(1);
        Tensor k = p.key(2);
        Tensor v = p.value(3);
        GradientCheck.check("attention " + name + " " + p.layout(), List.of(q, k, v),
                tape -> p.apply(tape, q, k, v, null), in -> oracle(p, in[0], in[1], in[2]).output(), ATOL, RTOL);
    }

    /** Back-propagates {@code dOut} (kept unchanged) through the ops recorded on {@code tape}. */
    private static Gradients backward(Tape tape, Tensor out, Tensor dOut) {
        Tensor loss = Tensor.scalar(0f);
        tape.record(grads -> grads.add(out, dOut.copy()));
        return tape.backward(loss);
    }

    @ParameterizedTest
    @EnumSource(AttentionLayout.class)
    void unmasked(AttentionLayout layout) {
        check("unmasked", Problem.of(layout));
    }

    @ParameterizedTest
    @EnumSource(AttentionLayout.class)
    void causalUpperLeftWithMoreKeysThanQueries(AttentionLayout layout) {
        check("causal", Problem.of(layout).masked(CAUSAL_UPPER_LEFT));
    }

    @ParameterizedTest
    @EnumSource(AttentionLayout.class)
    void keyPaddingWithAFullyMaskedRow(AttentionLayout layout) {
        check("key padding + masked row", Problem.of(layout).masked(PADDING_AND_BLOCKED_ROW));
    }

    @ParameterizedTest
    @EnumSource(AttentionLayout.class)
    void aSequenceThatIsAllPadding(AttentionLayout layout) {
        // sequence 1 has no real key: all its rows are fully masked
        check("all padding", Problem.of(layout).masked((b, h, i, j) -> b == 0 && j < 3));
    }

    @ParameterizedTest
    @EnumSource(AttentionLayout.class)
    void additiveMask(AttentionLayout layout) {
        double[] bias = new double[B * H * T * S];
        SplittableRandom random = new SplittableRandom(17);
        for (int n = 0; n < bias.length; n++) {
            bias[n] = (float) (random.nextDouble() * 4 - 2);
        }
        bias[0] = Double.NEGATIVE_INFINITY; // -inf blocks
        bias[(4 * T + 2) * S + 5] = Double.NEGATIVE_INFINITY;
        check("additive", Problem.of(layout).masked(new MaskFn() {
            @Override
            public boolean keep(int b, int h, int i, int j) {
                return true;
            }

            @Override
            public double add(int b, int h, int i, int j) {
                return bias[((b * H + h) * T + i) * S + j];
            }
        }));
    }

    @ParameterizedTest
    @EnumSource(AttentionLayout.class)
    void extraKeysPastTheMaskAreAlwaysVisible(AttentionLayout layout) {
        // The causal rule over 5 masked keys; keys 5 and 6 (like bias_k / add_zero_attn) are seen by every query.
        // Were the mask handed srcLen instead of maskedSrcLen, it would block them for early queries.
        check("extra keys", Problem.of(layout).masked(CAUSAL_UPPER_LEFT).maskCovering(5));
    }

    @ParameterizedTest
    @EnumSource(AttentionLayout.class)
    void customScale(AttentionLayout layout) {
        check("scale 1.7", Problem.of(layout).scaled(1.7f));
    }

    @ParameterizedTest
    @EnumSource(AttentionLayout.class)
    void dropout(AttentionLayout layout) {
        check("dropout 0.3", Problem.of(layout).withDropout(0.3f, 99));
    }

    @ParameterizedTest
    @EnumSource(AttentionLayout.class)
    void everythingAtOnce(AttentionLayout layout) {
        MaskFn mask = new MaskFn() {
            @Override
            public boolean keep(int b, int h, int i, int j) {
                return PADDING_AND_BLOCKED_ROW.keep(b, h, i, j);
            }

            @Override
            public double add(int b, int h, int i, int j) {
                return 0.25 * ((b + 2 * h + 3 * i + 5 * j) % 7) - 0.5;
            }
        };
        check("all options", Problem.of(layout).masked(mask).maskCovering(6).scaled(0.8f).withDropout(0.3f, 7));
    }

    @Test
    void singleHeadThreeDimensionalHeadsMajorOperands() {
        Problem p = Problem.of(AttentionLayout.HEADS_MAJOR).sizes(B, 1, T, S, E, EV).masked(CAUSAL_UPPER_LEFT);
        Tensor q = GradientCheck.random(1, B, T, E);
        Tensor k = GradientCheck.random(2, B, S, E);
        Tensor v = GradientCheck.random(3, B, S, EV);
        assertThat(p.apply(null, q, k, v, null).shape().dims()).containsExactly(B, T, EV);
        GradientCheck.check("attention, one head, 3-D", List.of(q, k, v), tape -> p.apply(tape, q, k, v, null),
                in -> oracle(p, in[0], in[1], in[2]).output(), ATOL, RTOL);
    }

    @ParameterizedTest
    @EnumSource(AttentionLayout.class)
    void aFullyMaskedRowGetsZeroOutputZeroQueryGradientAndContributesNothing(AttentionLayout layout) {
        Problem p = Problem.of(layout).masked(PADDING_AND_BLOCKED_ROW).withDropout(0.3f, 5);
        int b = BLOCKED_ROW[0];
        int h = BLOCKED_ROW[1];
        int i = BLOCKED_ROW[2];
        Tensor q = p.query(1);
        Tensor k = p.key(2);
        Tensor v = p.value(3);
        Tape tape = new Tape();
        Tensor out = p.apply(tape, q, k, v, null);
        Tensor dOut = Tensor.randn(4, out.shape().dims());
        Gradients grads = backward(tape, out, dOut);
        for (int c = 0; c < EV; c++) {
            assertThat(out.data()[p.index(b, h, i, c, T, EV)] == 0f).as("output of the masked row").isTrue();
        }
        for (int c = 0; c < E; c++) {
            assertThat(grads.get(q).data()[p.index(b, h, i, c, T, E)] == 0f).as("dQuery of the masked row").isTrue();
        }
        // Whatever gradient arrives at the masked row's output changes no input gradient, to the bit.
        Tensor otherDOut = dOut.copy();
        for (int c = 0; c < EV; c++) {
            otherDOut.data()[p.index(b, h, i, c, T, EV)] = 100f + c;
        }
        Tape otherTape = new Tape();
        Tensor otherOut = p.apply(otherTape, q, k, v, null);
        Gradients other = backward(otherTape, otherOut, otherDOut);
        assertThat(other.get(q).bitEquals(grads.get(q))).as("dQuery").isTrue();
        assertThat(other.get(k).bitEquals(grads.get(k))).as("dKey").isTrue();
        assertThat(other.get(v).bitEquals(grads.get(v))).as("dValue").isTrue();
    }

    @ParameterizedTest
    @EnumSource(AttentionLayout.class)
    void weightsOutHoldsTheWeightsAfterDropoutAndInferenceRecordsNothing(AttentionLayout layout) {
        Problem p = Problem.of(layout).masked(PADDING_AND_BLOCKED_ROW).withDropout(0.3f, 11);
        Tensor q = p.query(1);
        Tensor k = p.key(2);
        Tensor v = p.value(3);
        float[] inferenceWeights = new float[B * H * T * S];
        Tensor inference = p.apply(null, q, k, v, inferenceWeights);
        Tape tape = new Tape();
        float[] trainingWeights = new float[B * H * T * S];
        Tensor training = p.apply(tape, q, k, v, trainingWeights);
        assertThat(tape.size()).isEqualTo(1);
        assertThat(training.bitEquals(inference)).isTrue();
        assertThat(trainingWeights).containsExactly(inferenceWeights);
        Expected expected = oracle(p, GradientCheck.toDouble(q), GradientCheck.toDouble(k), GradientCheck.toDouble(v));
        for (int n = 0; n < inferenceWeights.length; n++) {
            assertThat((double) inferenceWeights[n]).as("weight %d", n).isCloseTo(expected.weights()[n],
                    org.assertj.core.data.Offset.offset(1e-6 + 1e-5 * Math.abs(expected.weights()[n])));
        }
    }

    @Test
    void bothLayoutsGiveTheSameBits() {
        Problem tokens = Problem.of(AttentionLayout.TOKENS_MAJOR).masked(CAUSAL_UPPER_LEFT).withDropout(0.3f, 3);
        Problem heads = Problem.of(AttentionLayout.HEADS_MAJOR).masked(CAUSAL_UPPER_LEFT).withDropout(0.3f, 3);
        Tensor q = tokens.query(1);
        Tensor k = tokens.key(2);
        Tensor v = tokens.value(3);
        Tensor dOut = Tensor.randn(4, B, T, H * EV);
        Tape tokensTape = new Tape();
        Tensor tokensOut = tokens.apply(tokensTape, q, k, v, null);
        Gradients tokensGrads = backward(tokensTape, tokensOut, dOut);
        Tensor hq = headsMajor(q, E);
        Tensor hk = headsMajor(k, E);
        Tensor hv = headsMajor(v, EV);
        Tape headsTape = new Tape();
        Tensor headsOut = heads.apply(headsTape, hq, hk, hv, null);
        Gradients headsGrads = backward(headsTape, headsOut, headsMajor(dOut, EV));
        assertThat(headsOut.bitEquals(headsMajor(tokensOut, EV))).isTrue();
        assertThat(headsGrads.get(hq).bitEquals(headsMajor(tokensGrads.get(q), E))).isTrue();
        assertThat(headsGrads.get(hk).bitEquals(headsMajor(tokensGrads.get(k), E))).isTrue();
        assertThat(headsGrads.get(hv).bitEquals(headsMajor(tokensGrads.get(v), EV))).isTrue();
    }

    /** (B, len, H * width) -> (B, H, len, width). */
    private static Tensor headsMajor(Tensor tokens, int width) {
        int len = tokens.dim(1);
        Tensor out = Tensor.zeros(B, H, len, width);
        for (int b = 0; b < B; b++) {
            for (int h = 0; h < H; h++) {
                for (int r = 0; r < len; r++) {
                    System.arraycopy(tokens.data(), (b * len + r) * H * width + h * width, out.data(),
                            ((b * H + h) * len + r) * width, width);
                }
            }
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(AttentionLayout.class)
    void backwardIsBitIdenticalAtOneAndTwoThreads(AttentionLayout layout) {
        Problem p = Problem.of(layout).sizes(3, 3, 19, 23, 8, 5).masked(CAUSAL_UPPER_LEFT).maskCovering(21)
                .withDropout(0.2f, 13);
        Tensor q = p.query(1);
        Tensor k = p.key(2);
        Tensor v = p.value(3);
        int before = Parallel.threads();
        try {
            Parallel.setThreads(1);
            Tape oneTape = new Tape();
            Tensor oneOut = p.apply(oneTape, q, k, v, null);
            Gradients one = backward(oneTape, oneOut, Tensor.randn(4, oneOut.shape().dims()));
            Parallel.setThreads(2);
            Tape twoTape = new Tape();
            Tensor twoOut = p.apply(twoTape, q, k, v, null);
            Gradients two = backward(twoTape, twoOut, Tensor.randn(4, twoOut.shape().dims()));
            assertThat(twoOut.bitEquals(oneOut)).as("output").isTrue();
            assertThat(two.get(q).bitEquals(one.get(q))).as("dQuery").isTrue();
            assertThat(two.get(k).bitEquals(one.get(k))).as("dKey").isTrue();
            assertThat(two.get(v).bitEquals(one.get(v))).as("dValue").isTrue();
        } finally {
            Parallel.setThreads(before);
        }
    }

    /**
     * What backward keeps alive: references to the inputs and the output (which exist anyway) and one float per
     * query row, the log-sum-exp. Any other array or tensor on the node (a (tgtLen, srcLen) probability block, say)
     * fails this test.
     */
    @Test
    void theTapeKeepsOnlyTheLogSumExpOfEachRow() throws ReflectiveOperationException {
        Problem p = Problem.of(AttentionLayout.TOKENS_MAJOR).masked(PADDING_AND_BLOCKED_ROW).withDropout(0.3f, 1);
        Tensor q = p.query(1);
        Tensor k = p.key(2);
        Tensor v = p.value(3);
        Tape tape = new Tape();
        Tensor out = p.apply(tape, q, k, v, null);
        assertThat(tape.nodes()).hasSize(1);
        assertThat(tape.nodes().get(0)).isInstanceOf(AttentionOp.Backward.class);
        AttentionOp.Backward node = (AttentionOp.Backward) tape.nodes().get(0);
        for (RecordComponent c : AttentionOp.Backward.class.getRecordComponents()) {
            Object value = c.getAccessor().invoke(node);
            if (value instanceof Tensor t) {
                assertThat(t == q || t == k || t == v || t == out).as("tensor %s is an input or the output", c.getName())
                        .isTrue();
            } else if (c.getType().isArray()) {
                assertThat(c.getType()).as(c.getName()).isEqualTo(float[].class);
                assertThat((float[]) value).as(c.getName()).hasSize(B * H * T);
            }
        }
        assertThat(node.logSumExp()[(BLOCKED_ROW[0] * H + BLOCKED_ROW[1]) * T + BLOCKED_ROW[2]])
                .isEqualTo(Float.NEGATIVE_INFINITY);
    }

    @Test
    void shapeErrorsNameTheArgumentWhatWasExpectedAndWhatCame() {
        Problem tokens = Problem.of(AttentionLayout.TOKENS_MAJOR);
        Tensor q = tokens.query(1);  // (2, 5, 9)
        Tensor k = tokens.key(2);    // (2, 7, 9)
        Tensor v = tokens.value(3);  // (2, 7, 12)
        assertThatThrownBy(() -> tokens.apply(null, Tensor.zeros(2, 5, 8), k, v, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("query").hasMessageContaining("numHeads = 3").hasMessageContaining("[2, 5, 8]");
        assertThatThrownBy(() -> tokens.apply(null, q, Tensor.zeros(2, 7, 6), v, null))
                .hasMessageContaining("key: expected shape (batchSize, srcLen, numHeads * headDim) = [2, *, 9]")
                .hasMessageContaining("to match query [2, 5, 9] but got [2, 7, 6]");
        assertThatThrownBy(() -> tokens.apply(null, q, k, Tensor.zeros(2, 6, 12), null))
                .hasMessageContaining("value: expected shape (batchSize, srcLen, numHeads * valueHeadDim) = [2, 7, *]")
                .hasMessageContaining("but got [2, 6, 12]");
        assertThatThrownBy(() -> tokens.apply(null, q, k, v, new float[3]))
                .hasMessageContaining("weightsOut").hasMessageContaining("210").hasMessageContaining("3");
        assertThatThrownBy(() -> tokens.maskCovering(8).apply(null, q, k, v, null))
                .hasMessageContaining("maskedSrcLen").hasMessageContaining("7").hasMessageContaining("8");
        assertThatThrownBy(() -> tokens.withDropout(1f, 0).apply(null, q, k, v, null))
                .hasMessageContaining("dropout").hasMessageContaining("1.0");
        assertThatThrownBy(() -> AttentionOp.apply(null, q, k, v, AttentionLayout.TOKENS_MAJOR, 3, 1f, null, 7, 0f, 0,
                null)).isInstanceOf(NullPointerException.class).hasMessageContaining("mask");

        Problem heads = Problem.of(AttentionLayout.HEADS_MAJOR);
        assertThatThrownBy(() -> heads.apply(null, Tensor.zeros(2, 2, 5, 3), heads.key(2), heads.value(3), null))
                .hasMessageContaining("query: expected shape (batchSize, numHeads, tgtLen, headDim) with numHeads = 3")
                .hasMessageContaining("[2, 2, 5, 3]");
        assertThatThrownBy(() -> heads.apply(null, heads.query(1), Tensor.zeros(1, 3, 7, 3), heads.value(3), null))
                .hasMessageContaining("key: expected shape (batchSize, numHeads, srcLen, headDim) = [2, 3, *, 3]")
                .hasMessageContaining("but got [1, 3, 7, 3]");
    }
}
