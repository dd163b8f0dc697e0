package dev.attention4j.viz.explorer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The explorer's data model and the page's text, without a browser ({@link ExplorerBrowserTest} runs the page). */
class ExplorerDocumentTest {

    private static final List<String> THREE = List.of("a", "b", "c");

    private static float[][][] oneHead(float... m) {
        return new float[][][] {{m}};
    }

    @Test
    void entropyIsZeroForOneKeyOneForUniformRowsAndLeavesOutFullyMaskedRows() {
        float third = 1f / 3;
        SelfAttentionView focused = SelfAttentionView.of("x", THREE, oneHead(1, 0, 0, 0, 1, 0, 0, 0, 1));
        SelfAttentionView uniform = SelfAttentionView.of("x", THREE,
                oneHead(third, third, third, third, third, third, third, third, third));
        // causal: row 0 has one allowed key (0), row 1 two uniform keys (1), row 2 three uniform keys (1)
        SelfAttentionView causal = SelfAttentionView.of("x", THREE, oneHead(1, 0, 0, 0.5f, 0.5f, 0, third, third, third));
        // row 1 fully masked: left out of the mean
        SelfAttentionView masked = SelfAttentionView.of("x", THREE, oneHead(0.5f, 0.5f, 0, 0, 0, 0, 1, 0, 0));
        SelfAttentionView allMasked = SelfAttentionView.of("x", THREE, oneHead(new float[9]));
        assertThat(focused.entropy(0, 0)).isEqualTo(0f);
        assertThat(uniform.entropy(0, 0)).isCloseTo(1f, within(1e-6f));
        assertThat(causal.entropy(0, 0)).isCloseTo(2f / 3, within(1e-6f));
        assertThat(masked.entropy(0, 0)).isCloseTo(0.5f, within(1e-6f));
        assertThat(allMasked.entropy(0, 0)).isNaN();
        // H = -(0.9 ln 0.9 + 0.1 ln 0.1) over ln 2
        SelfAttentionView skewed = SelfAttentionView.of("x", List.of("a", "b"), oneHead(0.9f, 0.1f, 0.9f, 0.1f));
        double h = -(0.9 * Math.log(0.9) + 0.1 * Math.log(0.1)) / Math.log(2);
        assertThat((double) skewed.entropy(0, 0)).isCloseTo(h, within(1e-6));
    }

