package dev.attention4j.models.formats;

import dev.attention4j.nn.Mode;
import dev.attention4j.nn.attention.Mask;
import dev.attention4j.nn.attention.MultiHeadAttention;
import dev.attention4j.nn.attention.MultiHeadAttentionConfig;
import dev.attention4j.nn.transformer.Seq2SeqConfig;
import dev.attention4j.nn.transformer.Seq2SeqTransformer;
import dev.attention4j.nn.transformer.TransformerConfig;
import dev.attention4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModuleWeightsTest {

    @TempDir
    Path dir;

    @Test
    void saveThenLoadThroughAFileIsIdentity() throws Exception {
        for (Seq2SeqConfig.OutputProjection projection : Seq2SeqConfig.OutputProjection.values()) {
            Seq2SeqConfig config = new Seq2SeqConfig(TransformerConfig.tiny(), 13, 11, 16,
                    Seq2SeqConfig.Positions.LEARNED, projection);
            Seq2SeqTransformer saved = new Seq2SeqTransformer(config, 1L);
            Path file = dir.resolve(projection + ".safetensors");
            ModuleWeights.save(saved, file, Map.of("note", "test"));
            Seq2SeqTransformer loaded = new Seq2SeqTransformer(config, 2L);
            ModuleWeights.load(loaded, file);
            assertThat(loaded.namedParameters().keySet()).containsExactlyElementsOf(saved.namedParameters().keySet());
            saved.namedParameters().forEach((name, t) ->
                    assertThat(loaded.namedParameters().get(name).bitEquals(t)).as(name).isTrue());
            int[][] src = {{1, 2, 3}};
            int[][] tgt = {{1, 4}};
            Tensor a = saved.forward(src, tgt, Mask.none(), Mask.none(), Mode.INFERENCE);
            Tensor b = loaded.forward(src, tgt, Mask.none(), Mask.none(), Mode.INFERENCE);
            assertThat(b.bitEquals(a)).isTrue();
        }
    }

    @Test
    void loadingWeightsOfAnotherShapeNamesTheFileAndTheParameters() throws Exception {
        Path file = dir.resolve("mha.safetensors");
        ModuleWeights.save(new MultiHeadAttention(MultiHeadAttentionConfig.of(8, 2), 1L), file);
        MultiHeadAttention wider = new MultiHeadAttention(MultiHeadAttentionConfig.of(12, 2).withoutBias(), 1L);
        assertThatThrownBy(() -> ModuleWeights.load(wider, file))
                .isInstanceOf(WeightFormatException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("in_proj_weight: expected shape [36, 12] but got [24, 8]")
                .hasMessageContaining("unexpected: [in_proj_bias, out_proj.bias]");
    }
}
