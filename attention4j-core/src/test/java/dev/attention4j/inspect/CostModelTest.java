package dev.attention4j.inspect;

import dev.attention4j.nn.Activation;
import dev.attention4j.nn.Mode;
import dev.attention4j.nn.attention.Mask;
import dev.attention4j.nn.transformer.DecoderCache;
import dev.attention4j.nn.transformer.NormPlacement;
import dev.attention4j.nn.transformer.Seq2SeqConfig;
import dev.attention4j.nn.transformer.Seq2SeqTransformer;
import dev.attention4j.nn.transformer.TransformerConfig;
import dev.attention4j.nn.transformer.TransformerLayerConfig;
import dev.attention4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class CostModelTest {

    private static long count(Seq2SeqTransformer model) {
        return model.namedParameters().values().stream().mapToLong(Tensor::size).sum();
    }

    @Test
    void thePapersBaseModelHasItsSixtyFiveMillionParametersWithOneSharedVocabulary() {
        CostModel base = CostModel.of(Seq2SeqConfig.of(TransformerConfig.base(), 37000, 37000, 512));
        long d = 512;
        long f = 2048;
        // per layer, by hand: attention 4 d^2 + 4 d, feed-forward 2 d f + f + d, LayerNorm 2 d
        long attention = 4 * d * d + 4 * d;            // 1,050,624
        long feedForward = 2 * d * f + f + d;          // 2,099,712
        long encoderLayer = attention + feedForward + 2 * 2 * d; // 3,152,384
        long decoderLayer = 2 * attention + feedForward + 3 * 2 * d; // 4,204,032
        assertThat(base.encoderLayerParameters()).isEqualTo(encoderLayer).isEqualTo(3_152_384L);
        assertThat(base.decoderLayerParameters()).isEqualTo(decoderLayer).isEqualTo(4_204_032L);
        assertThat(base.stackParameters()).isEqualTo(6 * encoderLayer + 6 * decoderLayer).isEqualTo(44_138_496L);

        // The paper shares one 37000-token table between source, target and output (section 3.4):
        // stacks + 2 final norms + one table + the output bias.
        long paper = base.stackParameters() + 2 * 2 * d + 37000 * d + 37000;
        assertThat(paper).isEqualTo(63_121_544L);
        assertThat(paper / 1e6).as("the paper's Table 3 says 65M").isCloseTo(65, within(2.0));
        // Seq2SeqTransformer has its own source table (Seq2SeqConfig ties only the output to the target table).
        assertThat(base.parameters()).isEqualTo(paper + 37000 * d).isEqualTo(82_065_544L);
    }

    @Test
    void theBaseModelActuallyBuiltHasTheCountedParameters() {
        Seq2SeqConfig config = Seq2SeqConfig.of(TransformerConfig.base(), 37000, 37000, 512);
        assertThat(count(new Seq2SeqTransformer(config, 1L))).isEqualTo(CostModel.of(config).parameters());
    }

    @Test
    void otherLayoutsMatchTheModelsBuiltToo() {
        TransformerLayerConfig layer = TransformerLayerConfig.of(48, 6, 80).withNormPlacement(NormPlacement.PRE)
                .withActivation(Activation.GELU);
        Seq2SeqConfig learned = new Seq2SeqConfig(new TransformerConfig(layer, 3, 2), 31, 17, 20,
                Seq2SeqConfig.Positions.LEARNED, Seq2SeqConfig.OutputProjection.SEPARATE);
        assertThat(count(new Seq2SeqTransformer(learned, 2L))).isEqualTo(CostModel.of(learned).parameters());
        Seq2SeqConfig tiny = Seq2SeqConfig.of(TransformerConfig.tiny(), 20, 12, 40);
        assertThat(count(new Seq2SeqTransformer(tiny, 3L))).isEqualTo(CostModel.of(tiny).parameters());
    }

    @Test
    void allMiniLmL6V2HasTwentyTwoPointSevenMillionParametersWithItsPooler() {
        // vocab 30522, hidden 384, 6 layers, 12 heads, intermediate 1536, 512 positions, 2 token types
        TransformerLayerConfig layer = new TransformerLayerConfig(384, 12, 1536, 0f, Activation.GELU, 1e-12f,
                NormPlacement.POST);
        CostModel miniLm = CostModel.encoderOnly(layer, 6, 30522, 512, 2);
        long d = 384;
        long f = 1536;
        long encoderLayer = (4 * d * d + 4 * d) + (2 * d * f + f + d) + 2 * 2 * d; // 1,774,464
        long embeddings = (30522 + 512 + 2) * d + 2 * d;                           // + the embedding LayerNorm
        assertThat(miniLm.parameters()).isEqualTo(6 * encoderLayer + embeddings).isEqualTo(22_565_376L);
        // Hugging Face's 22.7M counts BertModel's pooler too (a d x d dense layer), which sentence embeddings skip.
        long pooler = d * d + d;
        assertThat((miniLm.parameters() + pooler) / 1e6).isCloseTo(22.7, within(0.05));
    }

    @Test
    void forwardFlopsFollowTheHandDerivedFormula() {
        TransformerLayerConfig layer = TransformerLayerConfig.of(4, 2, 8);
        CostModel model = CostModel.of(Seq2SeqConfig.of(new TransformerConfig(layer, 1, 1), 7, 5, 10));
        CostModel.Flops flops = model.forwardFlops(3, 2); // n = 3 source, m = 2 target tokens, d = 4, f = 8, V = 5
        // projections: encoder 3 tokens * 2 * 4 d^2; decoder self 2 * 2 * 4 d^2; cross W_Q, W_O 2 * 2 * 2 d^2 and
        // W_K, W_V over the 3 memory tokens 3 * 2 * 2 d^2
        assertThat(flops.projections()).isEqualTo(3 * 2 * 4 * 16 + 2 * 2 * 4 * 16 + 2 * 2 * 2 * 16 + 3 * 2 * 2 * 16);
        assertThat(flops.feedForward()).isEqualTo((3 + 2) * 2 * 2 * 4 * 8);
        assertThat(flops.encoderSelfAttention()).isEqualTo(4 * 4 * 3 * 3);
        assertThat(flops.decoderSelfAttention()).isEqualTo(4 * 4 * 2 * 2);
        assertThat(flops.crossAttention()).isEqualTo(4 * 4 * 3 * 2);
        assertThat(flops.logits()).isEqualTo(2 * 2 * 4 * 5);
        assertThat(flops.total()).isEqualTo(960 + 640 + 144 + 64 + 96 + 80);
        assertThat(flops.attentionShare()).isCloseTo((144 + 64 + 96) / 1984.0, within(1e-12));
        assertThat(model.backwardFlops(3, 2)).isEqualTo(2 * 1984);
        assertThat(model.forwardFlopsPerToken(3, 2)).isCloseTo(1984 / 5.0, within(1e-12));
    }

    @Test
    void attentionsShareGrowsWithLengthAndTheQuadraticTermOvertakesTheProjections() {
        CostModel base = CostModel.of(Seq2SeqConfig.of(TransformerConfig.base(), 37000, 37000, 8192));
        // per encoder layer: 8 d^2 n + 4 d f n (linear) vs 4 d n^2: equal at n = 2 d + f = 3072 tokens
        CostModel encoderOnly = CostModel.encoderOnly(TransformerLayerConfig.of(512, 8, 2048), 6, 1, 1, 1);
        CostModel.Flops at = encoderOnly.forwardFlops(3072, 0);
        assertThat(at.encoderSelfAttention()).isEqualTo(at.projections() + at.feedForward());
        assertThat(base.forwardFlops(64, 64).attentionShare())
                .isLessThan(base.forwardFlops(1024, 1024).attentionShare());
    }

    @Test
    void kvCacheBytesAreWhatADecoderCacheActuallyHolds() {
        Seq2SeqConfig config = Seq2SeqConfig.of(TransformerConfig.tiny(), 20, 12, 40);
        Seq2SeqTransformer model = new Seq2SeqTransformer(config, 3L);
        int[][] src = {{3, 4, 5, 6, 7}, {8, 9, 10, 11, 12}};
        Tensor memory = model.encode(src, Mask.none(), Mode.INFERENCE);
        DecoderCache cache = model.startDecoding(memory, Mask.none(), 10);
        model.decodeCached(new int[][] {{1, 4, 5}, {1, 6, 7}}, cache);
        CostModel cost = CostModel.of(config);
        assertThat(cost.selfCacheBytes(2, 3)).isEqualTo(cache.bytes()).isEqualTo(2L * 2 * 2 * 3 * 64 * 4);
        assertThat(cost.crossCacheBytes(2, 5)).isEqualTo(cache.memoryBytes()).isEqualTo(2L * 2 * 2 * 5 * 64 * 4);
    }

    @Test
    void activationsFollowTheHandDerivedFormula() {
        TransformerLayerConfig layer = TransformerLayerConfig.of(4, 2, 8);
        CostModel model = CostModel.of(Seq2SeqConfig.of(new TransformerConfig(layer, 1, 1), 7, 5, 10));
        // encoder token: 5 d + h + d + 2 f + 2 d = 20 + 2 + 4 + 16 + 8 = 50 floats
        // decoder token: (5 d + h) + (2 d + h) + (d + 2 f) + 3 d = 22 + 10 + 20 + 12 = 64; memory token: 2 d = 8
        long floats = 3 * 50 + 2 * 64 + 3 * 8;
        assertThat(model.activationBytes(2, 3, 2)).isEqualTo(2 * floats * 4);
    }

    @Test
    void configsAreValidatedNamingTheField() {
        assertThatThrownBy(() -> new CostModel(TransformerLayerConfig.of(4, 2, 8), -1, 1, 0, 0, 0, 0))
                .hasMessageContaining("numEncoderLayers").hasMessageContaining("-1");
        assertThatThrownBy(() -> CostModel.of(Seq2SeqConfig.of(TransformerConfig.tiny(), 5, 5, 5)).forwardFlops(-2, 1))
                .hasMessageContaining("srcLen");
    }
}
