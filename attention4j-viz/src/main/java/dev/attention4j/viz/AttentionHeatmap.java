package dev.attention4j.viz;

import java.awt.Color;
import java.awt.Font;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * Attention weights as a heatmap, rendered to PNG or SVG with the same layout: one {@link AttentionMatrix}, or a grid
 * of small multiples with one row per layer and one column per head. Rows are query tokens (labelled on the left),
 * columns key tokens (labelled underneath, reading upwards); a colour bar on the right shows the colour scale, which
 * all panels of a grid share.
 *
 * <pre>{@code
 * AttentionMatrix m = AttentionMatrix.of("layer 0 · head 3", weights, queryTokens, keyTokens); // row-major
 * AttentionHeatmap.of(m).writePng(Path.of("attention.png"));
 * AttentionHeatmap.grid(weightsByLayerAndHead, tokens, tokens).write(Path.of("all-heads.svg")); // [layer][head]
 * }</pre>
 *
 * <p><b>Colours.</b> {@link ColorMap#VIRIDIS} by default. The scale runs from 0 to the largest weight of all panels
 * (to 1 if every weight is 0) unless {@link #valueRange} fixes it; weights outside the range take the end colours.
 * Masked cells ({@link AttentionMatrix#withKeepMask}) are hatched grey.
 *
 * <p><b>Sizing.</b> Cells are square and a whole number of pixels: by default the largest size (at most
 * {@value #AUTO_MAX_CELL} px) that keeps all panels together within about {@value #AUTO_EXTENT} px a side, but at
 * least 1 px — so 5 tokens get 28 px cells and 512 tokens 2 px cells; {@link #cellSize} sets it. The picture is as
 * large as its content needs, at most {@value #MAX_SIDE} px a side. Token labels need a pitch of
 * {@value #LABEL_PITCH} px: when cells are smaller, only every k-th label is drawn (k = pitch / cell size rounded up,
 * the first label always among them), and when k would exceed {@value #MAX_LABEL_STEP} the token labels are left
 * out. In a grid, token labels appear on the outer axes only (left of the first column of panels, under the last
 * row), and each panel's title above it when the panel is wide enough. Long labels are cut with an ellipsis.
 *
 * <p><b>Fonts and scripts.</b> The PNG draws its text with {@link #fontFamily} ({@code "SansSerif"} by default) if
 * that family displays every label and title, and otherwise with an installed family that does, chosen by
 * {@link FontChoice#forTexts} (CJK labels such as "注意力" pick up Noto Sans CJK, WenQuanYi, ... when the configured
 * family lacks them). If no installed font displays some text, the picture is still drawn and {@link Written#warnings}
 * says which texts may show boxes. The SVG keeps its text as UTF-8 characters (escaped for XML) with a font-family
 * list that names CJK families before {@code sans-serif}, so the viewer's fonts display them; each cell has a
 * {@code <title>} tooltip ("query 2 '猫' → key 5 'mat' = 0.4312") up to {@value #MAX_TOOLTIP_CELLS} cells in all,
 * and an SVG holds at most {@value #MAX_SVG_CELLS} cells (write larger ones as PNG).
 *
 * <p>Instances are immutable; every option returns a new heatmap. Rendering never opens a window: loading this class
 * sets {@code java.awt.headless=true} unless the application already set that property.
 */
public final class AttentionHeatmap {

    static {
        Headless.ensure();
    }

    /** Largest picture side, in pixels. */
    public static final int MAX_SIDE = 16_384;
    /** Largest cell side accepted by {@link #cellSize}, in pixels. */
    public static final int MAX_CELL_SIZE = 64;
    /** Above this many cells in all panels together the SVG has no per-cell tooltips (they would bloat the file). */
    public static final int MAX_TOOLTIP_CELLS = 65_536;
    /** Most cells in all panels together an SVG holds (one {@code <rect>} each, about 60 MB); PNGs have no limit. */
    public static final int MAX_SVG_CELLS = 1 << 20;
    /** Largest automatic cell side. */
    static final int AUTO_MAX_CELL = 28;
    /** Side, in pixels, that the automatic cell size fills with all panels' cells. */
    static final int AUTO_EXTENT = 1_200;
    /** Vertical (rows) or horizontal (columns) room one token label needs. */
    static final int LABEL_PITCH = 14;
    /** Thinner than every this-many-th label, token labels are left out. */
    static final int MAX_LABEL_STEP = 8;
    /** Widest token label before it is cut, in pixels. */
    private static final double MAX_LABEL_WIDTH = 120;
    private static final int PANEL_GAP = 10;
    private static final int PAD = 14;
    private static final int LABEL_GAP = 5;
    private static final int BAR_GAP = 18;
    private static final int BAR_WIDTH = 14;
    private static final int MIN_BAR_HEIGHT = 120;
    private static final int TICK_LENGTH = 4;
    private static final int MAX_LISTED = 5;

    private static final Color BACKGROUND = Color.WHITE;
    private static final Color FRAME = new Color(0xb4b4b4);
    private static final Color TICK_LABEL = new Color(0x4a4a4a);
    private static final Color LABEL = new Color(0x262626);
    private static final Color TITLE = new Color(0x141414);

    /**
     * What a write produced.
     *
     * @param file     the file written
     * @param width    in pixels
     * @param height   in pixels
     * @param font     the font family the PNG's text was drawn with, or the SVG's font-family list
     * @param warnings what the picture leaves out or may not show: token labels thinned or omitted, panel titles
     *                 omitted, tooltips omitted (SVG), texts no installed font displays (PNG); empty when none
     */
    public record Written(Path file, int width, int height, String font, List<String> warnings) {
        public Written {
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(font, "font");
            warnings = List.copyOf(warnings);
        }
    }

    private final List<List<AttentionMatrix>> panels; // [layer][head]
    private final String title;
    private final ColorMap colorMap;
    private final double rangeMin; // NaN: automatic
    private final double rangeMax;
    private final int cellSize;    // 0: automatic
    private final String fontFamily;

    private AttentionHeatmap(List<List<AttentionMatrix>> panels, String title, ColorMap colorMap, double rangeMin,
                             double rangeMax, int cellSize, String fontFamily) {
        this.panels = panels;
        this.title = title;
        this.colorMap = colorMap;
        this.rangeMin = rangeMin;
        this.rangeMax = rangeMax;
        this.cellSize = cellSize;
        this.fontFamily = fontFamily;
    }

    /** One matrix, titled with the matrix's title. */
    public static AttentionHeatmap of(AttentionMatrix matrix) {
        Objects.requireNonNull(matrix, "matrix");
        return new AttentionHeatmap(List.of(List.of(matrix)), matrix.title(), ColorMap.VIRIDIS, Double.NaN,
                Double.NaN, 0, TextMetrics.FAMILY);
    }

    /**
     * A grid of small multiples: {@code panels[layer][head]}, one row of panels per layer and one column per head,
     * each panel titled with its matrix's title; no overall title.
     *
     * @throws IllegalArgumentException if the grid is empty or ragged, or a panel's shape or labels differ from
     *     {@code panels[0][0]}'s (a grid labels its axes once, so all panels share them)
     */
    public static AttentionHeatmap grid(AttentionMatrix[][] panels) {
        Objects.requireNonNull(panels, "panels");
        if (panels.length == 0) {
            throw new IllegalArgumentException("panels: expected at least one layer (panels[layer][head]) but got "
                    + "none");
        }
        List<List<AttentionMatrix>> rows = new ArrayList<>();
        AttentionMatrix first = null;
        for (int layer = 0; layer < panels.length; layer++) {
            AttentionMatrix[] heads = Objects.requireNonNull(panels[layer], "panels[" + layer + "]");
            if (heads.length == 0) {
                throw new IllegalArgumentException("panels[" + layer + "]: expected at least one head but got none");
            }
            if (heads.length != panels[0].length) {
                throw new IllegalArgumentException("panels[" + layer + "]: expected " + panels[0].length
                        + " heads like panels[0] (one panel per head) but got " + heads.length);
            }
            for (int head = 0; head < heads.length; head++) {
                AttentionMatrix m = Objects.requireNonNull(heads[head], "panels[" + layer + "][" + head + "]");
                if (first == null) {
                    first = m;
                } else {
                    checkSameAxes(first, m, "panels[" + layer + "][" + head + "]");
                }
            }
            rows.add(List.of(heads));
        }
        return new AttentionHeatmap(List.copyOf(rows), "", ColorMap.VIRIDIS, Double.NaN, Double.NaN, 0,
                TextMetrics.FAMILY);
    }

    /**
     * A grid from raw weights: {@code weights[layer][head]} is a row-major {@code rowLabels.size() x
     * columnLabels.size()} matrix, titled {@code "layer L · head H"} (counting from 0) — the
     * {@code [layer][k][query * srcLen + key]} arrays the core's {@code AttentionRecorder.perLayerAndHead} returns.
     * When only some heads were recorded, or they are numbered otherwise, build the panels with
     * {@link AttentionMatrix#of(String, float[], List, List)} and their own titles and use
     * {@link #grid(AttentionMatrix[][])}.
     *
     * @throws IllegalArgumentException as {@link #grid(AttentionMatrix[][])} and
     *     {@link AttentionMatrix#of(String, float[], List, List)}, naming the layer and head
     */
    public static AttentionHeatmap grid(float[][][] weights, List<String> rowLabels, List<String> columnLabels) {
        Objects.requireNonNull(weights, "weights");
        AttentionMatrix[][] panels = new AttentionMatrix[weights.length][];
        for (int layer = 0; layer < weights.length; layer++) {
            float[][] heads = Objects.requireNonNull(weights[layer], "weights[" + layer + "]");
            panels[layer] = new AttentionMatrix[heads.length];
            for (int head = 0; head < heads.length; head++) {
                try {
                    panels[layer][head] = AttentionMatrix.of("layer " + layer + " · head " + head,
                            Objects.requireNonNull(heads[head], "weights[" + layer + "][" + head + "]"), rowLabels,
                            columnLabels);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("weights[" + layer + "][" + head + "]: " + e.getMessage(), e);
                }
            }
        }
        return grid(panels);
    }

    private static void checkSameAxes(AttentionMatrix first, AttentionMatrix m, String where) {
        if (m.rows() != first.rows() || m.columns() != first.columns()) {
            throw new IllegalArgumentException(where + ": expected " + first.rows() + " x " + first.columns()
                    + " like panels[0][0] (a grid shares its axes) but got " + m.rows() + " x " + m.columns());
        }
        checkSameLabels(first.rowLabels(), m.rowLabels(), where, "row");
        checkSameLabels(first.columnLabels(), m.columnLabels(), where, "column");
    }

    private static void checkSameLabels(List<String> expected, List<String> actual, String where, String axis) {
        for (int i = 0; i < expected.size(); i++) {
            if (!expected.get(i).equals(actual.get(i))) {
                throw new IllegalArgumentException(where + ": expected the " + axis + " labels of panels[0][0] (a grid "
                        + "shares its axes), but " + axis + " " + i + " is '" + actual.get(i) + "' instead of '"
                        + expected.get(i) + "'");
            }
        }
    }

    /** This heatmap with an overall title above everything ({@code ""} for none). */
    public AttentionHeatmap title(String title) {
        return new AttentionHeatmap(panels, Objects.requireNonNull(title, "title"), colorMap, rangeMin, rangeMax,
                cellSize, fontFamily);
    }

    public AttentionHeatmap colorMap(ColorMap colorMap) {
        return new AttentionHeatmap(panels, title, Objects.requireNonNull(colorMap, "colorMap"), rangeMin, rangeMax,
                cellSize, fontFamily);
    }

    /**
     * Fixes the colour scale to {@code [min, max]} ({@code valueRange(0, 1)} to compare pictures), instead of
     * 0 to the largest weight.
     *
     * @throws IllegalArgumentException unless both are finite and {@code min < max}
     */
    public AttentionHeatmap valueRange(double min, double max) {
        if (!Double.isFinite(min) || !Double.isFinite(max) || !(min < max)) {
            throw new IllegalArgumentException("valueRange: expected finite min < max but got min = " + min
                    + ", max = " + max);
        }
        return new AttentionHeatmap(panels, title, colorMap, min, max, cellSize, fontFamily);
    }

    /**
     * Fixes each cell's side in pixels instead of choosing it from the number of tokens.
     *
     * @throws IllegalArgumentException unless {@code 1 <= pixels <= MAX_CELL_SIZE}
     */
    public AttentionHeatmap cellSize(int pixels) {
        if (pixels < 1 || pixels > MAX_CELL_SIZE) {
            throw new IllegalArgumentException("cellSize: expected 1.." + MAX_CELL_SIZE + " pixels but got " + pixels);
        }
        return new AttentionHeatmap(panels, title, colorMap, rangeMin, rangeMax, pixels, fontFamily);
    }

    /**
     * The font family the PNG's text prefers (a family or logical name); another installed family is used when this
     * one cannot display every label, see the class comment.
     */
    public AttentionHeatmap fontFamily(String family) {
        Objects.requireNonNull(family, "family");
        if (family.isBlank()) {
            throw new IllegalArgumentException("fontFamily: expected a font family name but got '" + family + "'");
        }
        return new AttentionHeatmap(panels, title, colorMap, rangeMin, rangeMax, cellSize, family);
    }

    /** Rows of panels. */
    public int layers() {
        return panels.size();
    }

    /** Panels per row. */
    public int heads() {
        return panels.get(0).size();
    }

    /** The font the PNG's text is drawn with, and the texts it cannot display. */
    public FontChoice pngFont() {
        return FontChoice.forTexts(fontFamily, texts());
    }

    /**
     * Renders the heatmap into a new RGB image, sized as the class comment says.
     *
     * @throws IllegalArgumentException if the picture would exceed {@link #MAX_SIDE} pixels a side
     */
    public BufferedImage toImage() {
        return renderImage(layout(pngFont()));
    }

    /**
     * The heatmap as an SVG document (UTF-8 text), laid out as {@link #toImage}.
     *
     * @throws IllegalArgumentException as {@link #toImage}, or if all panels together have more than
     *     {@link #MAX_SVG_CELLS} cells
     */
    public String toSvg() {
        return renderSvg(layout(pngFont()));
    }

    /** Writes {@link #toImage} as a PNG, atomically (a temporary file beside {@code file}, then a move). */
    public Written writePng(Path file) throws IOException {
        FontChoice font = pngFont();
        Layout layout = layout(font);
        BufferedImage image = renderImage(layout);
        AtomicFiles.writePng(file, image);
        List<String> warnings = new ArrayList<>(layout.warnings);
        if (!font.displaysAll()) {
            List<String> missing = font.undisplayable();
            warnings.add("no installed font can display " + missing.size() + " of the texts, drawn with '"
                    + font.family() + "' and may show boxes: " + listed(missing));
        }
        return new Written(file, layout.width, layout.height, font.family(), warnings);
    }

    /** Writes {@link #toSvg} as UTF-8, atomically; same exceptions. */
    public Written writeSvg(Path file) throws IOException {
        Layout layout = layout(pngFont());
        AtomicFiles.writeUtf8(file, renderSvg(layout));
        List<String> warnings = new ArrayList<>(layout.warnings);
        if (!layout.tooltips) {
            warnings.add("no cell tooltips: " + layout.totalCells + " cells, more than " + MAX_TOOLTIP_CELLS);
        }
        return new Written(file, layout.width, layout.height, TextMetrics.SVG_FAMILY_CJK, warnings);
    }

    /**
     * Writes a PNG or an SVG as the file name ends ({@code .png} or {@code .svg}, any case).
     *
     * @throws IllegalArgumentException for any other file name
     */
    public Written write(Path file) throws IOException {
        String name = String.valueOf(file.getFileName()).toLowerCase(Locale.ROOT);
        if (name.endsWith(".png")) {
            return writePng(file);
        }
        if (name.endsWith(".svg")) {
            return writeSvg(file);
        }
        throw new IllegalArgumentException("file: expected a name ending in .png or .svg but got '" + file + "'");
    }

    private BufferedImage renderImage(Layout layout) {
        return ImageCanvas.render(layout.width, layout.height, layout::draw);
    }

    private String renderSvg(Layout layout) {
        if (layout.totalCells > MAX_SVG_CELLS) {
            throw new IllegalArgumentException("an SVG holds at most " + MAX_SVG_CELLS + " cells (one <rect> each), "
                    + "but these " + layers() + " x " + heads() + " panels of " + layout.rows + " x " + layout.columns
                    + " have " + layout.totalCells + ": write a PNG, or fewer panels");
        }
        SvgCanvas svg = new SvgCanvas(layout.width, layout.height, title, TextMetrics.SVG_FAMILY_CJK);
        layout.draw(svg);
        return svg.finish();
    }

    /** Every text the picture may show: titles and labels. */
    private Set<String> texts() {
        Set<String> texts = new LinkedHashSet<>();
        texts.add(title);
        AttentionMatrix first = panels.get(0).get(0);
        texts.addAll(first.rowLabels());
        texts.addAll(first.columnLabels());
        for (List<AttentionMatrix> row : panels) {
            for (AttentionMatrix m : row) {
                texts.add(m.title());
            }
        }
        texts.remove("");
        return texts;
    }

    /** The positions of one rendering. Package-private for tests. */
    Layout layout() {
        return layout(pngFont());
    }

    private Layout layout(FontChoice font) {
        return new Layout(font.family());
    }

    private boolean anyPanelTitle() {
        return panels.stream().flatMap(List::stream).anyMatch(m -> !m.title().isEmpty());
    }

    private static String listed(List<String> texts) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < Math.min(texts.size(), MAX_LISTED); i++) {
            out.append(i == 0 ? "'" : ", '").append(texts.get(i)).append('\'');
        }
        return texts.size() > MAX_LISTED ? out + ", ..." : out.toString();
    }

    /** A weight as a tooltip shows it: four decimals (trailing zeros dropped), or scientific when tiny or huge. */
    static String formatWeight(float w) {
        if (w == 0) {
            return "0";
        }
        if (w >= 1e-4 && w < 1e6) {
            return new BigDecimal(w).setScale(4, RoundingMode.HALF_EVEN).stripTrailingZeros().toPlainString();
        }
        return String.format(Locale.ROOT, "%.3e", w);
    }

    /** Every position of one rendering, computed once and drawn on either canvas. */
    final class Layout {

        final int width;
        final int height;
        final int cell;
        final int rows;
        final int columns;
        /** Every {@code labelStep}-th token label is drawn; 0 when none are. */
        final int labelStep;
        final boolean panelTitles;
        final int left;
        final int top;
        final int panelWidth;
        final int panelHeight;
        final int panelTitleHeight;
        final int barX;
        final int barTop;
        final int barHeight;
        final double lo;
        final double hi;
        final long totalCells;
        final boolean tooltips;
        final List<String> warnings = new ArrayList<>();

        private final Font titleFont;
        private final Font panelFont;
        private final Font labelFont;
        private final Font tickFont;
        private final List<String> rowLabels = new ArrayList<>();
        private final List<String> columnLabels = new ArrayList<>();
        private final Ticks ticks;
        private final double titleBaseline;

        Layout(String family) {
            titleFont = TextMetrics.font(family, 15, Font.BOLD);
            panelFont = TextMetrics.font(family, 11, Font.PLAIN);
            labelFont = TextMetrics.font(family, 11, Font.PLAIN);
            tickFont = TextMetrics.font(family, 10, Font.PLAIN);
            AttentionMatrix first = panels.get(0).get(0);
            rows = first.rows();
            columns = first.columns();
            int layers = layers();
            int heads = heads();
            totalCells = (long) rows * columns * layers * heads;
            tooltips = totalCells <= MAX_TOOLTIP_CELLS;

            if (Double.isNaN(rangeMin)) {
                float max = 0;
                for (List<AttentionMatrix> row : panels) {
                    for (AttentionMatrix m : row) {
                        max = Math.max(max, m.max());
                    }
                }
                lo = 0;
                hi = max > 0 ? max : 1;
            } else {
                lo = rangeMin;
                hi = rangeMax;
            }

            cell = cellSize > 0 ? cellSize : (int) Math.clamp(Math.min(AUTO_EXTENT / ((long) heads * columns),
                    AUTO_EXTENT / ((long) layers * rows)), 1, AUTO_MAX_CELL);
            int step = (LABEL_PITCH + cell - 1) / cell;
            labelStep = step > MAX_LABEL_STEP ? 0 : step;
            if (labelStep == 0) {
                warnings.add("token labels omitted: " + cell + " px cells are too small for " + LABEL_PITCH
                        + " px labels (use cellSize(" + (LABEL_PITCH + MAX_LABEL_STEP - 1) / MAX_LABEL_STEP
                        + ") or more to show some)");
            } else if (labelStep > 1) {
                warnings.add("every " + ordinal(labelStep) + " token label shown: " + cell + " px cells are smaller "
                        + "than " + LABEL_PITCH + " px labels");
            }
            double rowLabelWidth = 0;
            double columnLabelHeight = 0;
            for (int i = 0; i < rows; i++) {
                String label = labelStep > 0 && i % labelStep == 0
                        ? TextMetrics.fit(first.rowLabels().get(i), labelFont, MAX_LABEL_WIDTH) : null;
                rowLabels.add(label);
                rowLabelWidth = Math.max(rowLabelWidth, label == null ? 0 : TextMetrics.width(label, labelFont));
            }
            for (int j = 0; j < columns; j++) {
                String label = labelStep > 0 && j % labelStep == 0
                        ? TextMetrics.fit(first.columnLabels().get(j), labelFont, MAX_LABEL_WIDTH) : null;
                columnLabels.add(label);
                columnLabelHeight = Math.max(columnLabelHeight,
                        label == null ? 0 : TextMetrics.width(label, labelFont));
            }

            long blockWidth = (long) heads * columns * cell + (heads - 1L) * PANEL_GAP;
            long blockHeight = (long) layers * (rows * (long) cell + panelTitleHeightFor(layers, heads, columns))
                    + (layers - 1L) * PANEL_GAP;
            if (blockWidth > MAX_SIDE || blockHeight > MAX_SIDE) {
                throw tooLarge(blockWidth, blockHeight);
            }
            panelWidth = columns * cell;
            panelHeight = rows * cell;
            panelTitleHeight = panelTitleHeightFor(layers, heads, columns);
            panelTitles = panelTitleHeight > 0;
            if (!panelTitles && layers * heads > 1 && anyPanelTitle()) {
                warnings.add("panel titles omitted: panels of " + panelWidth + " px are too narrow");
            }

            titleBaseline = PAD + TextMetrics.digitHeight(titleFont);
            top = (int) Math.ceil(title.isEmpty() ? PAD : titleBaseline + 12);
            left = (int) Math.ceil(PAD + (rowLabelWidth > 0 ? rowLabelWidth + LABEL_GAP : 0));
            long blockRight = left + blockWidth;
            long blockBottom = top + blockHeight;

            barX = (int) Math.min(blockRight + BAR_GAP, MAX_SIDE);
            barTop = panelY(0);
            barHeight = (int) Math.max(blockBottom - barTop, MIN_BAR_HEIGHT);
            ticks = Ticks.linear(lo, hi, Math.clamp(barHeight / 40, 2, 6));
            double widestTick = 0;
            for (Ticks.Tick t : ticks.major()) {
                widestTick = Math.max(widestTick, TextMetrics.width(t.label(), tickFont));
            }
            double contentWidth = barX + BAR_WIDTH + TICK_LENGTH + 3 + widestTick + PAD;
            double titleWidth = title.isEmpty() ? 0 : TextMetrics.width(title, titleFont) + 2 * PAD;
            double contentHeight = Math.max(blockBottom + (labelStep > 0 ? LABEL_GAP + columnLabelHeight : 0),
                    barTop + barHeight) + PAD;
            long w = (long) Math.ceil(Math.max(contentWidth, Math.min(titleWidth, 1600)));
            long h = (long) Math.ceil(contentHeight);
            if (w > MAX_SIDE || h > MAX_SIDE) {
                throw tooLarge(w, h);
            }
            width = (int) w;
            height = (int) h;
        }

        /** Height of the titles above panels: zero for a single panel, untitled panels or panels under 24 px. */
        private int panelTitleHeightFor(int layers, int heads, int columns) {
            boolean shown = layers * heads > 1 && anyPanelTitle() && (long) columns * cell >= 24;
            return shown ? (int) Math.ceil(TextMetrics.lineHeight(panelFont)) + 2 : 0;
        }

        private IllegalArgumentException tooLarge(long w, long h) {
            return new IllegalArgumentException("the heatmap needs at least " + w + " x " + h + " pixels at " + cell
                    + " px per cell (" + layers() + " x " + heads() + " panels of " + rows + " x " + columns
                    + " cells), but at most " + MAX_SIDE + " a side is allowed: use smaller cells or fewer panels");
        }

        /** Left edge of the panels of head {@code head}. */
        int panelX(int head) {
            return left + head * (panelWidth + PANEL_GAP);
        }

        /** Top edge of the panels of layer {@code layer}. */
        int panelY(int layer) {
            return top + panelTitleHeight + layer * (panelHeight + PANEL_GAP + panelTitleHeight);
        }

        /** Whether token label {@code i} of an axis is drawn. */
        boolean labelShown(int i) {
            return labelStep > 0 && i % labelStep == 0;
        }

        void draw(Canvas c) {
            c.fillRect(0, 0, width, height, BACKGROUND);
            if (!title.isEmpty()) {
                c.text(TextMetrics.fit(title, titleFont, width - 2.0 * PAD), width / 2.0, titleBaseline, titleFont,
                        Canvas.Anchor.MIDDLE, TITLE);
            }
            int[] rgb = new int[rows * columns];
            for (int layer = 0; layer < layers(); layer++) {
                for (int head = 0; head < heads(); head++) {
                    drawPanel(c, panels.get(layer).get(head), panelX(head), panelY(layer), rgb);
                }
            }
            drawLabels(c);
            drawColorBar(c);
        }

        private void drawPanel(Canvas c, AttentionMatrix m, int x, int y, int[] rgb) {
            boolean[] hatched = null;
            for (int i = 0; i < rgb.length; i++) {
                rgb[i] = colorMap.rgb((m.weightAt(i) - lo) / (hi - lo));
                if (m.maskedAt(i)) {
                    if (hatched == null) {
                        hatched = new boolean[rgb.length];
                    }
                    hatched[i] = true;
                }
            }
            IntFunction<String> tooltip = tooltips ? i -> tooltip(m, i) : null;
            c.cells(x, y, cell, rows, columns, rgb, hatched, tooltip, m.title());
            if (panelTitles && !m.title().isEmpty()) {
                c.text(TextMetrics.fit(m.title(), panelFont, panelWidth), x + panelWidth / 2.0, y - 4, panelFont,
                        Canvas.Anchor.MIDDLE, LABEL);
            }
        }

        private String tooltip(AttentionMatrix m, int i) {
            int r = i / columns;
            int col = i % columns;
            return (m.title().isEmpty() ? "" : m.title() + ": ") + "query " + r + " '" + m.rowLabels().get(r)
                    + "' → key " + col + " '" + m.columnLabels().get(col) + "' = " + formatWeight(m.weightAt(i))
                    + (m.maskedAt(i) ? " (masked)" : "");
        }

        private void drawLabels(Canvas c) {
            if (labelStep == 0) {
                return;
            }
            double digit = TextMetrics.digitHeight(labelFont);
            for (int layer = 0; layer < layers(); layer++) {
                int y = panelY(layer);
                for (int i = 0; i < rows; i += labelStep) {
                    c.text(rowLabels.get(i), left - LABEL_GAP, y + (i + 0.5) * cell + digit / 2, labelFont,
                            Canvas.Anchor.END, LABEL);
                }
            }
            double below = panelY(layers() - 1) + panelHeight + LABEL_GAP;
            for (int head = 0; head < heads(); head++) {
                int x = panelX(head);
                for (int j = 0; j < columns; j += labelStep) {
                    c.verticalText(columnLabels.get(j), x + (j + 0.5) * cell + digit / 2, below, labelFont,
                            Canvas.Anchor.END, LABEL);
                }
            }
        }

        private void drawColorBar(Canvas c) {
            for (int py = 0; py < barHeight; py++) {
                double t = barHeight == 1 ? 1 : 1 - py / (double) (barHeight - 1);
                c.fillRect(barX, barTop + py, BAR_WIDTH, 1, colorMap.color(t));
            }
            c.box(barX - 0.5, barTop - 0.5, BAR_WIDTH + 1, barHeight + 1, 0, new Color(0, true), FRAME, 1);
            double digit = TextMetrics.digitHeight(tickFont);
            for (Ticks.Tick t : ticks.major()) {
                if (t.value() < lo || t.value() > hi) {
                    continue;
                }
                double y = barTop + (1 - (t.value() - lo) / (hi - lo)) * (barHeight - 1) + 0.5;
                c.line(barX + BAR_WIDTH, y, barX + BAR_WIDTH + TICK_LENGTH, y, FRAME, 1);
                c.text(t.label(), barX + BAR_WIDTH + TICK_LENGTH + 3, y + digit / 2, tickFont, Canvas.Anchor.START,
                        TICK_LABEL);
            }
        }
    }

    private static String ordinal(int n) {
        return n + switch (n % 10) {
            case 2 -> "nd";
            case 3 -> "rd";
            default -> "th";
        };
    }
}
