package dev.attention4j.nn.transformer;

import dev.attention4j.kernels.Parallel;
import dev.attention4j.nn.Activation;
import dev.attention4j.nn.Mode;
import dev.attention4j.nn.attention.Mask;
import dev.attention4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * The allocation-free one-token step ({@code decodeStep}) against the Tensor path it mirrors ({@code decodeCached} on
 * one token per sequence): the same kernels in the same order, so the <em>same bits</em> at every step, not merely
 * close ones, for both stacks, both norm placements, both activations, 1 to 3 layers, both kinds of positions, tied
 * and separate output projections, padded sources, after a prefill chunk and after reordering.
 */
class DecodeStepTest {

    static final int SRC_VOCAB = 13;
    static final int TGT_VOCAB = 17;
    static final int MAX_LEN = 24;
    static final int[][] SOURCES = {{3, 4, 5, 6, 7, 8}, {8, 9, 0, 0, 0, 0}, {10, 11, 12, 0, 0, 0}};
    static final int[] SOURCE_LENGTHS = {6, 2, 3};

    /** Every 1-D parameter (biases, LayerNorm gains) is perturbed so none is trivial. */
    static void perturbVectors(java.util.Map<String, Tensor> parameters, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (Tensor p : parameters.values()) {
            if (p.rank() == 1) {
                float[] d = p.data();
                for (int i = 0; i < d.length; i++) {
                    d[i] += (float) (random.nextDouble() - 0.5) * 0.2f;
                }
            }
        }
    }

    static TransformerLayerConfig layer(int modelDim, int numHeads, int ffnDim, NormPlacement placement,
                                        Activation activation) {
        return TransformerLayerConfig.of(modelDim, numHeads, ffnDim).withDropout(0f).withNormPlacement(placement)
                .withActivation(activation);
    }

    static Seq2SeqTransformer seq2seq(long seed, TransformerLayerConfig layer, int numLayers,
                                      Seq2SeqConfig.Positions positions, Seq2SeqConfig.OutputProjection projection) {
        Seq2SeqConfig config = Seq2SeqConfig.of(new TransformerConfig(layer, 2, numLayers), SRC_VOCAB, TGT_VOCAB,
                MAX_LEN).withPositions(positions).withOutputProjection(projection);
        Seq2SeqTransformer model = new Seq2SeqTransformer(config, seed);
        perturbVectors(model.namedParameters(), seed + 1000);
        return model;
    }

    static Stream<Arguments> seq2seqModels() {
        return Stream.of(
                Arguments.of(1L, NormPlacement.POST, Activation.RELU, 1, Seq2SeqConfig.Positions.SINUSOIDAL,
                        Seq2SeqConfig.OutputProjection.TIED_TO_TARGET_EMBEDDING),
                Arguments.of(2L, NormPlacement.PRE, Activation.GELU, 2, Seq2SeqConfig.Positions.SINUSOIDAL,
                        Seq2SeqConfig.OutputProjection.SEPARATE),
                Arguments.of(3L, NormPlacement.POST, Activation.GELU, 3, Seq2SeqConfig.Positions.LEARNED,
                        Seq2SeqConfig.OutputProjection.SEPARATE),
                Arguments.of(4L, NormPlacement.PRE, Activation.RELU, 3, Seq2SeqConfig.Positions.LEARNED,
                        Seq2SeqConfig.OutputProjection.TIED_TO_TARGET_EMBEDDING),
                Arguments.of(5L, NormPlacement.POST, Activation.RELU, 2, Seq2SeqConfig.Positions.LEARNED,
                        Seq2SeqConfig.OutputProjection.TIED_TO_TARGET_EMBEDDING),
                Arguments.of(6L, NormPlacement.PRE, Activation.GELU, 1, Seq2SeqConfig.Positions.SINUSOIDAL,
                        Seq2SeqConfig.OutputProjection.TIED_TO_TARGET_EMBEDDING));
    }

