package dev.attention4j.nn.attention;

import dev.attention4j.autograd.AttentionLayout;
import dev.attention4j.autograd.AttentionOp;
import dev.attention4j.autograd.Gradients;
import dev.attention4j.autograd.Tape;
import dev.attention4j.autograd.WeightedSumOp;
import dev.attention4j.kernels.Parallel;
import dev.attention4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The tiled ("flash") path of {@link AttentionOp#apply} against the materialising path
 * ({@link AttentionOp#applyMaterialized}, which holds every {@code (tgtLen, srcLen)} block and is itself checked against
 * a double-precision oracle in {@code AttentionOpTest} and against PyTorch in the golden tests): outputs, the weights
 * recomputed from the log-sum-exp, and gradients, at lengths that span several 64 x 96 tiles with ragged last ones,
 * for every kind of mask (band masks whose blocked tiles are skipped, and element masks), with fully masked rows,
 * {@code tgtLen != srcLen} and odd head dims; plus bit-identical results at 1 and 2 threads, skipped tiles and memory.
 */
class TiledAttentionTest {

    /** Forward: max abs difference against the materialising path (outputs are O(1)). */
    private static final float OUTPUT_TOLERANCE = 1e-5f;
    /** Recomputed weights against the softmax of the materialising path. */
    private static final float WEIGHT_TOLERANCE = 1e-6f;
    /** Gradients: max abs difference relative to the largest gradient. */
    private static final double GRADIENT_TOLERANCE = 1e-5;

    /** One attention problem, heads major: q (b, h, tgtLen, headDim), k (b, h, srcLen, headDim), v (..., valueHeadDim). */
    record Problem(String name, int batchSize, int numHeads, int tgtLen, int srcLen, int headDim, int valueHeadDim,
                   Mask mask) {

        Tensor query() {
            return Tensor.randn(1, batchSize, numHeads, tgtLen, headDim);
        }

        Tensor key() {
            return Tensor.randn(2, batchSize, numHeads, srcLen, headDim);
        }

        Tensor value() {
            return Tensor.randn(3, batchSize, numHeads, srcLen, valueHeadDim);
        }

        Tensor lossWeights() {
            return Tensor.randn(4, batchSize, numHeads, tgtLen, valueHeadDim);
        }

        float scale() {
            return (float) (1 / Math.sqrt(headDim));
        }

        int weightCount(int heads) {
            return batchSize * heads * tgtLen * srcLen;
        }

        @Override
        public String toString() {
            return name + " (" + batchSize + ", " + numHeads + ", " + tgtLen + ", " + srcLen + ", " + headDim + "/"
                    + valueHeadDim + ")";
        }
    }

    static List<Problem> problems() {
        SplittableRandom random = new SplittableRandom(5);
        boolean[] holes = new boolean[100 * 150];
        for (int i = 0; i < holes.length; i++) {
            holes[i] = random.nextInt(3) != 0;
        }
        float[] bias = new float[2 * 130 * 170];
        for (int i = 0; i < bias.length; i++) {
            bias[i] = random.nextInt(5) == 0 ? Float.NEGATIVE_INFINITY : (float) random.nextDouble(-1, 1);
        }
        boolean[][] gappy = new boolean[2][150];
        for (int j = 0; j < 150; j++) {
            gappy[0][j] = j % 7 != 3;       // real tokens with gaps: not a band
            gappy[1][j] = j >= 20 && j < 90; // left and right padding
        }
        List<Problem> all = new ArrayList<>();
        all.add(new Problem("no mask", 2, 2, 150, 200, 64, 64, Mask.none()));
        all.add(new Problem("causal", 1, 2, 150, 150, 32, 32, Mask.causal()));
        all.add(new Problem("causal lower right, cross lengths, odd dims", 1, 2, 70, 200, 20, 24,
                Mask.causal(Mask.Alignment.LOWER_RIGHT)));
        all.add(new Problem("causal lower right, fully masked rows", 1, 1, 150, 100, 16, 16,
                Mask.causal(Mask.Alignment.LOWER_RIGHT)));
        all.add(new Problem("causal upper left, tall", 1, 2, 200, 130, 16, 8, Mask.causal()));
        all.add(new Problem("sliding window", 1, 1, 300, 300, 64, 64, Mask.slidingWindow(40)));
        all.add(new Problem("sliding window lower right", 1, 2, 100, 260, 8, 8,
                Mask.slidingWindow(70, Mask.Alignment.LOWER_RIGHT)));
        all.add(new Problem("ragged key padding with an empty sequence", 4, 2, 70, 200, 33, 17,
                Mask.keyLengths(200, 200, 131, 0, 1)));
        all.add(new Problem("causal and key padding", 2, 2, 130, 130, 16, 16,
                Mask.causal().and(Mask.keyLengths(130, 97, 130))));
        all.add(new Problem("key padding with gaps", 2, 1, 80, 150, 12, 12, Mask.keyPadding(gappy)));
        all.add(new Problem("bool mask with holes", 1, 2, 100, 150, 8, 8, Mask.bool(holes, 100, 150)));
        all.add(new Problem("additive mask per head", 1, 2, 130, 170, 24, 24,
                Mask.additive(Tensor.of(bias, 1, 2, 130, 170))));
        all.add(new Problem("one query, one key", 1, 1, 1, 1, 5, 3, Mask.none()));
        // every head one or two query tiles (sentences): keys and values read in place rather than packed
        all.add(new Problem("sentences, one query tile per head, key padding", 3, 4, 40, 40, 32, 32,
                Mask.keyLengths(40, 40, 17, 1)));
        all.add(new Problem("one query tile per head, keys past one key tile, causal lower right", 2, 2, 64, 250,
                64, 64, Mask.causal(Mask.Alignment.LOWER_RIGHT)));
        // one (sequence, head) pair: at 2 threads backward runs its two-pass schedule (dQ by query tile, then dK, dV
        // by ranges of 384 keys), at 1 thread the one-pass one; bitIdenticalAtOneAndTwoThreads holds them equal
        all.add(new Problem("one head, keys past one range, causal lower right", 1, 1, 300, 900, 32, 32,
                Mask.causal(Mask.Alignment.LOWER_RIGHT)));
        boolean[] sparse = new boolean[100 * 800];
        for (int i = 0; i < sparse.length; i++) {
            sparse[i] = random.nextInt(4) != 0;
        }
        all.add(new Problem("one head, keys past one range, bool mask", 1, 1, 100, 800, 16, 24,
                Mask.bool(sparse, 100, 800)));
        // each query tile sees keys before the previous tile's: the forward's packed keys and values grow downwards
        // (query i keeps keys [150 - i, 260 - i), so tile 0 needs [87, 260), tile 1 [23, 196), tile 2 [0, 132))
        boolean[] backwards = new boolean[200 * 260];
        for (int i = 0; i < 200; i++) {
            for (int j = Math.max(0, 150 - i); j < 260 - i; j++) {
                backwards[i * 260 + j] = true;
            }
        }
        all.add(new Problem("bool mask whose bands move to earlier keys", 1, 2, 200, 260, 16, 16,
                Mask.bool(backwards, 200, 260)));
        return all;
    }

    private record Run(Tensor output, float[] weights, Tensor dQuery, Tensor dKey, Tensor dValue) {
    }

    /** Forward (with every head's weights) and backward of {@code loss = sum(output * R)} on one path. */
    private static Run run(Problem p, boolean materialized) {
        Tensor q = p.query();
        Tensor k = p.key();
        Tensor v = p.value();
        Tape tape = new Tape();
        float[] weights = new float[p.weightCount(p.numHeads())];
        var scoreMask = p.mask().toScoreMask();
        MaskShapes.validate(p.mask(), p.batchSize(), p.numHeads(), p.tgtLen(), p.srcLen());
        Tensor out = materialized
                ? AttentionOp.applyMaterialized(tape, q, k, v, AttentionLayout.HEADS_MAJOR, p.numHeads(), p.scale(),
                scoreMask, p.srcLen(), 0f, 0L, weights)
                : AttentionOp.apply(tape, q, k, v, AttentionLayout.HEADS_MAJOR, p.numHeads(), p.scale(), scoreMask,
                p.srcLen(), 0f, 0L, weights);
        Gradients grads = tape.backward(WeightedSumOp.apply(tape, out, p.lossWeights()));
        return new Run(out, weights, grads.get(q), grads.get(k), grads.get(v));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("problems")
    void tiledMatchesTheMaterialisingPath(Problem p) {
        Run tiled = run(p, false);
        Run reference = run(p, true);
        assertThat(maxAbsDifference(tiled.output().data(), reference.output().data()))
                .as("output of %s", p).isLessThanOrEqualTo(OUTPUT_TOLERANCE);
        assertThat(maxAbsDifference(tiled.weights(), reference.weights()))
                .as("weights of %s", p).isLessThanOrEqualTo(WEIGHT_TOLERANCE);
        for (String which : List.of("query", "key", "value")) {
            Tensor ours = switch (which) {
                case "query" -> tiled.dQuery();
                case "key" -> tiled.dKey();
                default -> tiled.dValue();
            };
            Tensor theirs = switch (which) {
                case "query" -> reference.dQuery();
                case "key" -> reference.dKey();
                default -> reference.dValue();
            };
            double scale = Math.max(1e-30, maxAbs(theirs.data()));
            assertThat(maxAbsDifference(ours.data(), theirs.data()) / scale)
                    .as("d/d %s of %s, relative to max %s", which, p, scale).isLessThanOrEqualTo(GRADIENT_TOLERANCE);
        }
    }

    /** Self-attention problems (one length, one head width) for the packed entry points. */
    static List<Problem> packedProblems() {
        SplittableRandom random = new SplittableRandom(6);
        float[] bias = new float[2 * 130 * 130];
        for (int i = 0; i < bias.length; i++) {
            bias[i] = random.nextInt(5) == 0 ? Float.NEGATIVE_INFINITY : (float) random.nextDouble(-1, 1);
        }
        return List.of(
                new Problem("no mask", 2, 2, 150, 150, 24, 24, Mask.none()),
                new Problem("causal", 1, 3, 200, 200, 16, 16, Mask.causal()),
                new Problem("causal and key padding with an empty sequence", 2, 2, 130, 130, 16, 16,
                        Mask.causal().and(Mask.keyLengths(130, 97, 0))),
                new Problem("additive mask per head", 1, 2, 130, 130, 8, 8,
                        Mask.additive(Tensor.of(bias, 1, 2, 130, 130))),
                new Problem("sentences, one query tile per head (keys and values read in place), key padding", 3, 12,
                        29, 29, 32, 32, Mask.keyLengths(29, 29, 11, 3)));
    }

    /**
     * {@link AttentionOp#applyPacked} and {@link AttentionOp#applyPackedInPlace} on {@code qkv (b, n, 3 * h * d)}
     * give the bits of {@link AttentionOp#apply} (itself checked against the materialising path above) on Q, K and V
     * copied out as three tensors: output, weights, and the three gradients as the thirds of one {@code dQkv}; the
     * in-place output written over the queries (zeros for queries that see nothing), each row where its queries were.
     * At 1 and 2 threads.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("packedProblems")
    void packedProjectionsGiveTheBitsOfSeparateOnes(Problem p) {
        int b = p.batchSize();
        int n = p.tgtLen();
        int modelDim = p.numHeads() * p.headDim();
        Tensor qkv = Tensor.randn(9, b, n, 3 * modelDim);
        Tensor[] parts = new Tensor[3]; // (b, n, modelDim) each: Q, K, V
        for (int part = 0; part < 3; part++) {
            parts[part] = Tensor.zeros(b, n, modelDim);
            for (int row = 0; row < b * n; row++) {
                System.arraycopy(qkv.data(), row * 3 * modelDim + part * modelDim, parts[part].data(),
                        row * modelDim, modelDim);
            }
        }
        Tensor r = Tensor.randn(4, b, n, modelDim);
        var mask = p.mask().toScoreMask();
        MaskShapes.validate(p.mask(), b, p.numHeads(), n, n);
        for (int threads : new int[] {1, 2}) {
            dev.attention4j.kernels.WithThreads.run(threads, () -> {
                Tape tape = new Tape();
                float[] weights = new float[p.weightCount(p.numHeads())];
                Tensor separate = AttentionOp.apply(tape, parts[0], parts[1], parts[2], AttentionLayout.TOKENS_MAJOR,
                        p.numHeads(), p.scale(), mask, n, 0f, 0L, weights);
                Gradients grads = tape.backward(WeightedSumOp.apply(tape, separate, r));

                Tape packedTape = new Tape();
                float[] packedWeights = new float[p.weightCount(p.numHeads())];
                Tensor packed = AttentionOp.applyPacked(packedTape, qkv, p.numHeads(), p.scale(), mask, null,
                        packedWeights);
                Gradients packedGrads = packedTape.backward(WeightedSumOp.apply(packedTape, packed, r));
                assertThat(packed.bitEquals(separate)).as("output of %s at %d threads", p, threads).isTrue();
                assertThat(packedWeights).as("weights of %s", p).containsExactly(weights);
                float[] dQkv = packedGrads.get(qkv).data();
                for (int part = 0; part < 3; part++) {
                    float[] expected = grads.get(parts[part]).data();
                    for (int row = 0; row < b * n; row++) {
                        float[] actual = java.util.Arrays.copyOfRange(dQkv, row * 3 * modelDim + part * modelDim,
                                row * 3 * modelDim + (part + 1) * modelDim);
                        assertThat(actual).as("gradient part %d row %d of %s", part, row, p)
                                .containsExactly(java.util.Arrays.copyOfRange(expected, row * modelDim,
                                        (row + 1) * modelDim));
                    }
                }

                Tensor inPlace = qkv.copy();
                AttentionOp.applyPackedInPlace(inPlace, p.numHeads(), p.scale(), mask);
                float[] overQueries = new float[b * n * modelDim]; // row r's output where its queries were
                for (int row = 0; row < b * n; row++) {
                    System.arraycopy(inPlace.data(), row * 3 * modelDim, overQueries, row * modelDim, modelDim);
                }
                assertThat(overQueries).as("in-place output of %s at %d threads", p, threads)
                        .containsExactly(separate.data());
            });
        }
    }

    /**
     * A thread's packed key rows hold the forward's keys or the backward's scaled keys ({@code scale * K}, for
     * {@code dQ}), told apart by the call that packed them. One head on one thread, so that every call finds the
     * previous call's rows for the same (sequence, head): a backward right after its forward gets the materialising
     * path's {@code dQ} (not one from the forward's unscaled keys), a forward right after a backward gets the first
     * forward's bits, and a backward after a backward of other keys gets the first backward's bits.
     */
    @Test
    void forwardsAndBackwardsOnOneThreadNeverReadEachOthersPackedKeys() {
        Problem p = new Problem("causal, one head", 1, 1, 230, 230, 16, 16, Mask.causal());
        Tensor otherKey = Tensor.randn(77, 1, 1, 230, 16);
        var mask = p.mask().toScoreMask();
        dev.attention4j.kernels.WithThreads.run(1, () -> {
            Tensor first = AttentionOp.apply(null, p.query(), p.key(), p.value(), AttentionLayout.HEADS_MAJOR,
                    p.numHeads(), p.scale(), mask, p.srcLen(), 0f, 0L, null);
            Run trained = run(p, false);
            Run reference = run(p, true);
            double scale = maxAbs(reference.dQuery().data());
            assertThat(maxAbsDifference(trained.dQuery().data(), reference.dQuery().data()) / scale)
                    .as("dQ of a backward right after its forward").isLessThanOrEqualTo(GRADIENT_TOLERANCE);
            Tensor again = AttentionOp.apply(null, p.query(), p.key(), p.value(), AttentionLayout.HEADS_MAJOR,
                    p.numHeads(), p.scale(), mask, p.srcLen(), 0f, 0L, null);
            assertThat(again.bitEquals(first)).as("forward after a backward").isTrue();
            assertThat(trained.output().bitEquals(first)).as("forward of the training call").isTrue();

            Tape tape = new Tape();
            Tensor out = AttentionOp.apply(tape, p.query(), otherKey, p.value(), AttentionLayout.HEADS_MAJOR,
                    p.numHeads(), p.scale(), mask, p.srcLen(), 0f, 0L, null);
            tape.backward(WeightedSumOp.apply(tape, out, p.lossWeights()));
            Run retrained = run(p, false);
            assertThat(retrained.dQuery().bitEquals(trained.dQuery())).as("dQ").isTrue();
            assertThat(retrained.dKey().bitEquals(trained.dKey())).as("dK").isTrue();
            assertThat(retrained.dValue().bitEquals(trained.dValue())).as("dV").isTrue();
        });
    }

    /** A query that sees no key gets a zero output, zero weights and no gradient, exactly (as the materialising path). */
    @Test
    void fullyMaskedRowsGiveZerosAndNoGradient() {
        Problem p = new Problem("empty and lower right", 2, 2, 150, 100, 16, 16,
                Mask.causal(Mask.Alignment.LOWER_RIGHT).and(Mask.keyLengths(100, 100, 0)));
        Run tiled = run(p, false);
        int blockedRows = 0;
        for (int b = 0; b < p.batchSize(); b++) {
            for (int h = 0; h < p.numHeads(); h++) {
                for (int i = 0; i < p.tgtLen(); i++) {
                    boolean blocked = b == 1 || i < p.tgtLen() - p.srcLen(); // padding 0, or above the diagonal
                    if (!blocked) {
                        continue;
                    }
                    blockedRows++;
                    int row = ((b * p.numHeads() + h) * p.tgtLen() + i);
                    for (int c = 0; c < p.valueHeadDim(); c++) {
                        assertThat(tiled.output().data()[row * p.valueHeadDim() + c]).isZero();
                    }
                    for (int c = 0; c < p.headDim(); c++) {
                        assertThat(tiled.dQuery().data()[row * p.headDim() + c]).isZero();
                    }
                    for (int j = 0; j < p.srcLen(); j++) {
                        assertThat(tiled.weights()[row * p.srcLen() + j]).isZero();
                    }
                }
            }
        }
        assertThat(blockedRows).isEqualTo(2 * (150 - 100) + 2 * 150);
        // sequence 1 has no real key: nothing flows into its keys and values
        int perSequence = p.numHeads() * p.srcLen() * p.headDim();
        for (int e = perSequence; e < 2 * perSequence; e++) {
            assertThat(tiled.dKey().data()[e]).isZero();
            assertThat(tiled.dValue().data()[e]).isZero();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("problems")
    void bitIdenticalAtOneAndTwoThreads(Problem p) {
        int before = Parallel.threads();
        try {
            Parallel.setThreads(1);
            Run one = run(p, false);
            Parallel.setThreads(2);
            Run two = run(p, false);
            assertThat(two.output().bitEquals(one.output())).as("output of %s", p).isTrue();
            assertThat(java.util.Arrays.equals(two.weights(), one.weights())).as("weights of %s", p).isTrue();
            assertThat(two.dQuery().bitEquals(one.dQuery())).as("dQuery of %s", p).isTrue();
            assertThat(two.dKey().bitEquals(one.dKey())).as("dKey of %s", p).isTrue();
            assertThat(two.dValue().bitEquals(one.dValue())).as("dValue of %s", p).isTrue();
        } finally {
            Parallel.setThreads(before);
        }
    }

    /** The chosen heads' weights alone are the same bits as those heads among all heads' weights. */
    @Test
    void chosenHeadsWeightsAreThoseHeadsOfAllWeights() {
        Problem p = new Problem("three heads", 2, 3, 90, 110, 16, 16, Mask.causal(Mask.Alignment.LOWER_RIGHT));
        float[] all = new float[p.weightCount(3)];
        float[] chosen = new float[p.weightCount(2)];
        var mask = p.mask().toScoreMask();
        Tensor q = p.query();
        Tensor k = p.key();
        Tensor v = p.value();
        Tensor outAll = AttentionOp.apply(null, q, k, v, AttentionLayout.HEADS_MAJOR, 3, p.scale(), mask, p.srcLen(),
                0f, 0L, null, all);
        Tensor outChosen = AttentionOp.apply(null, q, k, v, AttentionLayout.HEADS_MAJOR, 3, p.scale(), mask,
                p.srcLen(), 0f, 0L, new int[] {0, 2}, chosen);
        assertThat(outChosen.bitEquals(outAll)).isTrue();
        int block = p.tgtLen() * p.srcLen();
        for (int b = 0; b < 2; b++) {
            int[] heads = {0, 2};
            for (int c = 0; c < 2; c++) {
                float[] expected = java.util.Arrays.copyOfRange(all, (b * 3 + heads[c]) * block,
                        (b * 3 + heads[c] + 1) * block);
                float[] actual = java.util.Arrays.copyOfRange(chosen, (b * 2 + c) * block, (b * 2 + c + 1) * block);
                assertThat(actual).as("sequence %d head %d", b, heads[c]).containsExactly(expected);
            }
        }
    }

    /**
     * Key tiles outside every query's band are never computed: NaN values there would poison any output that touched
     * them (0 * NaN), yet the queries whose tiles end before them stay finite. The materialising path, which multiplies
     * every weight (zeros included), turns every row NaN.
     */
    @Test
    void causalAndSlidingWindowSkipBlockedKeyTiles() {
        int n = 300;
        checkSkipping(new Problem("causal", 1, 1, n, n, 16, 16, Mask.causal()), j -> j >= 64,
                i -> i < 64);
        // window 40: queries [192, 256) see keys (192 - 40, 256), so keys below 153 are never read for them
        checkSkipping(new Problem("window", 1, 1, n, n, 16, 16, Mask.slidingWindow(40)), j -> j < 153,
                i -> i >= 192 && i < 256);
    }

    /**
     * A NaN score (here a key of NaNs, and a query of NaNs) makes every output row that sees it NaN, as in the
     * materialising path and in PyTorch's softmax: the tiled forward must not take the NaN sum of such a row for a
     * row that sees no key and write zeros. A query that does not see the key (before it under the causal mask, or
     * blocked from it by a boolean mask with holes, which is not a band) stays finite in both paths, as PyTorch's
     * {@code masked_fill} leaves it; every row gets the same value or NaN in both, at 1 and 2 threads.
     */
    @Test
    void nanScoresReachTheOutputAsInTheMaterialisingPath() {
        for (int n : new int[] {40, 300}) {
            boolean[] holes = new boolean[n * n];
            SplittableRandom random = new SplittableRandom(n);
            for (int i = 0; i < holes.length; i++) {
                holes[i] = random.nextInt(3) != 0;
            }
            int poisonedKey = n / 3;
            int poisonedQuery = n / 2;
            Map<Mask, IntPredicate> seesPoison = new LinkedHashMap<>();
            seesPoison.put(Mask.none(), i -> true);
            seesPoison.put(Mask.causal(), i -> i >= poisonedKey);
            seesPoison.put(Mask.bool(holes, n, n), i -> holes[i * n + poisonedKey]);
            seesPoison.forEach((mask, sees) -> {
                Problem p = new Problem("nan " + mask.getClass().getSimpleName(), 1, 2, n, n, 16, 16, mask);
                Tensor q = p.query();
                Tensor k = p.key();
                Tensor v = p.value();
                java.util.Arrays.fill(k.data(), poisonedKey * p.headDim(), (poisonedKey + 1) * p.headDim(), Float.NaN);
                java.util.Arrays.fill(q.data(), poisonedQuery * p.headDim(), (poisonedQuery + 1) * p.headDim(),
                        Float.NaN); // head 0 only, as the key
                var scoreMask = mask.toScoreMask();
                Tensor materialized = AttentionOp.applyMaterialized(null, q, k, v, AttentionLayout.HEADS_MAJOR,
                        p.numHeads(), p.scale(), scoreMask, p.srcLen(), 0f, 0L, null);
                for (int threads : new int[] {1, 2}) {
                    Tensor[] result = new Tensor[1];
                    dev.attention4j.kernels.WithThreads.run(threads, () -> result[0] = AttentionOp.apply(null, q, k,
                            v, AttentionLayout.HEADS_MAJOR, p.numHeads(), p.scale(), scoreMask, p.srcLen(), 0f, 0L,
                            null));
                    Tensor tiled = result[0];
                    for (int h = 0; h < p.numHeads(); h++) {
                        for (int i = 0; i < n; i++) {
                            boolean nan = h == 0 && (sees.test(i) || i == poisonedQuery);
                            int at = (h * n + i) * p.valueHeadDim();
                            String what = p.name() + " n=" + n + " head " + h + " query " + i + ", " + threads
                                    + " threads";
                            assertThat(Float.isNaN(materialized.data()[at])).as("materialised " + what).isEqualTo(nan);
                            assertThat(Float.isNaN(tiled.data()[at])).as("tiled " + what).isEqualTo(nan);
                            if (!nan) {
                                assertThat(tiled.data()[at]).as(what).isCloseTo(materialized.data()[at],
                                        org.assertj.core.data.Offset.offset(1e-5f));
                            }
                        }
                    }
                }
            });
        }
    }

    private static void checkSkipping(Problem p, IntFunction<Boolean> poisonedKey, IntFunction<Boolean> cleanQuery) {
        Tensor q = p.query();
        Tensor k = p.key();
        Tensor v = p.value();
        for (int j = 0; j < p.srcLen(); j++) {
            if (poisonedKey.apply(j)) {
                java.util.Arrays.fill(v.data(), j * p.valueHeadDim(), (j + 1) * p.valueHeadDim(), Float.NaN);
            }
        }
        var mask = p.mask().toScoreMask();
        Tensor tiled = AttentionOp.apply(null, q, k, v, AttentionLayout.HEADS_MAJOR, 1, p.scale(), mask, p.srcLen(), 0f,
                0L, null);
        Tensor materialized = AttentionOp.applyMaterialized(null, q, k, v, AttentionLayout.HEADS_MAJOR, 1, p.scale(),
                mask, p.srcLen(), 0f, 0L, null);
        int clean = 0;
        for (int i = 0; i < p.tgtLen(); i++) {
            float first = tiled.data()[i * p.valueHeadDim()];
            if (cleanQuery.apply(i)) {
                clean++;
                assertThat(first).as("%s: query %d", p.name(), i).isFinite();
            }
            assertThat(materialized.data()[i * p.valueHeadDim()]).as("%s: materialised query %d", p.name(), i).isNaN();
        }
        assertThat(clean).isEqualTo(64);
    }

    /**
     * O(n) memory: at n = 4096 one head's forward allocates its output and a few KB, and forward + backward its output,
     * the log-sum-exp and the three gradients, where one {@code (n, n)} block of weights alone is 64 MiB. Counted on
     * the calling thread with one thread (so every task runs there); the least over calls, once the JIT has compiled
     * the kernels (interpreted Vector API code allocates its vectors) and the thread's tiles exist.
     */
    @Test
    void extraMemoryIsLinearInLength() {
        int n = 4096;
        int d = 64;
        Problem p = new Problem("long", 1, 1, n, n, d, d, Mask.causal());
        Tensor q = p.query();
        Tensor k = p.key();
        Tensor v = p.value();
        Tensor r = p.lossWeights();
        var mask = p.mask().toScoreMask();
        long block = 4L * n * d; // one (n, headDim) tensor
        int before = Parallel.threads();
        try {
            Parallel.setThreads(1);
            long forward = Long.MAX_VALUE;
            long training = Long.MAX_VALUE;
            long forwardBound = block + 64 * 1024;
            // output, dQ, dK, dV, the seed gradient of the output and the lse, plus bookkeeping
            long trainingBound = 5 * block + 4L * n + 256 * 1024;
            // the least of up to 30 calls: until the JIT has compiled the kernels (slower on a loaded machine),
            // interpreted and C1 code boxes its vectors
            for (int call = 0; call < 30 && (forward >= forwardBound || training >= trainingBound); call++) {
                long start = allocatedBytes();
                AttentionOp.apply(null, q, k, v, AttentionLayout.HEADS_MAJOR, 1, p.scale(), mask, n, 0f, 0L, null);
                forward = Math.min(forward, allocatedBytes() - start);
                start = allocatedBytes();
                Tape tape = new Tape();
                Tensor out = AttentionOp.apply(tape, q, k, v, AttentionLayout.HEADS_MAJOR, 1, p.scale(), mask, n, 0f,
                        0L, null);
                tape.backward(WeightedSumOp.apply(tape, out, r));
                training = Math.min(training, allocatedBytes() - start);
            }
            assertThat(forward).as("forward bytes").isLessThan(forwardBound);
            assertThat(training).as("forward + backward bytes").isLessThan(trainingBound);
            assertThat(training).isLessThan(4L * n * n / 8);
        } finally {
            Parallel.setThreads(before);
        }
    }

    private static long allocatedBytes() {
        var bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        return bean.getThreadAllocatedBytes(Thread.currentThread().threadId());
    }

    private static float maxAbsDifference(float[] a, float[] b) {
        assertThat(a.length).isEqualTo(b.length);
        float max = 0;
        for (int i = 0; i < a.length; i++) {
            float diff = Math.abs(a[i] - b[i]);
            if (Float.isNaN(diff)) {
                return Float.NaN;
            }
            max = Math.max(max, diff);
        }
        return max;
    }

    private static double maxAbs(float[] a) {
        double max = 0;
        for (float x : a) {
            max = Math.max(max, Math.abs(x));
        }
        return max;
    }
}
