package dev.attention4j.nn.transformer;

import dev.attention4j.nn.Mode;
import dev.attention4j.nn.attention.Mask;
import dev.attention4j.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Cached incremental decoding equals recomputing the whole prefix, at every step. */
class IncrementalDecodingTest {

    static final float TOLERANCE = 1e-5f;
    static final int SRC_VOCAB = 13;
    static final int TGT_VOCAB = 17;
    static final int MAX_LEN = 12;

    /** A random small model; every 1-D parameter (biases, LayerNorm gains) is perturbed so none is trivial. */
    static Seq2SeqTransformer randomModel(long seed, NormPlacement placement, int numLayers,
                                          Seq2SeqConfig.Positions positions,
                                          Seq2SeqConfig.OutputProjection projection) {
        TransformerLayerConfig layer = TransformerLayerConfig.of(16, 2, 32).withDropout(0f)
                .withNormPlacement(placement);
        Seq2SeqConfig config = Seq2SeqConfig.of(new TransformerConfig(layer, numLayers, numLayers), SRC_VOCAB,
                        TGT_VOCAB, MAX_LEN).withPositions(positions).withOutputProjection(projection);
        Seq2SeqTransformer model = new Seq2SeqTransformer(config, seed);
        SplittableRandom random = new SplittableRandom(seed + 1000);
        for (Tensor p : model.namedParameters().values()) {
            if (p.rank() == 1) {
                float[] d = p.data();
                for (int i = 0; i < d.length; i++) {
                    d[i] += (float) (random.nextDouble() - 0.5) * 0.2f;
                }
            }
        }
        return model;
    }

    static Stream<Arguments> models() {
        return Stream.of(
                Arguments.of(1L, NormPlacement.POST, 2, Seq2SeqConfig.Positions.SINUSOIDAL,
                        Seq2SeqConfig.OutputProjection.TIED_TO_TARGET_EMBEDDING),
                Arguments.of(2L, NormPlacement.PRE, 2, Seq2SeqConfig.Positions.SINUSOIDAL,
                        Seq2SeqConfig.OutputProjection.TIED_TO_TARGET_EMBEDDING),
                Arguments.of(3L, NormPlacement.POST, 1, Seq2SeqConfig.Positions.LEARNED,
                        Seq2SeqConfig.OutputProjection.SEPARATE),
                Arguments.of(4L, NormPlacement.PRE, 3, Seq2SeqConfig.Positions.LEARNED,
                        Seq2SeqConfig.OutputProjection.SEPARATE));
    }

    static final int[][] SOURCES = {{3, 4, 5, 6, 7}, {8, 9, 0, 0, 0}, {10, 11, 12, 0, 0}};
    static final int[] SOURCE_LENGTHS = {5, 2, 3};

    static int[][] randomTargets(long seed, int batchSize, int len) {
        SplittableRandom random = new SplittableRandom(seed);
        int[][] tgt = new int[batchSize][len];
        for (int[] row : tgt) {
            for (int t = 0; t < len; t++) {
                row[t] = random.nextInt(TGT_VOCAB);
            }
        }
        return tgt;
    }

    static int[][] prefix(int[][] tgt, int len) {
        return Arrays.stream(tgt).map(row -> Arrays.copyOf(row, len)).toArray(int[][]::new);
    }

    @ParameterizedTest
    @MethodSource("models")
    void everyStepsLogitsEqualRecomputingThePrefix(long seed, NormPlacement placement, int numLayers,
                                                   Seq2SeqConfig.Positions positions,
                                                   Seq2SeqConfig.OutputProjection projection) {
        Seq2SeqTransformer model = randomModel(seed, placement, numLayers, positions, projection);
        Mask srcPadding = Mask.keyLengths(5, SOURCE_LENGTHS);
        Tensor memory = model.encode(SOURCES, srcPadding, Mode.INFERENCE);
        int[][] tgt = randomTargets(seed, SOURCES.length, MAX_LEN);
        DecoderCache cache = model.startDecoding(memory, srcPadding, MAX_LEN);
        int modelDim = 16;
        for (int step = 0; step < MAX_LEN; step++) {
            int[] last = new int[SOURCES.length];
            for (int b = 0; b < last.length; b++) {
                last[b] = tgt[b][step];
            }
            float[] cached = model.decodeStep(last, cache); // (batchSize, tgtVocab)
            Tensor full = model.decode(prefix(tgt, step + 1), memory, srcPadding, Mask.none(), Mode.INFERENCE);
            for (int b = 0; b < last.length; b++) {
                for (int v = 0; v < TGT_VOCAB; v++) {
                    float expected = full.get(b, step, v);
                    float actual = cached[b * TGT_VOCAB + v];
                    assertThat(Math.abs(actual - expected)).as("step %d, sequence %d, token %d: cached %s vs %s",
                            step, b, v, actual, expected).isLessThanOrEqualTo(TOLERANCE);
                }
            }
            assertThat(cache.position()).isEqualTo(step + 1);
            // the self caches: 2 (keys, values) x layers x length x modelDim x 4 bytes, per sequence
            assertThat(cache.bytes()).isEqualTo(2L * numLayers * (step + 1) * modelDim * 4 * SOURCES.length);
        }
        assertThat(cache.memoryBytes()).isEqualTo(2L * numLayers * 5 * modelDim * 4 * SOURCES.length);
    }