    @Test
    void givenEntropyIsKeptAndChecked() {
        SelfAttentionView view = SelfAttentionView.of("x", List.of("a"), oneHead(1), new float[][] {{0.25f}});
        assertThat(view.entropy(0, 0)).isEqualTo(0.25f);
        assertThatThrownBy(() -> SelfAttentionView.of("x", List.of("a"), oneHead(1), new float[][] {{0.2f, 0.3f}}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("entropy[0] must hold one value per head (1), got 2 values");
        assertThatThrownBy(() -> SelfAttentionView.of("x", List.of("a"), oneHead(1), new float[][] {{2f}}))
                .hasMessage("entropy[0][0] must be a normalised entropy in [0, 1] (or NaN for none), got 2.0");
    }

    @Test
    void weightsAreStoredOnASquareRootScaleWithSmallErrors() {
        float[] m = new float[512 * 2];
        java.util.Random random = new java.util.Random(3);
        for (int i = 0; i < m.length; i++) {
            m[i] = i % 7 == 0 ? 0.002f : random.nextFloat();
        }
        SelfAttentionView view = SelfAttentionView.of("x", List.of("a", "b"), new float[][][] {{slice(m, 0, 4)}});
        for (int i = 0; i < m.length; i++) {
            float w = m[i];
            float back = Quantized.decode((byte) Quantized.encode(w));
            assertThat((double) Math.abs(back - w)).as("weight %s", w)
                    .isLessThanOrEqualTo(Math.sqrt(w) / 255 + 4e-6);
        }
        assertThat(Quantized.decode((byte) Quantized.encode(0.002f))).isCloseTo(0.002f, within(2e-4f));
        assertThat(Quantized.decode((byte) Quantized.encode(0f))).isZero();
        assertThat(Quantized.decode((byte) Quantized.encode(1f))).isEqualTo(1f);
        assertThat(view.weight(0, 0, 1, 1)).isCloseTo(m[3], within(1f / 255));
    }

    private static float[] slice(float[] m, int from, int to) {
        return java.util.Arrays.copyOfRange(m, from, to);
    }

    @Test
    void crossAttentionIsTargetRowsBySourceColumns() {
        float[][][] w = Fixtures.crossAttention(2, 3, 4, 5, 1);
        CrossAttentionView view = CrossAttentionView.of("x", Fixtures.tokens(4), Fixtures.tokens(5), w);
        assertThat(view.sourceTokens()).hasSize(4);
        assertThat(view.targetTokens()).hasSize(5);
        assertThat(view.numLayers()).isEqualTo(2);
        assertThat(view.numHeads()).isEqualTo(3);
        assertThat(view.weight(1, 2, 4, 3)).isCloseTo(w[1][2][4 * 4 + 3], within(1f / 255));
        assertThatThrownBy(() -> CrossAttentionView.of("x", Fixtures.tokens(3), Fixtures.tokens(5), w))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("weights[0][0] must be a row-major (targetTokens x sourceTokens) = (5 x 3) matrix of 15"
                        + " floats, got 20 floats");
    }

    @Test
    void badArgumentsSayWhatWasExpected() {
        assertThatThrownBy(() -> SelfAttentionView.of("x", THREE, oneHead(new float[8])))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("weights[0][0] must be a row-major (tokens x tokens) = (3 x 3) matrix of 9 floats, got 8"
                        + " floats");
        assertThatThrownBy(() -> SelfAttentionView.of("x", List.of(), new float[][][] {{{}}}))
                .hasMessage("tokens must hold 1 to 4096 tokens, got 0");
        assertThatThrownBy(() -> SelfAttentionView.of("x", List.of("a", "b"), oneHead(1, 0, Float.NaN, 1)))
                .hasMessage("weights[0][0][2] (row 1, column 0) must be an attention weight in [0, 1], got NaN");
        assertThatThrownBy(() -> SelfAttentionView.of("x", List.of("a"), oneHead(-0.5f)))
                .hasMessage("weights[0][0][0] (row 0, column 0) must be an attention weight in [0, 1], got -0.5");
        assertThatThrownBy(() -> SelfAttentionView.of("x", List.of("a"), new float[][][] {{{1}}, {{1}, {1}}}))
                .hasMessage("every layer must have the same number of heads: weights[0] has 1 and weights[1] has 2");
        assertThatThrownBy(() -> SelfAttentionView.of("x", List.of("a"), new float[0][][]))
                .hasMessage("weights must hold at least one layer, got 0 layers");
        assertThatThrownBy(() -> SelfAttentionView.of("x", java.util.Arrays.asList("a", null), oneHead(new float[4])))
                .hasMessage("tokens[1] is null; expected a token's text");
        assertThatThrownBy(() -> ExplorerDocument.builder("t").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("an explorer document needs at least one view");
    }

    @Test
    void pageIsSelfContainedAndEscapesEveryText() {
        List<String> tokens = List.of("</script><script>alert(1)</script>", "<!--", "&amp;", "\"", "猫\uD83D\uDE00",
                "\u2028", "bad\uD800");
        String html = ExplorerDocument.builder("</title>x")
                .add(SelfAttentionView.of("t", tokens, Fixtures.selfAttention(1, 1, tokens.size(), 1)))
                .build().toHtml();
        String lower = html.toLowerCase(Locale.ROOT);
        assertThat(lower).as("no URL of any kind").doesNotContain("http").doesNotContain("//cdn")
                .doesNotContain(" src=").doesNotContain(" href=").doesNotContain("url(").doesNotContain("@import");
        assertThat(lower.split("</script>", -1)).as("only the two script blocks close").hasSize(3);
        assertThat(lower.split("<!--", -1)).hasSize(1);
        assertThat(html).contains("\\u003c/script\\u003e\\u003cscript\\u003ealert(1)")
                .contains("\"\\u0026amp;\"").contains("\"\\\"\"").contains("\"猫\uD83D\uDE00\"")
                .contains("\"\\u2028\"").contains("\"bad\uFFFD\"").contains("\"title\":\"\\u003c/title\\u003ex\"");
        // the only <title> is the static one; the real title reaches the page as data
        assertThat(html).contains("<title>Attention explorer</title>");
    }

    @Test
    void writesTheSameBytesAsToHtmlAtomically(@TempDir Path dir) throws IOException {
        ExplorerDocument document = ExplorerDemo.translation();
        Path file = dir.resolve("explorer.html");
        document.writeHtml(file);
        assertThat(Files.readString(file, StandardCharsets.UTF_8)).isEqualTo(document.toHtml());
        try (var listing = Files.list(dir)) {
            assertThat(listing.toList()).containsExactly(file);
        }
    }

    @Test
    void fileSizeIsFourThirdsOfAByteperWeightPlusTheScript() {
        int n = 128;
        String html = ExplorerDocument.of(SelfAttentionView.of("x", Fixtures.tokens(n),
                Fixtures.selfAttention(6, 12, n, 1))).toHtml();
        long weights = 6L * 12 * n * n;
        long bytes = html.getBytes(StandardCharsets.UTF_8).length;
        assertThat(bytes).as("6 x 12 x 128 x 128").isBetween(weights * 4 / 3, weights * 4 / 3 + 60_000);
    }
}
