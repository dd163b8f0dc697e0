package dev.attention4j.cli;

import dev.attention4j.models.bert.BertModel;
import dev.attention4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

class CostCommandTest {

    @Test
    void theMiniLmPresetCountsTheParametersOfTheBertModelActuallyBuilt() {
        long built = new BertModel(CostPreset.miniLmConfig(), 0L).namedParameters().values().stream()
                .mapToLong(Tensor::size).sum();
        CliRun run = CliRun.of("cost", "--preset", "minilm", "--seq", "64");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains(String.format(Locale.ROOT, "%,d", built)).contains("22.57M")
                .contains("64 tokens").contains("KV cache     none");
    }

    @Test
    void theDefaultIsThePapersBaseModelWithItsVocabulary() {
        CliRun run = CliRun.of("cost");
        assertThat(run.exitCode()).as(run.err()).isZero();
        // 6 encoder + 6 decoder layers, 2 final norms, two 37000 x 512 tables, the tied output's bias
        long expected = 6L * 3_152_384 + 6L * 4_204_032 + 2 * 1024 + 2L * 37000 * 512 + 37000;
        assertThat(run.out()).contains(String.format(Locale.ROOT, "%,d", expected))
                .contains("source = target = 128 tokens").contains("O(n*m) cross-attention")
                .contains("KV cache     3.0 MiB self-attention after 128 target tokens");
    }

    @Test
    void writesThePlotAsPngOrSvg(@TempDir Path dir) throws IOException {
        Path png = dir.resolve("cost.png");
        CliRun run = CliRun.of("cost", "--preset", "tiny", "--plot", png.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("plot: " + png.toAbsolutePath());
        byte[] head = Files.readAllBytes(png);
        assertThat(new String(head, 1, 3, StandardCharsets.US_ASCII)).isEqualTo("PNG");

        Path svg = dir.resolve("cost.svg");
        assertThat(CliRun.of("cost", "--plot", svg.toString()).exitCode()).isZero();
        assertThat(Files.readString(svg)).startsWith("<").contains("<svg").contains("KV cache");
    }

    @Test
    void badArgumentsAreUserErrors(@TempDir Path dir) {
        CliRun preset = CliRun.of("cost", "--preset", "huge");
        assertThat(preset.exitCode()).isEqualTo(2);
        assertThat(preset.err()).contains("base").contains("minilm").contains("huge");
        CliRun seq = CliRun.of("cost", "--seq", "0");
        assertThat(seq.exitCode()).isEqualTo(2);
        assertThat(seq.err()).contains("--seq: expected a number >= 1 but got 0");
        CliRun plot = CliRun.of("cost", "--plot", dir.resolve("cost.gif").toString());
        assertThat(plot.exitCode()).isEqualTo(2);
        assertThat(plot.err()).contains(".png or .svg");
        CliRun both = CliRun.of("cost", "--preset", "tiny", "--config", dir.resolve("config.json").toString());
        assertThat(both.exitCode()).isEqualTo(2);
    }
}
