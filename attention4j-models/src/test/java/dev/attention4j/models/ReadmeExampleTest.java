package dev.attention4j.models;

import dev.attention4j.models.formats.ModuleWeights;
import dev.attention4j.nn.attention.AttentionOutput;
import dev.attention4j.nn.attention.AttentionWeights;
import dev.attention4j.nn.attention.Mask;
import dev.attention4j.nn.attention.MultiHeadAttention;
import dev.attention4j.nn.attention.MultiHeadAttentionConfig;
import dev.attention4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's Java example, so the documentation cannot drift from the API. */
class ReadmeExampleTest {

    @TempDir
    Path dir;

    @Test
    void theReadmeExampleRunsAndSaysWhatItClaims() throws Exception {
        var attention = new MultiHeadAttention(MultiHeadAttentionConfig.of(512, 8), 42L);
        Tensor x = Tensor.randn(0L, 2, 10, 512);
        AttentionOutput out = attention.forward(x, x, x, Mask.causal(), AttentionWeights.PER_HEAD);
        assertThat(out.output().shape().dims()).containsExactly(2, 10, 512);
        assertThat(out.weights().shape().dims()).containsExactly(2, 8, 10, 10);
        for (int i = 0; i < 10; i++) {
            for (int j = i + 1; j < 10; j++) {
                assertThat(out.weights().get(1, 7, i, j)).isZero();
            }
        }
        ModuleWeights.save(attention, dir.resolve("out.safetensors"));
        var reloaded = new MultiHeadAttention(MultiHeadAttentionConfig.of(512, 8), 1L);
        ModuleWeights.load(reloaded, dir.resolve("out.safetensors"));
        assertThat(reloaded.forward(x, x, x, Mask.causal()).bitEquals(out.output())).isTrue();
    }
}
