package dev.attention4j.cli;

import dev.attention4j.models.pretrained.EmbeddingModel;
import dev.attention4j.models.pretrained.EmbeddingModels;
import dev.attention4j.viz.explorer.HeadlessChromium;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * {@code attention4j explain} and {@code translate --explain}: what they print, and the pages they write opened in a
 * real headless chromium (no console error, the model's layers, heads and tokens on the page).
 */
class ExplainCommandTest {

    private static final String TEXT = "The cat sat on the mat because it was tired.";

    @TempDir
    static Path dir;
    private static HeadlessChromium browser;
    private static EmbeddingModel model;
    private static EncoderAttention attention;

    @BeforeAll
    static void start() throws Exception {
        browser = new HeadlessChromium(1280, 900);
        model = EmbeddingModels.load(EmbeddingModels.DEFAULT);
        attention = EncoderAttention.of(model, TEXT);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.close();
        }
    }

    @Test
    void writesTheExplorerOfEveryLayerAndHeadAndItOpensInABrowser() {
        Path page = dir.resolve("minilm.html");
        CliRun run = CliRun.of("explain", "--out", page.toString(), TEXT);
        assertThat(run.exitCode()).as(run.err()).isZero();
        List<String> tokens = model.embedder().tokenizer().encode(TEXT).tokens();
        assertThat(run.outLines().get(0)).isEqualTo("all-minilm-l6-v2: 6 layers x 12 heads, " + tokens.size()
                + " tokens: " + String.join(" ", tokens));
        assertThat(run.out()).contains("wrote " + page.toAbsolutePath());

        browser.open(page);
        assertThat(browser.eval("window.explorer && window.explorer.ready")).isEqualTo(true);
        assertThat(browser.problems()).as("console errors and exceptions").isEmpty();
        assertThat(browser.number("explorer.layers")).isEqualTo(6);
        assertThat(browser.number("explorer.heads")).isEqualTo(12);
        assertThat(browser.eval("explorer.tokens")).isEqualTo(tokens);
        // a strong weight read back from the page is the recorded one (the page stores sqrt-quantised bytes)
        float w = attention.self().weights()[0][2][3 * tokens.size() + 3];
        assertThat(browser.number("explorer.weight(0, 2, 3, 3)")).isCloseTo(w, within(Math.sqrt(w) / 255 + 1e-6));
    }

    @Test
    void printsEachHeadsNormalisedEntropyComputedFromItsWeights() {
        CliRun run = CliRun.of("explain", "--out", dir.resolve("e.html").toString(), TEXT);
        List<String> lines = run.outLines();
        int header = lines.indexOf(lines.stream().filter(l -> l.startsWith("  layer")).findFirst().orElseThrow());
        int n = attention.tokens().size();
        for (int layer = 0; layer < 6; layer++) {
            double[] printed = Arrays.stream(lines.get(header + 1 + layer).trim().split("\\s+")).skip(1)
                    .mapToDouble(Double::parseDouble).toArray();
            assertThat(printed).hasSize(12);
            for (int head = 0; head < 12; head++) {
                double expected = meanNormalisedEntropy(attention.self().weights()[layer][head], n);
                assertThat(printed[head]).as("layer %d head %d", layer, head).isCloseTo(expected, within(0.0051));
            }
        }
    }

    @Test
    void writesAPngGridOfEveryLayerAndHeadAndAnSvgOfOneHead() throws Exception {
        Path png = dir.resolve("heads.png");
        CliRun grid = CliRun.of("explain", "--out", png.toString(), TEXT);
        assertThat(grid.exitCode()).as(grid.err()).isZero();
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isGreaterThan(image.getHeight()); // 12 heads across, 6 layers down

        Path svg = dir.resolve("head.svg");
        CliRun one = CliRun.of("explain", "--out", svg.toString(), "--layer", "0", "--head", "2", TEXT);
        assertThat(one.exitCode()).as(one.err()).isZero();
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(svg.toFile());
        NodeList titles = doc.getElementsByTagName("title");
        int n = attention.tokens().size();
        int cells = 0;
        for (int i = 0; i < titles.getLength(); i++) {
            cells += titles.item(i).getTextContent().startsWith("layer 0 · head 2: query ") ? 1 : 0;
        }
        assertThat(cells).isEqualTo(n * n);
    }

    @Test
    void badOptionsAreUsageErrorsThatSayWhatWasExpected() {
        CliRun extension = CliRun.of("explain", "--out", dir.resolve("x.txt").toString(), "hi");
        assertThat(extension.exitCode()).isEqualTo(2);
        assertThat(extension.err()).contains("expected a file name ending in .html, .png or .svg");
        CliRun layer = CliRun.of("explain", "--out", dir.resolve("x.png").toString(), "--layer", "6", "hi");
        assertThat(layer.exitCode()).isEqualTo(2);
        assertThat(layer.err()).contains("--layer: expected 0..5 (this model has 6) but got 6");
        CliRun headAlone = CliRun.of("explain", "--out", dir.resolve("x.png").toString(), "--head", "1", "hi");
        assertThat(headAlone.exitCode()).isEqualTo(2);
        assertThat(headAlone.err()).contains("--head needs --layer");
        CliRun html = CliRun.of("explain", "--out", dir.resolve("x.html").toString(), "--layer", "1", "hi");
        assertThat(html.exitCode()).isEqualTo(2);
        assertThat(html.err()).contains("the .html explorer has every layer and head");
        assertThat(CliRun.of("explain").exitCode()).isEqualTo(2); // no TEXT
    }

    @Test
    void translateExplainWritesEachTranslationsAlignmentAndItOpensInABrowser() {
        Path page = dir.resolve("translation.html");
        CliRun run = CliRun.of("translate", "--explain", page.toString(), "two thousand and five", "nineteen");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.outLines()).containsExactly("二千零五", "十九");
        assertThat(run.err()).contains("wrote " + page.toAbsolutePath());

        browser.open(page);
        assertThat(browser.eval("window.explorer && window.explorer.ready")).isEqualTo(true);
        assertThat(browser.problems()).as("console errors and exceptions").isEmpty();
        assertThat(browser.number("explorer.views.length")).isEqualTo(6); // alignment, encoder, decoder per input
        assertThat(browser.string("explorer.kind")).isEqualTo("cross"); // the first view: the alignment
        assertThat(browser.eval("explorer.keyTokens")).isEqualTo(List.of("two", "thousand", "and", "five"));
        assertThat(browser.eval("explorer.tokens")).isEqualTo(List.of("二", "千", "零", "五", "</s>"));
        assertThat(browser.number("explorer.layers")).isEqualTo(2);
        assertThat(browser.number("explorer.heads")).isEqualTo(4);

        CliRun badName = CliRun.of("translate", "--explain", dir.resolve("t.png").toString(), "nineteen");
        assertThat(badName.exitCode()).isEqualTo(2);
        assertThat(badName.err()).contains("expected a file name ending in .html");
    }

    /** Mean over query rows of H(row) / ln(keys with a non-zero weight), computed here from the weights. */
    private static double meanNormalisedEntropy(float[] m, int n) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double h = 0;
            int keys = 0;
            for (int j = 0; j < n; j++) {
                double p = m[i * n + j];
                if (p > 0) {
                    h -= p * Math.log(p);
                    keys++;
                }
            }
            sum += keys > 1 ? h / Math.log(keys) : 0;
        }
        return sum / n;
    }
}
