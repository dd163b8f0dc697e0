package dev.attention4j.viz.explorer;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The explorer page in a real browser (Debian's chromium, headless, driven over the DevTools protocol): one browser
 * for the class, each test opening a file the writer produced and asserting on the page's {@code window.explorer}
 * state, its DOM, its canvases' pixels and screenshots. Every page must load with no console error or exception.
 */
class ExplorerBrowserTest {

    private static final int WIDTH = 1280;
    private static final int HEIGHT = 900;

    @TempDir
    static Path dir;
    private static HeadlessChromium browser;
    private static Path translation;
    private static ExplorerDocument translationDocument;

    @BeforeAll
    static void startBrowser() throws IOException, InterruptedException {
        browser = new HeadlessChromium(WIDTH, HEIGHT);
        translationDocument = ExplorerDemo.translation();
        translation = dir.resolve("translation.html");
        translationDocument.writeHtml(translation);
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    private static void open(Path file) {
        browser.open(file);
        assertThat(browser.eval("window.explorer && window.explorer.ready")).as("explorer ready").isEqualTo(true);
        assertThat(browser.problems()).as("console errors and exceptions while loading " + file).isEmpty();
    }

    private static int count(String selector) {
        return (int) browser.number("document.querySelectorAll('" + selector + "').length");
    }

    @Test
    void loadsWithoutErrorsAndShowsTheDataCountsOfLayersHeadsAndTokens() {
        open(translation);
        assertThat(browser.number("explorer.views.length")).isEqualTo(3);
        assertThat(browser.string("document.title")).isEqualTo(translationDocument.title());
        assertThat(browser.string("explorer.mode")).isEqualTo("head");
        ExplorerView encoder = translationDocument.views().get(0);
        assertThat(browser.number("explorer.layers")).isEqualTo(encoder.numLayers());
        assertThat(browser.number("explorer.heads")).isEqualTo(encoder.numHeads());
        assertThat(count("#layer-select option")).isEqualTo(encoder.numLayers());
        assertThat(count("#head-boxes input[type=checkbox]")).isEqualTo(encoder.numHeads());
        assertThat(count("#query-column .token")).isEqualTo(encoder.queryTokens().size());
        assertThat(count("#key-column .token")).isEqualTo(encoder.keyTokens().size());
        assertThat(browser.eval("Array.from(document.querySelectorAll('#query-column .token')).map(e => e.textContent)"))
                .isEqualTo(encoder.queryTokens());
        assertThat(browser.number("explorer.drawn.lines")).isPositive();
        assertThat(browser.number("explorer.weight(1, 2, 3, 0)")).isCloseTo(encoder.weight(1, 2, 3, 0), within(1e-6));
        assertThat(browser.problems()).isEmpty();
    }

    @Test
    void switchingHeadsAndLayersChangesWhatIsDrawn() {
        open(translation);
        String canvas = "document.getElementById('head-canvas').toDataURL()";
        String head0 = browser.string(canvas);
        byte[] shot0 = browser.screenshot();
        browser.eval("document.querySelector('#head-boxes input[data-head=\"0\"]').click()");      // off
        browser.eval("document.querySelector('#head-boxes input[data-head=\"1\"]').click()");      // on
        assertThat(browser.eval("explorer.selectedHeads")).isEqualTo(List.of(1.0));
        String head1 = browser.string(canvas);
        assertThat(head1).as("head 1's lines differ from head 0's").isNotEqualTo(head0);
        assertThat(browser.screenshot()).as("screenshots differ").isNotEqualTo(shot0);

        browser.eval("const s = document.getElementById('layer-select'); s.value = '1';"
                + " s.dispatchEvent(new Event('change'))");
        assertThat(browser.number("explorer.layer")).isEqualTo(1);
        assertThat(browser.string(canvas)).as("layer 1 differs from layer 0").isNotEqualTo(head1);

        browser.eval("explorer.setHeads([0, 1, 2, 3])");
        double all = browser.number("explorer.drawn.lines");
        browser.eval("document.querySelector('#query-column .token[data-index=\"2\"]')"
                + ".dispatchEvent(new MouseEvent('mouseenter'))");
        double focused = browser.number("explorer.drawn.lines");
        assertThat(focused).as("hovering a token keeps only its lines").isPositive().isLessThan(all);
        assertThat(focused).isLessThanOrEqualTo(4 * 7);
        assertThat(browser.problems()).isEmpty();
    }

    @Test
    void crossAttentionShowsTheSourceByTargetAlignment() {
        open(translation);
        browser.eval("document.getElementById('view-select').value = '2';"
                + " document.getElementById('view-select').dispatchEvent(new Event('change'))");
        CrossAttentionView cross = (CrossAttentionView) translationDocument.views().get(2);
        assertThat(browser.string("explorer.kind")).isEqualTo("cross");
        assertThat(browser.eval("explorer.tokens")).isEqualTo(cross.targetTokens());
        assertThat(browser.eval("explorer.keyTokens")).isEqualTo(cross.sourceTokens());
        assertThat(count("#query-column .token")).isEqualTo(6);
        assertThat(count("#key-column .token")).isEqualTo(7);
        assertThat(browser.string("document.querySelector('#modes [data-mode=heatmap]').textContent"))
                .isEqualTo("Alignment");

        browser.eval("explorer.selectHead(1, 3); explorer.selectMode('heatmap')");
        double cell = browser.number("explorer.drawn.cell");
        double left = browser.number("explorer.drawn.left");
        double top = browser.number("explorer.drawn.top");
        assertThat(browser.number("document.getElementById('heatmap-canvas').width"))
                .isEqualTo(left + 7 * cell + 8);
        assertThat(browser.number("document.getElementById('heatmap-canvas').height"))
                .isEqualTo(top + 6 * cell + 8);
        // hover target token 4, source token 5: the tooltip names both and the weight
        browser.eval("const c = document.getElementById('heatmap-canvas'), r = c.getBoundingClientRect();"
                + " c.dispatchEvent(new MouseEvent('mousemove', {clientX: r.left + " + (left + 5.5 * cell)
                + ", clientY: r.top + " + (top + 4.5 * cell) + "}))");
        assertThat(browser.eval("[explorer.hover.row, explorer.hover.col]")).isEqualTo(List.of(4.0, 5.0));
        assertThat(browser.number("explorer.hover.weight")).isCloseTo(cross.weight(1, 3, 4, 5), within(1e-6));
        assertThat(browser.string("document.getElementById('tooltip').textContent"))
                .startsWith("上 (4) \u2192 mat (5): ");
        assertThat(browser.problems()).isEmpty();
    }

    @Test
    void modelViewHasOneThumbnailPerLayerAndHeadAndOpensTheOneClicked() {
        open(translation);
        browser.eval("document.querySelector('#modes [data-mode=model]').click()");
        assertThat(browser.string("document.body.dataset.mode")).isEqualTo("model");
        assertThat(count("#model-grid canvas")).isEqualTo(2 * 4);
        browser.eval("document.querySelector('#model-grid canvas[data-layer=\"1\"][data-head=\"2\"]').click()");
        assertThat(browser.string("explorer.mode")).isEqualTo("head");
        assertThat(browser.number("explorer.layer")).isEqualTo(1);
        assertThat(browser.eval("explorer.selectedHeads")).isEqualTo(List.of(2.0));
        assertThat(browser.problems()).isEmpty();
    }

    @Test
    void entropyTableShowsEveryHeadsNormalisedEntropy() {
        open(translation);
        browser.eval("explorer.selectMode('entropy')");
        ExplorerView encoder = translationDocument.views().get(0);
        assertThat(count("#entropy-table td")).isEqualTo(2 * 4);
        for (int l = 0; l < 2; l++) {
            for (int h = 0; h < 4; h++) {
                String cell = "document.querySelector('#entropy-table td[data-layer=\"" + l + "\"][data-head=\"" + h
                        + "\"]')";
                assertThat(Double.parseDouble(browser.string(cell + ".dataset.entropy")))
                        .isCloseTo(encoder.entropy(l, h), within(1e-5));
                assertThat(browser.string(cell + ".textContent"))
                        .isEqualTo(String.format(java.util.Locale.ROOT, "%.2f", encoder.entropy(l, h)));
            }
        }
        assertThat(browser.problems()).isEmpty();
    }

    @Test
    void tokensAndTitlesAreShownAsTextNeverAsMarkup() throws IOException {
        List<String> tokens = List.of("<b>", "&amp;", "\"q\"", "'s", "</script><script>alert(1)</script>",
                "<img src=x onerror=alert(2)>", "猫", "\uD83D\uDE00", "a\\b", "<!--");
        String title = "</title><script>alert(3)</script> 标题 & \"quotes\"";
        Path file = dir.resolve("escaping.html");
        ExplorerDocument.of(SelfAttentionView.of(title, tokens, Fixtures.selfAttention(1, 2, tokens.size(), 5)))
                .writeHtml(file);
        open(file);
        assertThat(browser.eval("Array.from(document.querySelectorAll('#query-column .token')).map(e => e.textContent)"))
                .isEqualTo(tokens);
        assertThat(browser.string("document.title")).isEqualTo(title);
        assertThat(browser.string("document.getElementById('title').textContent")).isEqualTo(title);
        assertThat(count("img")).isZero();
        assertThat(count("script")).isEqualTo(2);
        assertThat(count("b")).isZero();
        assertThat(browser.problems()).isEmpty();
    }

    @Test
    void longSequenceOpensOnACanvasHeatmapThatRendersQuickly() throws IOException {
        int n = 512;
        Path file = dir.resolve("long.html");
        // 12 distinct heads, each layer a rotation of them: the same size as 72, a sixth of the fixture time
        float[][] heads = Fixtures.selfAttention(1, 12, n, 6)[0];
        float[][][] weights = new float[6][12][];
        for (int l = 0; l < 6; l++) {
            for (int h = 0; h < 12; h++) {
                weights[l][h] = heads[(h + l) % 12];
            }
        }
        ExplorerDocument.of(SelfAttentionView.of("512 tokens", Fixtures.tokens(n), weights)).writeHtml(file);
        assertThat(Files.size(file)).as("6 x 12 x 512 x 512 at one byte per weight, base64")
                .isBetween(25_000_000L, 25_400_000L);
        long start = System.nanoTime();
        open(file);
        long loadMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(browser.string("explorer.mode")).isEqualTo("heatmap");
        assertThat(browser.number("explorer.tokens.length")).isEqualTo(n);
        assertThat(browser.number("explorer.layers * explorer.heads")).isEqualTo(72);
        browser.eval("explorer.selectHead(3, 7)");
        double ms = browser.number("explorer.lastRenderMs");
        assertThat(ms).as("in-page time to draw the 512 x 512 heatmap, ms").isLessThan(1500);
        double painted = browser.number("(() => { const c = document.getElementById('heatmap-canvas');"
                + " const d = c.getContext('2d').getImageData(explorer.drawn.left, explorer.drawn.top,"
                + " 512 * explorer.drawn.cell, 512 * explorer.drawn.cell).data; let n = 0;"
                + " for (let i = 0; i < d.length; i += 4) if (d[i] < 250) n++; return n; })()");
        assertThat(painted).as("non-white pixels in the heatmap").isGreaterThan(512 * 4);
        browser.eval("explorer.selectMode('model')");
        assertThat(count("#model-grid canvas")).isEqualTo(72);
        double modelMs = browser.number("explorer.lastRenderMs");
        assertThat(modelMs).as("model view of 72 heads, ms").isLessThan(5000);
        browser.eval("explorer.selectMode('head')");
        assertThat(browser.number("explorer.drawn.lines")).as("long head view draws one token's lines")
                .isPositive().isLessThanOrEqualTo(n);
        assertThat(browser.problems()).isEmpty();
        System.out.printf("explorer, 6 x 12 heads at 512 tokens: page loaded in %d ms, heatmap drawn in %.0f ms,"
                + " model view in %.0f ms%n", loadMs, ms, modelMs);
    }

    @Test
    void screenshotShowsTheHeatmapWithTheStrongestWeightInTheDarkestColour() throws IOException {
        open(translation);
        browser.eval("explorer.selectView(2); explorer.selectHead(1, 3); explorer.selectMode('heatmap');"
                + " window.scrollTo(0, 0)");
        CrossAttentionView cross = (CrossAttentionView) translationDocument.views().get(2);
        int bestRow = 0, bestCol = 0;
        for (int i = 0; i < 6; i++) {
            for (int j = 0; j < 7; j++) {
                if (cross.weight(1, 3, i, j) > cross.weight(1, 3, bestRow, bestCol)) {
                    bestRow = i;
                    bestCol = j;
                }
            }
        }
        double cell = browser.number("explorer.drawn.cell");
        double x = browser.number("document.getElementById('heatmap-canvas').getBoundingClientRect().left")
                + browser.number("explorer.drawn.left") + (bestCol + 0.5) * cell;
        double y = browser.number("document.getElementById('heatmap-canvas').getBoundingClientRect().top")
                + browser.number("explorer.drawn.top") + (bestRow + 0.5) * cell;
        byte[] png = browser.screenshot();
        assertThat(png.length).isBetween(5_000, 2_000_000);
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(image.getWidth()).isEqualTo(WIDTH);
        assertThat(image.getHeight()).isEqualTo(HEIGHT);
        assertThat(distinctColours(image)).as("not a blank page").isGreaterThan(50);
        int rgb = image.getRGB((int) x, (int) y);
        assertThat(new int[] {(rgb >> 16) & 0xff, (rgb >> 8) & 0xff, rgb & 0xff})
                .as("the strongest weight (row %d, col %d) in the darkest shade #08306b", bestRow, bestCol)
                .containsExactly(8, 48, 107);
        assertThat(browser.problems()).isEmpty();
    }

    private static int distinctColours(BufferedImage image) {
        java.util.Set<Integer> colours = new java.util.HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 3) {
            for (int x = 0; x < image.getWidth(); x += 3) {
                colours.add(image.getRGB(x, y));
            }
        }
        return colours.size();
    }
}
