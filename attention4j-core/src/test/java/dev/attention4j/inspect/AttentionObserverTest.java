package dev.attention4j.inspect;

import dev.attention4j.generate.GenerationConfig;
import dev.attention4j.generate.Generator;
import dev.attention4j.nn.Mode;
import dev.attention4j.nn.attention.AttentionKind;
import dev.attention4j.nn.attention.AttentionMap;
import dev.attention4j.nn.attention.AttentionSite;
import dev.attention4j.nn.attention.AttentionWeights;
import dev.attention4j.nn.attention.Mask;
import dev.attention4j.nn.attention.MultiHeadAttention;
import dev.attention4j.nn.transformer.DecoderLayer;
import dev.attention4j.nn.transformer.DecoderOnlyTransformer;
import dev.attention4j.nn.transformer.EncoderLayer;
import dev.attention4j.nn.transformer.NormPlacement;
import dev.attention4j.nn.transformer.Seq2SeqConfig;
import dev.attention4j.nn.transformer.Seq2SeqTransformer;
import dev.attention4j.nn.transformer.Transformer;
import dev.attention4j.nn.transformer.TransformerConfig;
import dev.attention4j.nn.transformer.TransformerLayerConfig;
import dev.attention4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static dev.attention4j.nn.attention.AttentionSite.Stack.DECODER;
import static dev.attention4j.nn.attention.AttentionSite.Stack.ENCODER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class AttentionObserverTest {

    private static final TransformerConfig CONFIG =
            new TransformerConfig(TransformerLayerConfig.of(32, 4, 64).withDropout(0f), 2, 3);

    private final Transformer transformer = new Transformer(CONFIG, 7L);
    private final Tensor src = Tensor.randn(1L, 2, 5, 32); // (batchSize, srcLen, modelDim)
    private final Tensor tgt = Tensor.randn(2L, 2, 4, 32); // (batchSize, tgtLen, modelDim)
    private final Mask srcPadding = Mask.keyLengths(5, 5, 3);

    @Test
    void encoderMapsAreEachLayersOwnPerHeadWeights() {
        AttentionRecorder recorder = AttentionRecorder.allHeads();
        Tensor memory = transformer.encode(src, srcPadding, Mode.INFERENCE, recorder);

        assertThat(recorder.maps()).hasSize(2);
        Tensor x = src;
        for (int i = 0; i < 2; i++) {
            EncoderLayer layer = transformer.encoder().layers().get(i);
            Tensor expected = layer.selfAttention().forward(x, x, x, srcPadding, AttentionWeights.PER_HEAD).weights();
            AttentionMap map = recorder.map(new AttentionSite(ENCODER, i, AttentionKind.SELF, 0));
            assertThat(map.weights().shape()).isEqualTo(expected.shape());
            assertThat(map.weights().bitEquals(expected)).as("layer %d", i).isTrue();
            x = layer.forward(x, srcPadding, Mode.INFERENCE);
        }
        assertThat(memory.bitEquals(transformer.encode(src, srcPadding, Mode.INFERENCE)))
                .as("observing changes nothing").isTrue();
    }

    @Test
    void perLayerAndHeadCopiesOneSequencesMatricesOutOfEachLayersMap() {
        AttentionRecorder recorder = AttentionRecorder.heads(1, 3);
        transformer.forward(src, tgt, srcPadding, Mask.causal(), srcPadding, Mode.INFERENCE, recorder);
        float[][][] cross = recorder.perLayerAndHead(DECODER, AttentionKind.CROSS, 1);
        assertThat(cross).hasNumberOfRows(3); // decoder layers
        for (int layer = 0; layer < 3; layer++) {
            AttentionMap map = recorder.map(new AttentionSite(DECODER, layer, AttentionKind.CROSS, 0));
            assertThat(cross[layer]).hasNumberOfRows(2);
            for (int k = 0; k < 2; k++) {
                assertThat(cross[layer][k]).hasSize(4 * 5);
                for (int i = 0; i < 4; i++) {
                    for (int j = 0; j < 5; j++) {
                        assertThat(cross[layer][k][i * 5 + j]).isEqualTo(map.weight(1, k, i, j));
                    }
                }
            }
        }
        assertThatThrownBy(() -> recorder.perLayerAndHead(ENCODER, AttentionKind.SELF, 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("batch: expected 0..1");
        transformer.encode(src, srcPadding, Mode.INFERENCE, recorder); // a second run: two maps per layer
        assertThatThrownBy(() -> recorder.perLayerAndHead(ENCODER, AttentionKind.SELF, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one map per layer");
    }

    @Test
    void rowsSumToOneOverUnmaskedKeysAndPaddedKeysGetNothing() {
        AttentionRecorder recorder = AttentionRecorder.allHeads();
        transformer.forward(src, tgt, srcPadding, Mask.causal(), srcPadding, Mode.INFERENCE, recorder);
        int[] lengths = {5, 3};
        for (AttentionMap map : recorder.maps()) {
            for (int b = 0; b < 2; b++) {
                for (int k = 0; k < 4; k++) {
                    for (int i = 0; i < map.tgtLen(); i++) {
                        int visible = switch (map.site().kind()) {
                            case SELF, CROSS -> lengths[b];
                            case MASKED_SELF -> i + 1;
                        };
                        double sum = 0;
                        for (int j = 0; j < map.srcLen(); j++) {
                            float w = map.weight(b, k, i, j);
                            if (j >= visible) {
                                assertThat(w).as("%s b%d h%d row %d key %d", map.site(), b, k, i, j).isZero();
                            }
                            sum += w;
                        }
                        assertThat(sum).as("%s b%d h%d row %d", map.site(), b, k, i).isCloseTo(1.0, within(1e-5));
                    }
                }
            }
        }
    }

    @Test
    void forwardGivesOneMapPerLayerAndMechanismInModelOrder() {
        AttentionRecorder recorder = AttentionRecorder.allHeads();
        transformer.forward(src, tgt, srcPadding, Mask.causal(), srcPadding, Mode.INFERENCE, recorder);

        assertThat(recorder.maps()).extracting(m -> m.site().toString()).containsExactly(
                "encoder.layers.0 SELF @0", "encoder.layers.1 SELF @0",
                "decoder.layers.0 MASKED_SELF @0", "decoder.layers.0 CROSS @0",
                "decoder.layers.1 MASKED_SELF @0", "decoder.layers.1 CROSS @0",
                "decoder.layers.2 MASKED_SELF @0", "decoder.layers.2 CROSS @0");
        assertThat(recorder.maps(DECODER, AttentionKind.MASKED_SELF)).allSatisfy(m -> {
            assertThat(m.weights().shape().dims()).containsExactly(2, 4, 4, 4);
        });
        assertThat(recorder.maps(DECODER, AttentionKind.CROSS)).allSatisfy(m -> {
            assertThat(m.weights().shape().dims()).containsExactly(2, 4, 4, 5);
        });
    }

    @Test
    void decoderMapsMatchEachAttentionModuleAndCausalMapsAreLowerTriangular() {
        AttentionRecorder recorder = AttentionRecorder.allHeads();
        Tensor memory = transformer.encode(src, srcPadding, Mode.INFERENCE);
        transformer.decode(tgt, memory, Mask.causal(), srcPadding, Mode.INFERENCE, recorder);

        DecoderLayer first = transformer.decoder().layers().get(0);
        Tensor self = first.selfAttention().forward(tgt, tgt, tgt, Mask.causal(), AttentionWeights.PER_HEAD).weights();
        assertThat(recorder.map(new AttentionSite(DECODER, 0, AttentionKind.MASKED_SELF, 0)).weights()
                .bitEquals(self)).isTrue();
        for (AttentionMap map : recorder.maps(DECODER, AttentionKind.MASKED_SELF)) {
            for (int b = 0; b < 2; b++) {
                for (int k = 0; k < 4; k++) {
                    for (int i = 0; i < 4; i++) {
                        for (int j = i + 1; j < 4; j++) {
                            assertThat(map.weight(b, k, i, j)).as("%s above the diagonal", map.site()).isZero();
                        }
                        assertThat(map.weight(b, k, i, i)).as("%s diagonal", map.site()).isPositive();
                    }
                }
            }
        }
    }

    @Test
    void onlyTheHeadsAskedForAreHandedOverInOrder() {
        AttentionRecorder recorder = AttentionRecorder.heads(1, 3).onlyAt(s -> s.stack() == ENCODER && s.layer() == 0);
        transformer.encode(src, srcPadding, Mode.INFERENCE, recorder);

        assertThat(recorder.maps()).hasSize(1);
        AttentionMap map = recorder.maps().get(0);
        assertThat(map.heads()).containsExactly(1, 3);
        MultiHeadAttention attention = transformer.encoder().layers().get(0).selfAttention();
        Tensor all = attention.forward(src, src, src, srcPadding, AttentionWeights.PER_HEAD).weights();
        for (int b = 0; b < 2; b++) {
            for (int k = 0; k < 2; k++) {
                for (int i = 0; i < 5; i++) {
                    for (int j = 0; j < 5; j++) {
                        assertThat(map.weight(b, k, i, j)).isEqualTo(all.get(b, map.heads()[k], i, j));
                    }
                }
            }
        }
    }

    @Test
    void aHeadPastTheModulesCountIsRejectedNamingTheSite() {
        AttentionRecorder recorder = AttentionRecorder.heads(4);
        assertThatThrownBy(() -> transformer.encode(src, srcPadding, Mode.INFERENCE, recorder))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("encoder.layers.0 SELF @0").hasMessageContaining("[0, 4)");
    }

    @Test
    void trainingIsObservedToo() {
        Seq2SeqTransformer model = new Seq2SeqTransformer(Seq2SeqConfig.of(new TransformerConfig(
                TransformerLayerConfig.of(32, 4, 64).withDropout(0f), 1, 1), 11, 11, 16), 3L);
        AttentionRecorder recorder = AttentionRecorder.allHeads();
        model.forward(new int[][] {{3, 4, 5}}, new int[][] {{1, 6}}, Mask.none(), Mask.none(),
                Mode.training(9L, new dev.attention4j.autograd.Tape()), recorder);
        assertThat(recorder.maps()).hasSize(3);
    }

    @Test
    void generationGivesOneMapPerGeneratedTokenEqualToTheTeacherForcedRows() {
        Seq2SeqTransformer model = new Seq2SeqTransformer(Seq2SeqConfig.of(new TransformerConfig(
                TransformerLayerConfig.of(32, 4, 64).withDropout(0f).withNormPlacement(NormPlacement.PRE), 2, 2),
                20, 12, 40), 5L);
        int[][] sources = {{3, 4, 5, 6, 7}, {8, 9, 10, 0, 0}};
        int[] lengths = {5, 3};
        int maxNewTokens = 6;
        AttentionRecorder recorder = AttentionRecorder.allHeads();
        GenerationConfig config = GenerationConfig.greedy(maxNewTokens, 2).withStopTokens(Set.of());
        int[][] generated = Generator.bestTokens(Generator.generate(model, sources, lengths, 1, config, recorder));

        assertThat(recorder.maps(ENCODER, AttentionKind.SELF)).hasSize(2);
        List<AttentionMap> self = recorder.maps(DECODER, AttentionKind.MASKED_SELF);
        List<AttentionMap> cross = recorder.maps(DECODER, AttentionKind.CROSS);
        assertThat(self).hasSize(2 * maxNewTokens); // BOS + maxNewTokens - 1 tokens fed, 2 layers each
        assertThat(cross).hasSize(2 * maxNewTokens);

        // Teacher-forced on what was generated: row t of each full map is the map of step t.
        int[][] fed = new int[2][maxNewTokens];
        for (int b = 0; b < 2; b++) {
            fed[b][0] = 1;
            System.arraycopy(generated[b], 0, fed[b], 1, maxNewTokens - 1);
        }
        AttentionRecorder full = AttentionRecorder.allHeads();
        model.forward(sources, fed, Mask.keyLengths(5, lengths), Mask.none(), Mode.INFERENCE, full);
        for (AttentionMap step : recorder.maps().subList(2, recorder.maps().size())) {
            int t = step.site().step();
            AttentionMap whole = full.map(new AttentionSite(DECODER, step.site().layer(), step.site().kind(), 0));
            int keys = step.site().kind() == AttentionKind.CROSS ? 5 : t + 1;
            assertThat(step.weights().shape().dims()).containsExactly(2, 4, 1, keys);
            for (int b = 0; b < 2; b++) {
                for (int k = 0; k < 4; k++) {
                    for (int j = 0; j < keys; j++) {
                        assertThat(step.weight(b, k, 0, j)).as("%s b%d h%d key %d", step.site(), b, k, j)
                                .isCloseTo(whole.weight(b, k, t, j), within(2e-5f));
                    }
                }
            }
        }
    }

    @Test
    void decoderOnlyGenerationObservesThePromptThenEachToken() {
        DecoderOnlyTransformer model = new DecoderOnlyTransformer(TransformerLayerConfig.of(32, 4, 64)
                .withDropout(0f), 2, 12, 40, Seq2SeqConfig.Positions.SINUSOIDAL, 4L);
        AttentionRecorder recorder = AttentionRecorder.allHeads();
        GenerationConfig config = GenerationConfig.greedy(4, 2).withStopTokens(Set.of());
        Generator.generate(model, new int[][] {{1, 5, 6}}, config, recorder);

        // prompt (3 tokens at step 0), then 3 more fed tokens at steps 3, 4, 5, each in 2 layers
        assertThat(recorder.maps()).extracting(m -> m.site().step()).containsExactly(0, 0, 3, 3, 4, 4, 5, 5);
        assertThat(recorder.maps().get(0).weights().shape().dims()).containsExactly(1, 4, 3, 3);
        assertThat(recorder.maps().get(7).weights().shape().dims()).containsExactly(1, 4, 1, 6);
    }
}
