package dev.attention4j.cli;

import dev.attention4j.generate.Finish;
import dev.attention4j.generate.Generation;
import dev.attention4j.generate.GenerationConfig;
import dev.attention4j.generate.Generator;
import dev.attention4j.generate.Hypothesis;
import dev.attention4j.inspect.AttentionRecorder;
import dev.attention4j.nn.attention.AttentionKind;
import dev.attention4j.nn.attention.AttentionMap;
import dev.attention4j.nn.attention.AttentionSite;
import dev.attention4j.train.data.NumberWords;
import dev.attention4j.train.data.Tokenizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class TranslationAttentionTest {

    private static TrainedModel model;

    @BeforeAll
    static void load() throws Exception {
        model = TrainedModel.builtIn();
    }

    @Test
    void theTeacherForcedAlignmentIsWhatCachedGenerationLookedAtStepByStep() {
        String text = NumberWords.english(2005);
        int[] src = model.sourceTokenizer().encode(text);
        // the route to compare with: one cross-attention map per generated token, from the cached step
        AttentionRecorder steps = AttentionRecorder.allHeads().onlyAt(s -> s.kind() == AttentionKind.CROSS);
        Generation generated = Generator.generate(model.model(), new int[][] {src}, new int[] {src.length},
                Tokenizer.BOS_ID, GenerationConfig.greedy(20, Tokenizer.EOS_ID), steps).get(0);
        Hypothesis best = generated.best();
        assertThat(model.targetTokenizer().decode(best.tokens())).isEqualTo(NumberWords.chinese(2005));
        assertThat(best.finish()).isEqualTo(Finish.STOP_TOKEN);

        TranslationAttention attention = TranslationAttention.of(model, src, best);

        int rows = best.tokens().length + 1; // every output token and the stop token
        assertThat(attention.produced()).hasSize(rows).endsWith("</s>");
        assertThat(attention.fed()).hasSize(rows).startsWith("<s>");
        assertThat(attention.source()).hasSize(src.length);
        int layers = attention.cross().layers();
        assertThat(layers).isPositive();
        for (int layer = 0; layer < layers; layer++) {
            for (int t = 0; t < rows; t++) {
                AttentionMap step = steps.map(new AttentionSite(AttentionSite.Stack.DECODER, layer,
                        AttentionKind.CROSS, t));
                assertThat(step.tgtLen()).isEqualTo(1);
                for (int k = 0; k < step.heads().length; k++) {
                    for (int j = 0; j < src.length; j++) {
                        assertThat(attention.cross().weights()[layer][k][t * src.length + j])
                                .as("layer %d head %d row %d key %d", layer, k, t, j)
                                .isCloseTo(step.weight(0, k, 0, j), within(1e-5f));
                    }
                }
            }
        }
    }

    @Test
    void everyRowIsADistributionAndTheDecoderNeverSeesAhead() {
        int[] src = model.sourceTokenizer().encode(NumberWords.english(307));
        Hypothesis best = Generator.generate(model.model(), new int[][] {src}, new int[] {src.length},
                Tokenizer.BOS_ID, GenerationConfig.greedy(20, Tokenizer.EOS_ID)).get(0).best();
        TranslationAttention a = TranslationAttention.of(model, src, best);
        int n = a.fed().size();
        assertRowsSumToOne(a.encoderSelf().weights(), src.length, src.length);
        assertRowsSumToOne(a.decoderSelf().weights(), n, n);
        assertRowsSumToOne(a.cross().weights(), n, src.length);
        for (float[][] layer : a.decoderSelf().weights()) {
            for (float[] head : layer) {
                for (int i = 0; i < n; i++) {
                    for (int j = i + 1; j < n; j++) {
                        assertThat(head[i * n + j]).isZero();
                    }
                }
            }
        }
        float[] mean = a.cross().headAverage(0);
        float[] expected = new float[mean.length];
        for (float[] head : a.cross().weights()[0]) {
            for (int i = 0; i < head.length; i++) {
                expected[i] += head[i] / a.cross().heads();
            }
        }
        assertThat(mean).containsExactly(expected, within(1e-6f));
    }

    @Test
    void anOutputThatProducedNothingIsRefused() {
        int[] src = model.sourceTokenizer().encode("five");
        assertThatThrownBy(() -> TranslationAttention.of(model, src, new Hypothesis(new int[0], 0, Finish.MAX_LENGTH)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one token");
        assertThatThrownBy(() -> TranslationAttention.of(model, new int[0], new Hypothesis(new int[] {5}, 0,
                Finish.MAX_LENGTH))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sourceIds");
    }

    private static void assertRowsSumToOne(float[][][] maps, int rows, int cols) {
        for (float[][] layer : maps) {
            for (float[] head : layer) {
                assertThat(head).hasSize(rows * cols);
                for (int i = 0; i < rows; i++) {
                    double sum = 0;
                    for (int j = 0; j < cols; j++) {
                        sum += head[i * cols + j];
                    }
                    assertThat(sum).isCloseTo(1.0, within(1e-5));
                }
            }
        }
    }
}
