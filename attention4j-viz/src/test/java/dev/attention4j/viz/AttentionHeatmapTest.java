package dev.attention4j.viz;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class AttentionHeatmapTest {

    private static final int WHITE = 0xffffff;
    private static final List<String> TOKENS = List.of("the", "cat", "sat");
    /** A private-use code point of plane 16: no font has a glyph for it. */
    private static final String NO_GLYPH = new String(Character.toChars(0x10FFFD));

    @TempDir
    Path dir;

    /** A 3 x 3 matrix: query 0 attends only to key 0, query 1 splits 0.25 / 0.75, query 2 is uniform. */
    private static AttentionMatrix small() {
        return AttentionMatrix.of("layer 2 · head 5", new float[] {1, 0, 0, 0.25f, 0.75f, 0, 1 / 3f, 1 / 3f, 1 / 3f},
                TOKENS, TOKENS);
    }

    @Test
    void aWeightOfOneHasTheTopColourAtItsCentreAndZeroTheBottomColour() {
        for (ColorMap map : ColorMap.values()) {
            AttentionHeatmap heatmap = AttentionHeatmap.of(small()).colorMap(map);
            AttentionHeatmap.Layout layout = heatmap.layout();
            BufferedImage image = heatmap.toImage();
            assertThat(centre(image, layout, 0, 0, 0, 0)).as(map + " weight 1").isEqualTo(map.top());
            assertThat(centre(image, layout, 0, 0, 0, 1)).as(map + " weight 0").isEqualTo(map.bottom());
            assertThat(centre(image, layout, 0, 0, 1, 1)).as(map + " weight 0.75").isEqualTo(map.rgb(0.75));
        }
    }

    @Test
    void theColourScaleRunsToTheLargestWeightUnlessFixed() {
        AttentionMatrix faint = AttentionMatrix.of("", new float[] {0.2f, 0.1f, 0, 0.05f}, List.of("a", "b"),
                List.of("a", "b"));
        AttentionHeatmap auto = AttentionHeatmap.of(faint);
        assertThat(centre(auto.toImage(), auto.layout(), 0, 0, 0, 0)).isEqualTo(ColorMap.VIRIDIS.top());
        AttentionHeatmap fixed = auto.valueRange(0, 1);
        assertThat(centre(fixed.toImage(), fixed.layout(), 0, 0, 0, 0)).isEqualTo(ColorMap.VIRIDIS.rgb(0.2f));
    }

    @Test
    void theColourBarShowsTheScaleFromTopToBottom() {
        AttentionHeatmap heatmap = AttentionHeatmap.of(small());
        AttentionHeatmap.Layout layout = heatmap.layout();
        BufferedImage image = heatmap.toImage();
        int x = layout.barX + 7;
        assertThat(image.getRGB(x, layout.barTop) & WHITE).isEqualTo(ColorMap.VIRIDIS.top());
        assertThat(image.getRGB(x, layout.barTop + layout.barHeight - 1) & WHITE).isEqualTo(ColorMap.VIRIDIS.bottom());
    }

    @Test
    void aGridHasOnePanelPerLayerAndHeadAtTheComputedPositionsOnASharedScale() {
        int layers = 2;
        int heads = 3;
        float[][][] weights = new float[layers][heads][];
        for (int l = 0; l < layers; l++) {
            for (int h = 0; h < heads; h++) {
                weights[l][h] = new float[9];
                java.util.Arrays.fill(weights[l][h], (l * heads + h + 1) / 6f); // panel (1, 2) holds the max, 1
            }
        }
        AttentionHeatmap heatmap = AttentionHeatmap.grid(weights, TOKENS, TOKENS);
        assertThat(heatmap.layers()).isEqualTo(layers);
        assertThat(heatmap.heads()).isEqualTo(heads);
        AttentionHeatmap.Layout layout = heatmap.layout();
        BufferedImage image = heatmap.toImage();
        for (int l = 0; l < layers; l++) {
            for (int h = 0; h < heads; h++) {
                int expected = ColorMap.VIRIDIS.rgb((l * heads + h + 1) / 6f);
                for (int r = 0; r < 3; r++) {
                    for (int c = 0; c < 3; c++) {
                        assertThat(centre(image, layout, l, h, r, c)).as("panel %d,%d cell %d,%d", l, h, r, c)
                                .isEqualTo(expected);
                    }
                }
                // the panel's corners are its own colour, and just outside them is background
                int x0 = layout.panelX(h);
                int y0 = layout.panelY(l);
                int x1 = x0 + layout.panelWidth - 1;
                int y1 = y0 + layout.panelHeight - 1;
                assertThat(image.getRGB(x0, y0) & WHITE).isEqualTo(expected);
                assertThat(image.getRGB(x1, y1) & WHITE).isEqualTo(expected);
                assertThat(image.getRGB(x1 + 2, y0 + 2) & WHITE).isEqualTo(WHITE);
                assertThat(image.getRGB(x0 + 2, y1 + 2) & WHITE).isEqualTo(WHITE);
            }
        }
        assertThat(layout.panelX(1) - layout.panelX(0)).isGreaterThan(layout.panelWidth);
        assertThat(layout.panelY(1) - layout.panelY(0)).isGreaterThan(layout.panelHeight);
        assertThat(layout.panelTitles).isTrue();
    }

    @Test
    void tokenLabelsAreDrawnLeftOfTheRowsAndUnderTheColumns() {
        AttentionHeatmap heatmap = AttentionHeatmap.of(small());
        AttentionHeatmap.Layout layout = heatmap.layout();
        BufferedImage image = heatmap.toImage();
        int cell = layout.cell;
        int top = layout.panelY(0);
        int left = layout.panelX(0);
        int bottom = top + layout.panelHeight;
        for (int i = 0; i < 3; i++) {
            assertThat(ink(image, 0, left - 1, top + i * cell, top + (i + 1) * cell)).as("row label %d", i)
                    .isGreaterThan(10);
            assertThat(ink(image, left + i * cell, left + (i + 1) * cell, bottom + 1, image.getHeight()))
                    .as("column label %d", i).isGreaterThan(10);
        }
        // nothing is drawn left of the first column label's band but the row labels
        assertThat(ink(image, 0, left - 1, bottom + 1, image.getHeight())).isZero();
    }

    @Test
    void labelsAreThinnedWhenCellsAreSmallerThanTheFontAndLeftOutWhenMuchSmaller() throws IOException {
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < 512; i++) {
            tokens.add("t" + i);
        }
        float[] uniform = new float[512 * 512];
        java.util.Arrays.fill(uniform, 1 / 512f);
        AttentionHeatmap heatmap = AttentionHeatmap.of(AttentionMatrix.of("512 tokens", uniform, tokens, tokens));
        AttentionHeatmap.Layout layout = heatmap.layout();
        assertThat(layout.cell).isEqualTo(2);
        assertThat(layout.labelStep).isEqualTo(7);
        assertThat(layout.labelShown(0)).isTrue();
        assertThat(layout.labelShown(7)).isTrue();
        assertThat(layout.labelShown(3)).isFalse();
        AttentionHeatmap.Written written = heatmap.writePng(dir.resolve("long.png"));
        assertThat(written.warnings()).anyMatch(w -> w.contains("every 7th token label"));
        assertThat(written.width()).isLessThan(1400);

        AttentionHeatmap tiny = heatmap.cellSize(1);
        assertThat(tiny.layout().labelStep).isZero();
        AttentionHeatmap.Written none = tiny.writePng(dir.resolve("tiny.png"));
        assertThat(none.warnings()).anyMatch(w -> w.contains("token labels omitted"));
        BufferedImage image = ImageIO.read(none.file().toFile());
        int left = tiny.layout().panelX(0);
        assertThat(ink(image, 0, left - 1, tiny.layout().panelY(0), tiny.layout().panelY(0) + 512)).isZero();
    }

    @Test
    void fiveTokensGetLargeCellsAndAreAllLabelled() {
        List<String> five = List.of("a", "b", "c", "d", "e");
        AttentionHeatmap.Layout layout = AttentionHeatmap.of(AttentionMatrix.of("", new float[25], five, five))
                .layout();
        assertThat(layout.cell).isEqualTo(AttentionHeatmap.AUTO_MAX_CELL);
        assertThat(layout.labelStep).isEqualTo(1);
        assertThat(layout.height).isGreaterThanOrEqualTo(layout.barTop + layout.barHeight);
    }

    @Test
    void maskedCellsAreHatchedGreyWhateverTheirWeight() {
        boolean[] keep = {true, false, false, true, true, false, true, true, true}; // causal
        float[] w = {1, 0.5f, 0.5f, 0.25f, 0.75f, 0, 1 / 3f, 1 / 3f, 1 / 3f};
        AttentionHeatmap heatmap = AttentionHeatmap.of(AttentionMatrix.of("", w, TOKENS, TOKENS).withKeepMask(keep))
                .cellSize(20);
        AttentionHeatmap.Layout layout = heatmap.layout();
        BufferedImage image = heatmap.toImage();
        Set<Integer> colours = new HashSet<>();
        int x0 = layout.panelX(0) + 20;
        int y0 = layout.panelY(0);
        for (int y = y0; y < y0 + 20; y++) {
            for (int x = x0; x < x0 + 20; x++) {
                colours.add(image.getRGB(x, y) & WHITE);
            }
        }
        assertThat(colours).containsExactlyInAnyOrder(Canvas.HATCH_FILL.getRGB() & WHITE,
                Canvas.HATCH_LINE.getRGB() & WHITE);
        assertThat(centre(image, layout, 0, 0, 0, 0)).isEqualTo(ColorMap.VIRIDIS.top());
    }

    @Test
    void cjkLabelsAreDrawnWithRealGlyphsNotMissingGlyphBoxes() throws IOException {
        List<String> rows = List.of("注意力", "机制");
        List<String> columns = List.of("猫", "坐", "垫子");
        AttentionHeatmap heatmap = AttentionHeatmap
                .of(AttentionMatrix.of("注意力机制", new float[6], rows, columns))
                .fontFamily("DejaVu Sans"); // has no CJK glyphs: the font search must find one that has
        FontChoice font = heatmap.pngFont();
        assertThat(font.displaysAll()).isTrue();
        Font chosen = new Font(font.family(), Font.PLAIN, 12);
        for (String label : List.of("注意力", "机制", "猫", "坐", "垫子", "注意力机制")) {
            assertThat(chosen.canDisplayUpTo(label)).as(label).isEqualTo(-1);
        }
        // The chosen font draws the label differently from its missing-glyph boxes, which DejaVu Sans draws instead.
        assertThat(differingPixels(glyphs("注意力", chosen), glyphs(NO_GLYPH.repeat(3), chosen))).isGreaterThan(50);
        Font dejaVu = new Font("DejaVu Sans", Font.PLAIN, 12);
        assertThat(differingPixels(glyphs("注意力", dejaVu), glyphs(NO_GLYPH.repeat(3), dejaVu)))
                .as("the comparison detects boxes").isZero();

        AttentionHeatmap.Written written = heatmap.writePng(dir.resolve("cjk.png"));
        assertThat(written.font()).isEqualTo(font.family());
        assertThat(written.warnings()).isEmpty();
        BufferedImage image = ImageIO.read(written.file().toFile());
        AttentionHeatmap.Layout layout = heatmap.layout();
        assertThat(ink(image, 0, layout.panelX(0) - 1, layout.panelY(0), layout.panelY(0) + layout.cell))
                .isGreaterThan(30);
    }

    @Test
    void textNoInstalledFontCanDisplayIsDrawnAnywayAndReported() throws IOException {
        List<String> labels = List.of("ok", "x" + NO_GLYPH);
        AttentionHeatmap.Written written = AttentionHeatmap.of(AttentionMatrix.of("", new float[4], labels, labels))
                .writePng(dir.resolve("boxes.png"));
        assertThat(written.warnings()).singleElement().asString()
                .contains("no installed font can display 1 of the texts").contains("'x" + NO_GLYPH + "'");
        assertThat(ImageIO.read(written.file().toFile())).isNotNull();
    }

    @Test
    void svgHasOneRectPerCellPerPanelWithTooltipsAndEscapedLabels() throws Exception {
        List<String> rows = List.of("<", "&", "注意力", "\uD83D\uDE00");
        List<String> columns = List.of("机制", "a\"b", "<&>");
        float[][][] weights = new float[2][2][];
        for (int l = 0; l < 2; l++) {
            for (int h = 0; h < 2; h++) {
                weights[l][h] = new float[] {1, 0, 0, 0.5f, 0.25f, 0.25f, 0.1234567f, 0.8765433f, 0, 0, 0, 1};
            }
        }
        AttentionMatrix masked = AttentionMatrix.of("masked", weights[0][0], rows, columns)
                .withKeepMask(new boolean[] {true, false, false, true, true, false, true, true, true, true, true,
                    true});
        AttentionHeatmap heatmap = AttentionHeatmap.grid(new AttentionMatrix[][] {
            {masked, AttentionMatrix.of("layer 0 · head 1", weights[0][1], rows, columns)},
            {AttentionMatrix.of("layer 1 · head 0", weights[1][0], rows, columns),
                AttentionMatrix.of("layer 1 · head 1", weights[1][1], rows, columns)},
        }).title("grid <title> & more");
        Path file = dir.resolve("grid.svg");
        AttentionHeatmap.Written written = heatmap.writeSvg(file);
        String svg = Files.readString(file, StandardCharsets.UTF_8);
        assertThat(written.font()).contains("WenQuanYi Micro Hei", "Noto Sans CJK SC", "sans-serif");
        assertThat(svg).contains("注意力", "机制", "\uD83D\uDE00", "&lt;&amp;&gt;", "a&quot;b");

        Document doc = SvgDocuments.parse(svg);
        Element root = doc.getDocumentElement();
        assertThat(root.getAttribute("font-family")).contains("WenQuanYi Micro Hei");
        assertThat(root.getAttribute("width")).isEqualTo(Integer.toString(written.width()));
        List<Element> panels = new ArrayList<>();
        NodeList groups = doc.getElementsByTagName("g");
        for (int i = 0; i < groups.getLength(); i++) {
            Element g = (Element) groups.item(i);
            if (g.getAttribute("class").equals("cells")) {
                panels.add(g);
            }
        }
        assertThat(panels).hasSize(4);
        for (Element panel : panels) {
            assertThat(panel.getElementsByTagName("rect").getLength()).isEqualTo(rows.size() * columns.size());
            assertThat(panel.getElementsByTagName("title").getLength()).isEqualTo(rows.size() * columns.size());
        }
        Element first = panels.get(0);
        assertThat(first.getAttribute("aria-label")).isEqualTo("masked");
        NodeList tips = first.getElementsByTagName("title");
        assertThat(tips.item(0).getTextContent()).isEqualTo("masked: query 0 '<' → key 0 '机制' = 1");
        assertThat(tips.item(1).getTextContent()).isEqualTo("masked: query 0 '<' → key 1 'a\"b' = 0 (masked)");
        assertThat(((Element) first.getElementsByTagName("rect").item(1)).getAttribute("fill"))
                .isEqualTo("url(#masked)");
        String tip = tips.item(6).getTextContent();
        assertThat(tip).startsWith("masked: query 2 '注意力' → key 0 '机制' = ");
        assertThat(Double.parseDouble(tip.substring(tip.lastIndexOf("= ") + 2))).isCloseTo(0.1234567, within(5e-5));

        String text = root.getTextContent();
        assertThat(text).contains("grid <title> & more", "layer 1 · head 1", "<&>", "a\"b", "注意力",
                "\uD83D\uDE00");
    }

    @Test
    void largeSvgsLeaveOutTooltipsAndSaySo() throws IOException {
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            tokens.add("t" + i);
        }
        AttentionHeatmap.Written written = AttentionHeatmap.of(AttentionMatrix.of("", new float[300 * 300], tokens,
                tokens)).writeSvg(dir.resolve("big.svg"));
        assertThat(written.warnings()).anyMatch(w -> w.contains("no cell tooltips: 90000 cells"));
        String svg = Files.readString(written.file());
        assertThat(svg).doesNotContain("<title>");
        assertThat(svg.split("<rect ", -1).length - 1).isGreaterThanOrEqualTo(300 * 300);
    }

    @Test
    void writeChoosesTheFormatByExtensionAndLeavesNoTemporaryFile() throws IOException {
        AttentionHeatmap heatmap = AttentionHeatmap.of(small());
        AttentionHeatmap.Written png = heatmap.write(dir.resolve("a.PNG"));
        BufferedImage image = ImageIO.read(png.file().toFile());
        assertThat(image.getWidth()).isEqualTo(png.width());
        assertThat(image.getHeight()).isEqualTo(png.height());
        AttentionHeatmap.Written svg = heatmap.write(dir.resolve("a.svg"));
        assertThat(Files.readString(svg.file())).startsWith("<?xml");
        assertThat(svg.width()).isEqualTo(png.width());
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("a.PNG", "a.svg");
        }
        assertThatThrownBy(() -> heatmap.write(dir.resolve("a.jpg")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected a name ending in .png or .svg").hasMessageContaining("a.jpg");
    }

    @Test
    void tooltipWeightsAreShortButKeepSmallValues() {
        assertThat(AttentionHeatmap.formatWeight(0)).isEqualTo("0");
        assertThat(AttentionHeatmap.formatWeight(1)).isEqualTo("1");
        assertThat(AttentionHeatmap.formatWeight(0.25f)).isEqualTo("0.25");
        assertThat(AttentionHeatmap.formatWeight(0.123456f)).isEqualTo("0.1235");
        assertThat(AttentionHeatmap.formatWeight(2.5e-6f)).isEqualTo("2.500e-06");
    }

    @Test
    void badArgumentsSayWhatWasExpected() {
        AttentionMatrix three = small();
        AttentionMatrix other = AttentionMatrix.of("", new float[9], List.of("the", "dog", "sat"), TOKENS);
        assertThatThrownBy(() -> AttentionHeatmap.grid(new AttentionMatrix[][] {{three, other}}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("panels[0][1]: expected the row labels of panels[0][0] (a grid shares its axes), but row 1"
                        + " is 'dog' instead of 'cat'");
        AttentionMatrix wide = AttentionMatrix.of("", new float[6], List.of("a", "b"), TOKENS);
        assertThatThrownBy(() -> AttentionHeatmap.grid(new AttentionMatrix[][] {{three}, {wide}}))
                .hasMessageContaining("panels[1][0]: expected 3 x 3 like panels[0][0]").hasMessageContaining("2 x 3");
        assertThatThrownBy(() -> AttentionHeatmap.grid(new AttentionMatrix[][] {{three, three}, {three}}))
                .hasMessage("panels[1]: expected 2 heads like panels[0] (one panel per head) but got 1");
        assertThatThrownBy(() -> AttentionHeatmap.grid(new AttentionMatrix[0][]))
                .hasMessageContaining("expected at least one layer");
        assertThatThrownBy(() -> AttentionHeatmap.grid(new AttentionMatrix[][] {{}}))
                .hasMessage("panels[0]: expected at least one head but got none");
        assertThatThrownBy(() -> AttentionHeatmap.grid(new float[][][] {{new float[9], new float[8]}}, TOKENS, TOKENS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("weights[0][1]: weights: expected rows x columns = 3 x 3 = 9");
        AttentionHeatmap heatmap = AttentionHeatmap.of(three);
        assertThatThrownBy(() -> heatmap.cellSize(0)).hasMessage("cellSize: expected 1..64 pixels but got 0");
        assertThatThrownBy(() -> heatmap.valueRange(1, 1)).hasMessage("valueRange: expected finite min < max but got "
                + "min = 1.0, max = 1.0");
        assertThatThrownBy(() -> heatmap.valueRange(0, Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> heatmap.fontFamily(" ")).isInstanceOf(IllegalArgumentException.class);

        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < 512; i++) {
            tokens.add("t" + i);
        }
        AttentionHeatmap huge = AttentionHeatmap.of(AttentionMatrix.of("", new float[512 * 512], tokens, tokens))
                .cellSize(40);
        assertThatThrownBy(huge::toImage)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at 40 px per cell").hasMessageContaining("at most 16384");
        float[][] heads = new float[4][512 * 512];
        AttentionHeatmap manyCells = AttentionHeatmap.grid(new float[][][] {heads, heads}, tokens, tokens);
        assertThatThrownBy(manyCells::toSvg)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("an SVG holds at most 1048576 cells").hasMessageContaining("have 2097152")
                .hasMessageContaining("write a PNG");
    }

    @Test
    void theReadmeExampleWritesBothFiles() throws Exception {
        float[] weights = new float[36];
        java.util.Arrays.fill(weights, 1 / 6f);
        float[][][] byLayerAndHead = {{weights, weights}, {weights, weights}};
        Path attentionPng = dir.resolve("attention.png");
        Path headsSvg = dir.resolve("heads.svg");
        // As in README.md, with the paths in the test's directory:
        List<String> tokens = List.of("the", "cat", "sat", "on", "the", "mat");
        AttentionMatrix head = AttentionMatrix.of("layer 0 · head 3", weights, tokens, tokens);
        AttentionHeatmap.Written png = AttentionHeatmap.of(head).writePng(attentionPng);
        AttentionHeatmap.grid(byLayerAndHead, tokens, tokens).write(headsSvg);

        assertThat(png.warnings()).isEmpty();
        assertThat(ImageIO.read(attentionPng.toFile()).getWidth()).isEqualTo(png.width());
        assertThat(SvgDocuments.parse(Files.readString(headsSvg)).getDocumentElement().getTextContent())
                .contains("layer 1 · head 1");
    }

    /** The colour at the centre of cell {@code (row, column)} of panel {@code (layer, head)}. */
    private static int centre(BufferedImage image, AttentionHeatmap.Layout layout, int layer, int head, int row,
                              int column) {
        int x = layout.panelX(head) + column * layout.cell + layout.cell / 2;
        int y = layout.panelY(layer) + row * layout.cell + layout.cell / 2;
        return image.getRGB(x, y) & WHITE;
    }

    /** Non-white pixels in {@code [x0, x1) x [y0, y1)}. */
    private static int ink(BufferedImage image, int x0, int x1, int y0, int y1) {
        int n = 0;
        for (int y = Math.max(0, y0); y < Math.min(y1, image.getHeight()); y++) {
            for (int x = Math.max(0, x0); x < Math.min(x1, image.getWidth()); x++) {
                if ((image.getRGB(x, y) & WHITE) != WHITE) {
                    n++;
                }
            }
        }
        return n;
    }

    private static BufferedImage glyphs(String text, Font font) {
        BufferedImage image = new BufferedImage(120, 30, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, 120, 30);
            new ImageCanvas(g).text(text, 5, 20, font.deriveFont(14f), Canvas.Anchor.START, Color.BLACK);
        } finally {
            g.dispose();
        }
        return image;
    }

    private static int differingPixels(BufferedImage a, BufferedImage b) {
        int n = 0;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                if (a.getRGB(x, y) != b.getRGB(x, y)) {
                    n++;
                }
            }
        }
        return n;
    }
}
