package dev.attention4j.nn.transformer;

import dev.attention4j.kernels.Parallel;
import dev.attention4j.nn.Mode;
import dev.attention4j.nn.attention.Mask;
import dev.attention4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TransformerTest {

    static Seq2SeqConfig config(Seq2SeqConfig.Positions positions, Seq2SeqConfig.OutputProjection projection) {
        return new Seq2SeqConfig(TransformerConfig.tiny(), 17, 19, 32, positions, projection);
    }

    final int[][] src = {{1, 5, 7, 9, 2, 0}, {3, 4, 2, 0, 0, 0}};
    final int[][] tgt = {{1, 8, 4, 6, 3}, {1, 2, 9, 0, 0}};
    final Mask srcPadding = Mask.keyLengths(6, 5, 3);
    final Mask tgtPadding = Mask.keyLengths(5, 5, 3);

    @Test
    void saveThenLoadIsIdentity() {
        for (Seq2SeqConfig.Positions positions : Seq2SeqConfig.Positions.values()) {
            for (Seq2SeqConfig.OutputProjection projection : Seq2SeqConfig.OutputProjection.values()) {
                Seq2SeqTransformer original = new Seq2SeqTransformer(config(positions, projection), 1L);
                Seq2SeqTransformer other = new Seq2SeqTransformer(config(positions, projection), 2L);
                Tensor before = other.forward(src, tgt, srcPadding, tgtPadding, Mode.INFERENCE);
                other.loadStateDict(original.stateDict());
                Tensor expected = original.forward(src, tgt, srcPadding, tgtPadding, Mode.INFERENCE);
                Tensor after = other.forward(src, tgt, srcPadding, tgtPadding, Mode.INFERENCE);
                assertThat(after.bitEquals(expected)).as(positions + " " + projection).isTrue();
                assertThat(before.bitEquals(expected)).isFalse();
                other.stateDict().forEach((name, t) -> assertThat(t.bitEquals(original.stateDict().get(name))).isTrue());
            }
        }
    }

    @Test
    void tiedOutputProjectionIsTheTargetEmbedding() {
        Seq2SeqTransformer tied = new Seq2SeqTransformer(config(Seq2SeqConfig.Positions.SINUSOIDAL,
                Seq2SeqConfig.OutputProjection.TIED_TO_TARGET_EMBEDDING), 1L);
        Map<String, Tensor> params = tied.namedParameters();
        assertThat(params.keySet()).contains("tgt_tok_emb.weight", "generator.bias")
                .doesNotContain("generator.weight", "positional_encoding.weight");
        Seq2SeqTransformer untied = new Seq2SeqTransformer(config(Seq2SeqConfig.Positions.LEARNED,
                Seq2SeqConfig.OutputProjection.SEPARATE), 1L);
        assertThat(untied.namedParameters().keySet()).contains("generator.weight", "positional_encoding.weight");
        // 19 x 64 fewer parameters when tied; 32 x 64 more with a learned position table
        assertThat(untied.parameterCount() - tied.parameterCount()).isEqualTo(19 * 64 + 32 * 64);
        // changing the embedding changes the output projection too
        Tensor before = tied.forward(src, tgt, srcPadding, tgtPadding, Mode.INFERENCE);
        params.get("tgt_tok_emb.weight").data()[5 * 64] += 1f; // token 5 is never an input: only the logits change
        Tensor after = tied.forward(src, tgt, srcPadding, tgtPadding, Mode.INFERENCE);
        for (int b = 0; b < 2; b++) {
            for (int t = 0; t < 5; t++) {
                for (int v = 0; v < 19; v++) {
                    boolean changed = after.get(b, t, v) != before.get(b, t, v);
                    assertThat(changed).as("logit %d changed", v).isEqualTo(v == 5);
                }
            }
        }
    }

    @Test
    void parameterCountMatchesTheFormula() {
        int d = 64;
        int f = 128;
        long attention = 4L * d * d + 4L * d;
        long ffn = 2L * d * f + f + d;
        long norm = 2L * d;
        long encoderLayer = attention + ffn + 2 * norm;
        long decoderLayer = 2 * attention + ffn + 3 * norm;
        long stacks = 2 * encoderLayer + 2 * decoderLayer + 2 * norm;
        long embeddings = 17L * d + 19L * d;
        long generator = 19; // tied weight: only the bias is new
        Seq2SeqTransformer tied = new Seq2SeqTransformer(config(Seq2SeqConfig.Positions.SINUSOIDAL,
                Seq2SeqConfig.OutputProjection.TIED_TO_TARGET_EMBEDDING), 1L);
        assertThat(tied.parameterCount()).isEqualTo(stacks + embeddings + generator);
        assertThat(new Transformer(TransformerConfig.base(), 1L).parameterCount())
                .isEqualTo(6 * (4L * 512 * 512 + 4 * 512 + 2L * 512 * 2048 + 2048 + 512 + 4 * 512)
                        + 6 * (8L * 512 * 512 + 8 * 512 + 2L * 512 * 2048 + 2048 + 512 + 6 * 512) + 4 * 512);
    }

    @Test
    void decoderOutputAtTIgnoresLaterTargetTokens() {
        Seq2SeqTransformer model = new Seq2SeqTransformer(config(Seq2SeqConfig.Positions.SINUSOIDAL,
                Seq2SeqConfig.OutputProjection.TIED_TO_TARGET_EMBEDDING), 3L);
        int[][] changed = {{1, 8, 4, 11, 12}, {1, 2, 9, 0, 0}};
        Tensor a = model.forward(src, tgt, srcPadding, Mask.none(), Mode.INFERENCE);
        Tensor b = model.forward(src, changed, srcPadding, Mask.none(), Mode.INFERENCE);
        for (int t = 0; t < 3; t++) {
            for (int v = 0; v < 19; v++) {
                assertThat(b.get(0, t, v)).isEqualTo(a.get(0, t, v));
            }
        }
        assertThat(b.get(0, 3, 0)).isNotEqualTo(a.get(0, 3, 0));
    }

    @Test
    void sourcePaddingContentDoesNotMatter() {
        Seq2SeqTransformer model = new Seq2SeqTransformer(config(Seq2SeqConfig.Positions.LEARNED,
                Seq2SeqConfig.OutputProjection.SEPARATE), 4L);
        int[][] otherPad = {{1, 5, 7, 9, 2, 13}, {3, 4, 2, 16, 15, 14}};
        Tensor a = model.forward(src, tgt, srcPadding, tgtPadding, Mode.INFERENCE);
        Tensor b = model.forward(otherPad, tgt, srcPadding, tgtPadding, Mode.INFERENCE);
        assertThat(b.bitEquals(a)).isTrue();
    }

    @Test
    void trainingModeIsSeededAndThreadCountIndependent() {
        Seq2SeqConfig c = new Seq2SeqConfig(new TransformerConfig(TransformerConfig.tiny().layer().withDropout(0.2f), 2, 2),
                17, 19, 32, Seq2SeqConfig.Positions.SINUSOIDAL, Seq2SeqConfig.OutputProjection.TIED_TO_TARGET_EMBEDDING);
        Seq2SeqTransformer model = new Seq2SeqTransformer(c, 5L);
        int before = Parallel.threads();
        try {
            Parallel.setThreads(1);
            Tensor one = model.forward(src, tgt, srcPadding, tgtPadding, Mode.training(9));
            Parallel.setThreads(2);
            Tensor two = model.forward(src, tgt, srcPadding, tgtPadding, Mode.training(9));
            Tensor otherSeed = model.forward(src, tgt, srcPadding, tgtPadding, Mode.training(10));
            Tensor inference = model.forward(src, tgt, srcPadding, tgtPadding, Mode.INFERENCE);
            assertThat(two.bitEquals(one)).isTrue();
            assertThat(otherSeed.bitEquals(one)).isFalse();
            assertThat(inference.bitEquals(one)).isFalse();
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void loadStateDictListsEveryProblem() {
        Transformer model = new Transformer(new TransformerConfig(TransformerLayerConfig.of(8, 2, 16), 1, 1), 1L);
        Map<String, Tensor> state = new LinkedHashMap<>(model.stateDict());
        state.remove("encoder.norm.weight");
        state.put("encoder.layers.0.linear1.weight", Tensor.zeros(15, 8));
        state.put("encoder.layers.0.self_attn.in_proj_weight_typo", Tensor.zeros(1));
        assertThatThrownBy(() -> model.loadStateDict(state))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("missing: [encoder.norm.weight]")
                .hasMessageContaining("unexpected: [encoder.layers.0.self_attn.in_proj_weight_typo]")
                .hasMessageContaining("encoder.layers.0.linear1.weight: expected shape [16, 8] but got [15, 8]");
    }

    @Test
    void configErrorsNameTheField() {
        assertThatThrownBy(() -> TransformerLayerConfig.of(10, 3, 20)).hasMessageContaining("numHeads")
                .hasMessageContaining("10").hasMessageContaining("3");
        assertThatThrownBy(() -> TransformerLayerConfig.of(8, 2, 0)).hasMessageContaining("ffnDim");
        assertThatThrownBy(() -> TransformerLayerConfig.of(8, 2, 16).withLayerNormEps(0f))
                .hasMessageContaining("layerNormEps");
        assertThatThrownBy(() -> new TransformerConfig(TransformerLayerConfig.of(8, 2, 16), 0, 1))
                .hasMessageContaining("numEncoderLayers");
        assertThatThrownBy(() -> new Seq2SeqConfig(TransformerConfig.tiny(), 0, 5, 8,
                Seq2SeqConfig.Positions.SINUSOIDAL, Seq2SeqConfig.OutputProjection.SEPARATE))
                .hasMessageContaining("srcVocab");
    }

    @Test
    void inputErrorsNameTheArgument() {
        Seq2SeqTransformer model = new Seq2SeqTransformer(config(Seq2SeqConfig.Positions.SINUSOIDAL,
                Seq2SeqConfig.OutputProjection.SEPARATE), 1L);
        assertThatThrownBy(() -> model.forward(new int[][] {{1, 17}}, new int[][] {{1}}, Mask.none(), Mask.none(),
                Mode.INFERENCE)).hasMessageContaining("tokens[0][1]").hasMessageContaining("[0, 17)");
        assertThatThrownBy(() -> model.forward(new int[][] {{1, 2}, {1}}, new int[][] {{1}, {1}}, Mask.none(),
                Mask.none(), Mode.INFERENCE)).hasMessageContaining("length 2");
        int[][] tooLong = {new int[33]};
        assertThatThrownBy(() -> model.forward(tooLong, new int[][] {{1}}, Mask.none(), Mask.none(), Mode.INFERENCE))
                .hasMessageContaining("maxLen 32");
        Transformer transformer = new Transformer(new TransformerConfig(TransformerLayerConfig.of(8, 2, 16), 1, 1), 1L);
        assertThatThrownBy(() -> transformer.forward(Tensor.zeros(2, 3, 8), Tensor.zeros(2, 3, 6), Mask.none(),
                Mask.causal(), Mask.none(), Mode.INFERENCE)).hasMessageContaining("query")
                .hasMessageContaining("[2, 3, 6]");
    }
}