    @ParameterizedTest
    @MethodSource("models")
    void aChunkThenStepsEqualRecomputing(long seed, NormPlacement placement, int numLayers,
                                         Seq2SeqConfig.Positions positions,
                                         Seq2SeqConfig.OutputProjection projection) {
        Seq2SeqTransformer model = randomModel(seed, placement, numLayers, positions, projection);
        Mask srcPadding = Mask.keyLengths(5, SOURCE_LENGTHS);
        Tensor memory = model.encode(SOURCES, srcPadding, Mode.INFERENCE);
        int[][] tgt = randomTargets(seed + 7, SOURCES.length, 6);
        Tensor full = model.decode(tgt, memory, srcPadding, Mask.none(), Mode.INFERENCE); // (batch, 6, vocab)
        DecoderCache cache = model.startDecoding(memory, srcPadding, 6);
        Tensor first = model.decodeCached(prefix(tgt, 4), cache); // positions 0..3 at once
        for (int b = 0; b < SOURCES.length; b++) {
            for (int t = 0; t < 4; t++) {
                for (int v = 0; v < TGT_VOCAB; v++) {
                    assertThat(Math.abs(first.get(b, t, v) - full.get(b, t, v))).as("b %d t %d v %d", b, t, v)
                            .isLessThanOrEqualTo(TOLERANCE);
                }
            }
        }
        for (int t = 4; t < 6; t++) {
            int[] last = {tgt[0][t], tgt[1][t], tgt[2][t]};
            float[] step = model.decodeStep(last, cache); // (batchSize, tgtVocab)
            for (int b = 0; b < SOURCES.length; b++) {
                for (int v = 0; v < TGT_VOCAB; v++) {
                    assertThat(Math.abs(step[b * TGT_VOCAB + v] - full.get(b, t, v))).as("b %d t %d v %d", b, t, v)
                            .isLessThanOrEqualTo(TOLERANCE);
                }
            }
        }
    }

    @Test
    void aFullCacheIsAClearError() {
        Seq2SeqTransformer model = randomModel(5L, NormPlacement.POST, 2, Seq2SeqConfig.Positions.SINUSOIDAL,
                Seq2SeqConfig.OutputProjection.TIED_TO_TARGET_EMBEDDING);
        Mask srcPadding = Mask.keyLengths(5, SOURCE_LENGTHS);
        Tensor memory = model.encode(SOURCES, srcPadding, Mode.INFERENCE);
        DecoderCache cache = model.startDecoding(memory, srcPadding, 2);
        model.decodeStep(new int[] {1, 1, 1}, cache);
        model.decodeStep(new int[] {4, 5, 6}, cache);
        assertThatThrownBy(() -> model.decodeStep(new int[] {7, 8, 9}, cache))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("capacity 2")
                .hasMessageContaining("position 2");
        assertThat(cache.position()).isEqualTo(2);
        assertThatThrownBy(() -> model.startDecoding(memory, srcPadding, MAX_LEN + 1))
                .hasMessageContaining("capacity").hasMessageContaining("maxLen = " + MAX_LEN);
    }

    @Test
    void reorderingTheCacheReordersTheNextLogits() {
        Seq2SeqTransformer model = randomModel(6L, NormPlacement.PRE, 2, Seq2SeqConfig.Positions.SINUSOIDAL,
                Seq2SeqConfig.OutputProjection.TIED_TO_TARGET_EMBEDDING);
        Mask srcPadding = Mask.keyLengths(5, SOURCE_LENGTHS);
        Tensor memory = model.encode(SOURCES, srcPadding, Mode.INFERENCE);
        DecoderCache plain = model.startDecoding(memory, srcPadding, 3);
        DecoderCache reordered = model.startDecoding(memory, srcPadding, 3);
        int[][] steps = {{1, 1, 1}, {4, 5, 6}};
        for (int[] s : steps) {
            model.decodeStep(s, plain);
            model.decodeStep(s, reordered);
        }
        int[] order = {2, 0, 0};
        assertThatThrownBy(() -> reordered.reorder(new int[] {0, 3, 1})).hasMessageContaining("batchIndices[1]");
        reordered.reorder(order);
        float[] expected = model.decodeStep(new int[] {7, 7, 7}, plain);
        float[] actual = model.decodeStep(new int[] {7, 7, 7}, reordered);
        for (int b = 0; b < 3; b++) {
            for (int v = 0; v < TGT_VOCAB; v++) {
                assertThat(actual[b * TGT_VOCAB + v]).as("b %d v %d", b, v)
                        .isEqualTo(expected[order[b] * TGT_VOCAB + v]);
            }
        }
    }
}