    static int[] randomTokens(SplittableRandom random, int n, int vocab) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = random.nextInt(vocab);
        }
        return out;
    }

    static int[][] asColumn(int[] tokens) {
        int[][] out = new int[tokens.length][];
        for (int b = 0; b < tokens.length; b++) {
            out[b] = new int[] {tokens[b]};
        }
        return out;
    }

    /** {@code actual (rows, vocab)} against {@code expected (rows, 1, vocab)}, bit for bit. */
    static void assertSameBits(String what, Tensor expected, float[] actual) {
        float[] e = expected.data();
        assertThat(actual.length).as("%s: logits length", what).isEqualTo(e.length);
        for (int i = 0; i < e.length; i++) {
            if (Float.floatToRawIntBits(e[i]) != Float.floatToRawIntBits(actual[i])) {
                fail(what + ": logit " + i + " (row " + i / expected.dim(2) + ", token " + i % expected.dim(2)
                        + "): decodeStep gave " + actual[i] + " but decodeCached " + e[i]);
            }
        }
    }

    @ParameterizedTest(name = "seed {0}: {1}-norm, {2}, {3} layers, {4} positions, {5}")
    @MethodSource("seq2seqModels")
    void seq2seqStepsGiveTheBitsOfTheTensorPathAtEveryStep(long seed, NormPlacement placement, Activation activation,
                                                          int numLayers, Seq2SeqConfig.Positions positions,
                                                          Seq2SeqConfig.OutputProjection projection) {
        Seq2SeqTransformer model = seq2seq(seed, layer(16, 2, 32, placement, activation), numLayers, positions,
                projection);
        Mask srcPadding = Mask.keyLengths(6, SOURCE_LENGTHS);
        Tensor memory = model.encode(SOURCES, srcPadding, Mode.INFERENCE);
        DecoderCache reference = model.startDecoding(memory, srcPadding, MAX_LEN);
        DecoderCache stepped = model.startDecoding(memory, srcPadding, MAX_LEN);
        SplittableRandom random = new SplittableRandom(seed);
        float[] first = null;
        for (int step = 0; step < MAX_LEN; step++) {
            int[] tokens = randomTokens(random, SOURCES.length, TGT_VOCAB);
            Tensor expected = model.decodeCached(asColumn(tokens), reference); // (batchSize, 1, tgtVocab)
            float[] actual = model.decodeStep(tokens, stepped);                // (batchSize, tgtVocab)
            assertSameBits("step " + step, expected, actual);
            assertThat(stepped.position()).isEqualTo(step + 1);
            if (first == null) {
                first = actual;
            }
            assertThat(actual).as("the logits are one buffer, overwritten each step").isSameAs(first);
        }
    }

    /**
     * The steps read kept transposes of the weights ({@code TransposedWeight}); loading other weights into the model
     * after steps have run must reach them: the steps on new caches give the bits of the Tensor path (which reads the
     * weights themselves) on the new weights, and not the old logits.
     */
    @Test
    void stepsAfterLoadingOtherWeightsUseTheNewWeights() {
        TransformerLayerConfig layer = layer(16, 2, 32, NormPlacement.PRE, Activation.GELU);
        Seq2SeqTransformer model = seq2seq(21L, layer, 2, Seq2SeqConfig.Positions.SINUSOIDAL,
                Seq2SeqConfig.OutputProjection.SEPARATE);
        Seq2SeqTransformer other = seq2seq(22L, layer, 2, Seq2SeqConfig.Positions.SINUSOIDAL,
                Seq2SeqConfig.OutputProjection.SEPARATE);
        Mask srcPadding = Mask.keyLengths(6, SOURCE_LENGTHS);
        int[] tokens = {1, 2, 3};
        Tensor memory = model.encode(SOURCES, srcPadding, Mode.INFERENCE);
        float[] before = model.decodeStep(tokens, model.startDecoding(memory, srcPadding, 4)).clone();

        model.loadStateDict(other.stateDict());
        memory = model.encode(SOURCES, srcPadding, Mode.INFERENCE);
        Tensor expected = model.decodeCached(asColumn(tokens), model.startDecoding(memory, srcPadding, 4));
        float[] actual = model.decodeStep(tokens, model.startDecoding(memory, srcPadding, 4));
        assertSameBits("after loadStateDict", expected, actual);
        assertThat(actual).as("the new weights give other logits").isNotEqualTo(before);
    }

    /** A prompt fed at once through the Tensor path, then steps: the step continues the same caches. */
    @Test
    void stepsAfterAPrefillChunkGiveTheBitsOfTheTensorPath() {
        Seq2SeqTransformer model = seq2seq(7L, layer(16, 4, 24, NormPlacement.PRE, Activation.GELU), 2,
                Seq2SeqConfig.Positions.LEARNED, Seq2SeqConfig.OutputProjection.SEPARATE);
        Mask srcPadding = Mask.keyLengths(6, SOURCE_LENGTHS);
        Tensor memory = model.encode(SOURCES, srcPadding, Mode.INFERENCE);
        DecoderCache reference = model.startDecoding(memory, srcPadding, 12);
        DecoderCache stepped = model.startDecoding(memory, srcPadding, 12);
        int[][] prompt = {{1, 4, 5, 6}, {1, 7, 8, 9}, {1, 2, 3, 4}};
        assertThat(model.decodeCached(prompt, stepped).bitEquals(model.decodeCached(prompt, reference))).isTrue();
        SplittableRandom random = new SplittableRandom(7);
        for (int step = 4; step < 12; step++) {
            int[] tokens = randomTokens(random, SOURCES.length, TGT_VOCAB);
            assertSameBits("step " + step, model.decodeCached(asColumn(tokens), reference),
                    model.decodeStep(tokens, stepped));
        }
    }

    /** Beam search reorders the self caches within each source's beams between steps. */
    @Test
    void stepsAfterReorderingWithinGroupsGiveTheBitsOfTheTensorPath() {
        Seq2SeqTransformer model = seq2seq(8L, layer(16, 2, 32, NormPlacement.POST, Activation.RELU), 2,
                Seq2SeqConfig.Positions.SINUSOIDAL, Seq2SeqConfig.OutputProjection.TIED_TO_TARGET_EMBEDDING);
        int beams = 2;
        int[][] sources = {SOURCES[0], SOURCES[0], SOURCES[1], SOURCES[1]};
        Mask srcPadding = Mask.keyLengths(6, 6, 6, 2, 2);
        Tensor memory = model.encode(sources, srcPadding, Mode.INFERENCE);
        DecoderCache reference = model.startDecoding(memory, srcPadding, 10);
        DecoderCache stepped = model.startDecoding(memory, srcPadding, 10);
        SplittableRandom random = new SplittableRandom(8);
        for (int step = 0; step < 10; step++) {
            int[] tokens = randomTokens(random, sources.length, TGT_VOCAB);
            assertSameBits("step " + step, model.decodeCached(asColumn(tokens), reference),
                    model.decodeStep(tokens, stepped));
            int[] order = {random.nextInt(beams), random.nextInt(beams), 2 + random.nextInt(beams),
                    2 + random.nextInt(beams)};
            reference.reorderWithinGroups(order, beams);
            stepped.reorderWithinGroups(order, beams);
        }
    }

    static Stream<Arguments> decoderOnlyModels() {
        return Stream.of(
                Arguments.of(11L, NormPlacement.PRE, Activation.GELU, 1, Seq2SeqConfig.Positions.LEARNED),
                Arguments.of(12L, NormPlacement.POST, Activation.RELU, 2, Seq2SeqConfig.Positions.SINUSOIDAL),
                Arguments.of(13L, NormPlacement.PRE, Activation.RELU, 3, Seq2SeqConfig.Positions.SINUSOIDAL),
                Arguments.of(14L, NormPlacement.POST, Activation.GELU, 3, Seq2SeqConfig.Positions.LEARNED));
    }

    @ParameterizedTest(name = "seed {0}: {1}-norm, {2}, {3} layers, {4} positions")
    @MethodSource("decoderOnlyModels")
    void decoderOnlyStepsGiveTheBitsOfTheTensorPathAtEveryStep(long seed, NormPlacement placement,
                                                              Activation activation, int numLayers,
                                                              Seq2SeqConfig.Positions positions) {
        DecoderOnlyTransformer model = new DecoderOnlyTransformer(layer(16, 2, 40, placement, activation), numLayers,
                TGT_VOCAB, MAX_LEN, positions, seed);
        perturbVectors(model.namedParameters(), seed + 1000);
        int batchSize = 4;
        DecoderCache reference = model.startDecoding(batchSize, MAX_LEN);
        DecoderCache stepped = model.startDecoding(batchSize, MAX_LEN);
        int[][] prompt = {{1, 5}, {1, 6}, {1, 7}, {1, 8}};
        assertThat(model.decodeCached(prompt, stepped).bitEquals(model.decodeCached(prompt, reference))).isTrue();
        SplittableRandom random = new SplittableRandom(seed);
        for (int step = 2; step < MAX_LEN; step++) {
            int[] tokens = randomTokens(random, batchSize, TGT_VOCAB);
            assertSameBits("step " + step, model.decodeCached(asColumn(tokens), reference),
                    model.decodeStep(tokens, stepped));
        }
    }

    /**
     * Wide enough that at 2 threads the step splits its linear maps (8 rows of 256 -> 256: two chunks of 4 rows) and,
     * from about step 16, its self-attention (16 (sequence, head) pairs of 128-wide heads over more than 16 keys: over
     * 2^16 multiply-adds) across threads: the same bits as the Tensor path at 1 and at 2 threads.
     */
    @Test
    void aStepSplitAcrossThreadsGivesTheSameBitsAtAnyThreadCount() {
        Seq2SeqTransformer model = seq2seq(9L, layer(256, 2, 256, NormPlacement.PRE, Activation.GELU), 1,
                Seq2SeqConfig.Positions.SINUSOIDAL, Seq2SeqConfig.OutputProjection.TIED_TO_TARGET_EMBEDDING);
        int[][] sources = new int[8][];
        int[] lengths = new int[8];
        for (int b = 0; b < 8; b++) {
            sources[b] = SOURCES[b % 3];
            lengths[b] = SOURCE_LENGTHS[b % 3];
        }
        Mask srcPadding = Mask.keyLengths(6, lengths);
        Tensor memory = model.encode(sources, srcPadding, Mode.INFERENCE);
        int before = Parallel.threads();
        float[][] results = new float[2][];
        try {
            for (int threads = 1; threads <= 2; threads++) {
                Parallel.setThreads(threads);
                assertThat(Parallel.splits(8, 4)).as("linear rows split at %d threads", threads)
                        .isEqualTo(threads > 1);
                DecoderCache reference = model.startDecoding(memory, srcPadding, MAX_LEN);
                DecoderCache stepped = model.startDecoding(memory, srcPadding, MAX_LEN);
                SplittableRandom random = new SplittableRandom(9);
                float[] actual = null;
                for (int step = 0; step < MAX_LEN; step++) {
                    int[] tokens = randomTokens(random, sources.length, TGT_VOCAB);
                    actual = model.decodeStep(tokens, stepped);
                    assertSameBits(threads + " threads, step " + step,
                            model.decodeCached(asColumn(tokens), reference), actual);
                }
                results[threads - 1] = actual.clone();
            }
        } finally {
            Parallel.setThreads(before);
        }
        assertThat(results[1]).as("last logits at 2 threads vs 1").isEqualTo(results[0]);
    }

    @Test
    void badStepsAreClearErrorsAndChangeNothing() {
        Seq2SeqTransformer model = seq2seq(10L, layer(16, 2, 32, NormPlacement.POST, Activation.RELU), 1,
                Seq2SeqConfig.Positions.SINUSOIDAL, Seq2SeqConfig.OutputProjection.TIED_TO_TARGET_EMBEDDING);
        Mask srcPadding = Mask.keyLengths(6, SOURCE_LENGTHS);
        Tensor memory = model.encode(SOURCES, srcPadding, Mode.INFERENCE);
        DecoderCache cache = model.startDecoding(memory, srcPadding, 2);
        assertThatThrownBy(() -> model.decodeStep(new int[] {1, 1}, cache))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lastTokens")
                .hasMessageContaining("expected 3").hasMessageContaining("got 2");
        assertThatThrownBy(() -> model.decodeStep(new int[] {1, TGT_VOCAB, 1}, cache))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tokens[1]")
                .hasMessageContaining("[0, " + TGT_VOCAB + ")");
        assertThat(cache.position()).isZero();
        model.decodeStep(new int[] {1, 1, 1}, cache);
        model.decodeStep(new int[] {4, 5, 6}, cache);
        assertThatThrownBy(() -> model.decodeStep(new int[] {7, 8, 9}, cache))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("capacity 2").hasMessageContaining("position 2");
        assertThat(cache.position()).isEqualTo(2);
        DecoderOnlyTransformer decoderOnly = new DecoderOnlyTransformer(layer(16, 2, 32, NormPlacement.PRE,
                Activation.GELU), 1, TGT_VOCAB, MAX_LEN, Seq2SeqConfig.Positions.SINUSOIDAL, 10L);
        assertThatThrownBy(() -> decoderOnly.decodeStep(new int[] {1, 1, 1}, cache))
                .hasMessageContaining("self-attention-only cache");
    }
}
