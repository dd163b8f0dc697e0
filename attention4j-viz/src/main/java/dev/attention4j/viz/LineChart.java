package dev.attention4j.viz;

import java.awt.Color;
import java.awt.Font;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.DoubleUnaryOperator;

import static dev.attention4j.viz.TextMetrics.fit;

/**
 * A line chart for training curves (loss, learning rate, accuracy against step), rendered to PNG or SVG with the same
 * layout: a title, axes with round tick values (1-2-5 steps; decades on a log axis), grid lines, a legend placed in
 * the emptiest corner of the plot, and up to ten distinct colours (then the colours again, dashed).
 *
 * <pre>{@code
 * LineChart.of("Training loss").xLabel("step").yLabel("loss").logY()
 *         .series("train", steps, trainLoss)
 *         .series("validation", evalSteps, validLoss)
 *         .writePng(Path.of("loss.png"), 900, 540);
 * }</pre>
 *
 * <p>Points whose x or y is NaN or infinite are skipped and leave a gap in the line; a point with no finite neighbour
 * is drawn as a dot. A chart with no series, or with no finite point in any, renders a frame with a message saying so
 * instead of failing. A single x value (one point, or many at the same step) gets a small range around it.
 *
 * <p>Instances are immutable: every builder method returns a new chart. Rendering never opens a window: loading this
 * class sets {@code java.awt.headless=true} unless the application already set that property.
 */
public final class LineChart {

    static {
        Headless.ensure();
    }

    /** Smallest and largest picture accepted, in pixels per side. */
    public static final int MIN_WIDTH = 160;
    public static final int MIN_HEIGHT = 120;
    public static final int MAX_SIDE = 8_192;

    /** Tableau 10: distinct at a glance, readable on white, and familiar from matplotlib. */
    private static final Color[] PALETTE = {
        new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728), new Color(0x9467bd),
        new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf),
    };
    private static final Color BACKGROUND = Color.WHITE;
    private static final Color GRID = new Color(0xe5e5e5);
    private static final Color MINOR_GRID = new Color(0xf3f3f3);
    private static final Color FRAME = new Color(0xb4b4b4);
    private static final Color TICK = new Color(0x8c8c8c);
    private static final Color TICK_LABEL = new Color(0x4a4a4a);
    private static final Color LABEL = new Color(0x262626);
    private static final Color TITLE = new Color(0x141414);
    private static final Color MESSAGE = new Color(0x6b6b6b);
    private static final Color LEGEND_FILL = new Color(255, 255, 255, 224);
    private static final Color LEGEND_EDGE = new Color(0xd2d2d2);
    private static final int MAX_NAME_CHARS = 48;

    /**
     * One curve: {@code y[i]} at {@code x[i]}. The arrays are copied in and out. Non-finite values are allowed and
     * leave gaps.
     */
    public record Series(String name, double[] x, double[] y) {

        public Series {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(x, "x");
            Objects.requireNonNull(y, "y");
            if (x.length != y.length) {
                throw new IllegalArgumentException("series '" + name + "': x and y must have the same length, but x has "
                        + x.length + " values and y has " + y.length);
            }
            x = x.clone();
            y = y.clone();
        }

        /** {@code y} against its index 0, 1, 2, ... */
        public static Series of(String name, double[] y) {
            double[] x = new double[y.length];
            Arrays.setAll(x, i -> i);
            return new Series(name, x, y);
        }

        @Override
        public double[] x() {
            return x.clone();
        }

        @Override
        public double[] y() {
            return y.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Series s && name.equals(s.name) && Arrays.equals(x, s.x) && Arrays.equals(y, s.y);
        }

        @Override
        public int hashCode() {
            return Objects.hash(name, Arrays.hashCode(x), Arrays.hashCode(y));
        }

        @Override
        public String toString() {
            return "Series[" + name + ", " + x.length + " points]";
        }

        private boolean finiteAt(int i) {
            return Double.isFinite(x[i]) && Double.isFinite(y[i]);
        }
    }

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final Scale yScale;
    private final List<Series> series;

    private LineChart(String title, String xLabel, String yLabel, Scale yScale, List<Series> series) {
        this.title = Objects.requireNonNull(title, "title");
        this.xLabel = Objects.requireNonNull(xLabel, "xLabel");
        this.yLabel = Objects.requireNonNull(yLabel, "yLabel");
        this.yScale = Objects.requireNonNull(yScale, "yScale");
        this.series = List.copyOf(series);
    }

    /** An empty chart with a title ({@code ""} for none), linear axes and no axis labels. */
    public static LineChart of(String title) {
        return new LineChart(title, "", "", Scale.LINEAR, List.of());
    }

    public LineChart xLabel(String label) {
        return new LineChart(title, label, yLabel, yScale, series);
    }

    public LineChart yLabel(String label) {
        return new LineChart(title, xLabel, label, yScale, series);
    }

    public LineChart yScale(Scale scale) {
        return new LineChart(title, xLabel, yLabel, scale, series);
    }

    /** Shorthand for {@code yScale(Scale.LOG)}. */
    public LineChart logY() {
        return yScale(Scale.LOG);
    }

    /** This chart with one more series, drawn over the earlier ones in the next palette colour. */
    public LineChart series(Series s) {
        Objects.requireNonNull(s, "series");
        List<Series> more = new ArrayList<>(series);
        more.add(s);
        return new LineChart(title, xLabel, yLabel, yScale, more);
    }

    public LineChart series(String name, double[] x, double[] y) {
        return series(new Series(name, x, y));
    }

    /**
     * Renders the chart into a new RGB image.
     *
     * @throws IllegalArgumentException if a side is outside {@code [MIN_WIDTH or MIN_HEIGHT, MAX_SIDE]}, or the y axis
     *     is logarithmic and a series has a finite {@code y <= 0} (the message names the series, index and value)
     */
    public BufferedImage toImage(int width, int height) {
        Layout layout = layout(width, height);
        return ImageCanvas.render(width, height, layout::draw);
    }

    /** The chart as an SVG document, laid out exactly as {@link #toImage}; same exceptions. */
    public String toSvg(int width, int height) {
        Layout layout = layout(width, height);
        SvgCanvas svg = new SvgCanvas(width, height, title);
        layout.draw(svg);
        return svg.finish();
    }

    /** Writes {@link #toImage} as a PNG, atomically (a temporary file beside {@code file}, then a move). */
    public void writePng(Path file, int width, int height) throws IOException {
        BufferedImage image = toImage(width, height);
        AtomicFiles.writePng(file, image);
    }

    /** Writes {@link #toSvg} as UTF-8, atomically. */
    public void writeSvg(Path file, int width, int height) throws IOException {
        AtomicFiles.writeUtf8(file, toSvg(width, height));
    }

    private Layout layout(int width, int height) {
        checkSide("width", width, MIN_WIDTH);
        checkSide("height", height, MIN_HEIGHT);
        if (yScale == Scale.LOG) {
            checkPositive();
        }
        return new Layout(width, height);
    }

    private static void checkSide(String name, int value, int min) {
        if (value < min || value > MAX_SIDE) {
            throw new IllegalArgumentException(name + ": expected " + min + ".." + MAX_SIDE + " pixels but got " + value);
        }
    }

    private void checkPositive() {
        for (Series s : series) {
            for (int i = 0; i < s.y.length; i++) {
                double y = s.y[i];
                if (Double.isFinite(y) && y <= 0) {
                    throw new IllegalArgumentException("log y axis: series '" + s.name + "' has y[" + i + "] = " + y
                            + ", but a log scale shows only values > 0 (use Scale.LINEAR, or drop or clamp such "
                            + "points; NaN and infinities are skipped as gaps)");
                }
            }
        }
    }

    /** Every position of one rendering, computed once and drawn on either canvas. */
    private final class Layout {

        private final int width;
        private final int height;
        private final double s;
        private final Font titleFont;
        private final Font labelFont;
        private final Font tickFont;
        private final Font legendFont;
        private final Font messageFont;
        private final double pad;
        private final double tickLength;
        private final double tickGap;
        private final double lineWidth;

        // Plot area edges, on half pixels so 1-pixel lines are crisp.
        private double left;
        private double right;
        private double top;
        private double bottom;

        private double xMin;
        private double xMax;
        /** y range in axis units (log10 of y on a log axis). */
        private double yMin;
        private double yMax;
        private DoubleUnaryOperator yAxis;
        private Ticks xTicks;
        private Ticks yTicks;
        private final String emptyReason;

        Layout(int width, int height) {
            this.width = width;
            this.height = height;
            s = Math.clamp(Math.min(width / 800.0, height / 500.0), 0.8, 3.0);
            titleFont = TextMetrics.font(17 * s, Font.BOLD);
            labelFont = TextMetrics.font(13 * s, Font.PLAIN);
            tickFont = TextMetrics.font(11.5 * s, Font.PLAIN);
            legendFont = TextMetrics.font(12 * s, Font.PLAIN);
            messageFont = TextMetrics.font(14 * s, Font.PLAIN);
            pad = 16 * s;
            tickLength = 5 * s;
            tickGap = 4 * s;
            lineWidth = 1.5 * s;
            emptyReason = emptyReason();
            computeRanges();
            place();
        }

        /** Why nothing can be drawn, or null when some series has a finite point. */
        private String emptyReason() {
            if (series.isEmpty()) {
                return "the chart has no series";
            }
            List<String> empty = new ArrayList<>();
            for (Series ser : series) {
                if (finitePoints(ser) == 0) {
                    empty.add("'" + shortName(ser.name) + "'");
                }
            }
            if (empty.size() < series.size()) {
                return null;
            }
            return empty.size() == 1
                    ? "series " + empty.get(0) + " has no finite points"
                    : "no series has a finite point (" + String.join(", ", empty) + ")";
        }

        private void computeRanges() {
            yAxis = yScale == Scale.LOG ? Math::log10 : v -> v;
            if (emptyReason != null) {
                return;
            }
            double x0 = Double.POSITIVE_INFINITY;
            double x1 = Double.NEGATIVE_INFINITY;
            double y0 = Double.POSITIVE_INFINITY;
            double y1 = Double.NEGATIVE_INFINITY;
            for (Series ser : series) {
                for (int i = 0; i < ser.x.length; i++) {
                    if (ser.finiteAt(i)) {
                        x0 = Math.min(x0, ser.x[i]);
                        x1 = Math.max(x1, ser.x[i]);
                        double t = yAxis.applyAsDouble(ser.y[i]);
                        y0 = Math.min(y0, t);
                        y1 = Math.max(y1, t);
                    }
                }
            }
            if (x1 > x0) {
                xMin = x0;
                xMax = x1;
            } else {
                double half = x0 == 0 ? 1 : Math.abs(x0) * 0.05;
                xMin = x0 - half;
                xMax = x0 + half;
            }
            double span = y1 - y0;
            double margin;
            if (span > 0) {
                margin = Double.isFinite(span) ? span * 0.05 : 0;
            } else if (yScale == Scale.LOG) {
                margin = 0.1; // a factor of 1.26 either side
            } else {
                margin = y0 == 0 ? 1 : Math.abs(y0) * 0.1;
            }
            yMin = y0 - margin;
            yMax = y1 + margin;
        }

        private void place() {
            top = pad;
            if (!title.isEmpty()) {
                top += TextMetrics.digitHeight(titleFont) + 14 * s;
            }
            double below = tickLength + tickGap + TextMetrics.digitHeight(tickFont) + 0.25 * tickFont.getSize2D();
            if (!xLabel.isEmpty()) {
                below += 8 * s + TextMetrics.digitHeight(labelFont) + 0.25 * labelFont.getSize2D();
            }
            bottom = snap(height - pad * 0.85 - below);
            top = snap(top);
            double plotHeight = bottom - top;

            left = pad;
            if (!yLabel.isEmpty()) {
                left += TextMetrics.lineHeight(labelFont) + 4 * s;
            }
            if (emptyReason == null) {
                int target = Math.clamp(Math.round(plotHeight / (48 * s)), 2, 10);
                do { // a short plot still gets three labels when its range allows
                    yTicks = yScale == Scale.LOG
                            ? Ticks.log(Math.pow(10, yMin), Math.pow(10, yMax), target)
                            : Ticks.linear(yMin, yMax, target);
                } while (yTicks.major().size() < 3 && ++target <= 6);
                double widest = 0;
                for (Ticks.Tick t : yTicks.major()) {
                    widest = Math.max(widest, TextMetrics.width(t.label(), tickFont));
                }
                left += widest + tickGap + tickLength;
            }
            left = snap(left);
            right = snap(width - pad);
            if (emptyReason == null) {
                placeXTicks();
            }
        }

        private void placeXTicks() {
            int target = Math.clamp(Math.round((right - left) / (110 * s)), 2, 10);
            while (true) {
                xTicks = Ticks.linear(xMin, xMax, target);
                roundXRange(target);
                double widest = 0;
                for (Ticks.Tick t : xTicks.major()) {
                    widest = Math.max(widest, TextMetrics.width(t.label(), tickFont));
                }
                double spacing = xTicks.major().size() < 2 ? Double.POSITIVE_INFINITY
                        : (right - left) * (xTicks.major().get(1).value() - xTicks.major().get(0).value())
                        / (xMax - xMin);
                if (spacing >= widest + 14 * s || target <= 2) {
                    break;
                }
                target--;
            }
            // Room for half of the last label to the right of the plot.
            if (!xTicks.major().isEmpty()) {
                Ticks.Tick last = xTicks.major().get(xTicks.major().size() - 1);
                double overhang = px(last.value()) + TextMetrics.width(last.label(), tickFont) / 2 - (width - 4 * s);
                if (overhang > 0) {
                    right = snap(right - overhang);
                }
            }
        }

        /**
         * Moves an x end that lies within 2% of the span of the next tick value out to it, so steps 1..5000 get an
         * axis from 0 with a "0" label, while a range that ends far from a tick keeps its data-tight end.
         */
        private void roundXRange(int target) {
            double step = Ticks.niceStep((xMax - xMin) / target).doubleValue();
            double near = 0.02 * (xMax - xMin);
            double below = Math.floor(xMin / step) * step;
            double above = Math.ceil(xMax / step) * step;
            boolean changed = false;
            if (below < xMin && xMin - below <= near) {
                xMin = below;
                changed = true;
            }
            if (above > xMax && above - xMax <= near) {
                xMax = above;
                changed = true;
            }
            if (changed) {
                xTicks = Ticks.linear(xMin, xMax, target);
            }
        }

        private double px(double x) {
            return left + (x - xMin) / (xMax - xMin) * (right - left);
        }

        private double py(double y) {
            return bottom - (yAxis.applyAsDouble(y) - yMin) / (yMax - yMin) * (bottom - top);
        }

        void draw(Canvas c) {
            c.fillRect(0, 0, width, height, BACKGROUND);
            if (emptyReason == null) {
                drawGrid(c);
            }
            c.line(left, top, right, top, FRAME, 1);
            c.line(right, top, right, bottom, FRAME, 1);
            c.line(left, bottom, right, bottom, FRAME, 1);
            c.line(left, top, left, bottom, FRAME, 1);
            drawLabels(c);
            if (emptyReason != null) {
                double cy = (top + bottom) / 2;
                c.text("No data to plot", (left + right) / 2, cy, messageFont.deriveFont(Font.BOLD), Canvas.Anchor.MIDDLE,
                        MESSAGE);
                c.text(fit(emptyReason, tickFont, right - left - 2 * pad), (left + right) / 2,
                        cy + TextMetrics.lineHeight(messageFont), tickFont, Canvas.Anchor.MIDDLE, MESSAGE);
                return;
            }
            List<List<double[][]>> runs = new ArrayList<>();
            for (Series ser : series) {
                runs.add(runs(ser));
            }
            double slack = lineWidth * 2;
            c.clip(left - slack, top - slack, right - left + 2 * slack, bottom - top + 2 * slack);
            for (int k = 0; k < series.size(); k++) {
                Color color = PALETTE[k % PALETTE.length];
                float[] dash = k < PALETTE.length ? null : new float[] {(float) (6 * s), (float) (4 * s)};
                for (double[][] run : runs.get(k)) {
                    if (run[0].length == 1) {
                        c.dot(run[0][0], run[1][0], 3.5 * s, color);
                    } else {
                        c.polyline(run[0], run[1], run[0].length, color, lineWidth, dash);
                    }
                }
            }
            c.unclip();
            drawLegend(c, runs);
        }

        private void drawGrid(Canvas c) {
            for (double v : yTicks.minor()) {
                double y = snap(py(v));
                if (y > top + 0.5 && y < bottom - 0.5) {
                    c.line(left, y, right, y, MINOR_GRID, 1);
                }
            }
            for (Ticks.Tick t : yTicks.major()) {
                double y = snap(py(t.value()));
                if (y > top + 0.5 && y < bottom - 0.5) {
                    c.line(left, y, right, y, GRID, 1);
                }
            }
            for (Ticks.Tick t : xTicks.major()) {
                double x = snap(px(t.value()));
                if (x > left + 0.5 && x < right - 0.5) {
                    c.line(x, top, x, bottom, GRID, 1);
                }
            }
        }

        private void drawLabels(Canvas c) {
            if (emptyReason == null) {
                double digit = TextMetrics.digitHeight(tickFont);
                for (Ticks.Tick t : yTicks.major()) {
                    double y = snap(py(t.value()));
                    c.line(left - tickLength, y, left, y, TICK, 1);
                    c.text(t.label(), left - tickLength - tickGap, y + digit / 2, tickFont, Canvas.Anchor.END,
                            TICK_LABEL);
                }
                for (Ticks.Tick t : xTicks.major()) {
                    double x = snap(px(t.value()));
                    c.line(x, bottom, x, bottom + tickLength, TICK, 1);
                    c.text(t.label(), x, bottom + tickLength + tickGap + digit, tickFont, Canvas.Anchor.MIDDLE,
                            TICK_LABEL);
                }
            }
            double plotMiddle = (left + right) / 2;
            if (!title.isEmpty()) {
                c.text(fit(title, titleFont, width - 2 * pad), Math.clamp(plotMiddle, width / 3.0, width * 2 / 3.0),
                        pad + TextMetrics.digitHeight(titleFont), titleFont, Canvas.Anchor.MIDDLE, TITLE);
            }
            if (!xLabel.isEmpty()) {
                double baseline = bottom + tickLength + tickGap + TextMetrics.digitHeight(tickFont)
                        + 0.25 * tickFont.getSize2D() + 8 * s + TextMetrics.digitHeight(labelFont);
                c.text(fit(xLabel, labelFont, right - left), plotMiddle, baseline, labelFont, Canvas.Anchor.MIDDLE,
                        LABEL);
            }
            if (!yLabel.isEmpty()) {
                c.verticalText(fit(yLabel, labelFont, bottom - top), pad + TextMetrics.digitHeight(labelFont) * 1.05,
                        (top + bottom) / 2, labelFont, LABEL);
            }
        }

        /** The series' finite stretches in pixels ({@code run[0]} xs, {@code run[1]} ys), thinned per pixel column. */
        private List<double[][]> runs(Series ser) {
            List<double[][]> runs = new ArrayList<>();
            int n = ser.x.length;
            int i = 0;
            while (i < n) {
                while (i < n && !ser.finiteAt(i)) {
                    i++;
                }
                int start = i;
                while (i < n && ser.finiteAt(i)) {
                    i++;
                }
                if (i > start) {
                    runs.add(PixelPath.thin(ser.x, ser.y, start, i, this::px, this::py));
                }
            }
            return runs;
        }

        private void drawLegend(Canvas c, List<List<double[][]>> runs) {
            double sample = 24 * s;
            double gap = 8 * s;
            double padX = 10 * s;
            double padY = 7 * s;
            double row = TextMetrics.lineHeight(legendFont) * 1.2;
            double maxName = Math.max(60 * s, (right - left) * 0.45 - sample - gap - 2 * padX);
            List<String> names = new ArrayList<>();
            double widest = 0;
            for (Series ser : series) {
                String name = shortName(ser.name) + (finitePoints(ser) == 0 ? " (no data)" : "");
                name = fit(name, legendFont, maxName);
                names.add(name);
                widest = Math.max(widest, TextMetrics.width(name, legendFont));
            }
            double boxWidth = 2 * padX + sample + gap + widest;
            double boxHeight = 2 * padY + row * names.size();
            double inset = 10 * s;
            double[][] corners = {
                {right - inset - boxWidth, top + inset},               // top right
                {left + inset, top + inset},                           // top left
                {right - inset - boxWidth, bottom - inset - boxHeight}, // bottom right
                {left + inset, bottom - inset - boxHeight},            // bottom left
            };
            double[] best = corners[0];
            long fewest = Long.MAX_VALUE;
            for (double[] corner : corners) {
                long crossings = crossings(runs, new Rectangle2D.Double(corner[0] - 4 * s, corner[1] - 4 * s,
                        boxWidth + 8 * s, boxHeight + 8 * s));
                if (crossings < fewest) {
                    fewest = crossings;
                    best = corner;
                }
            }
            double x = snap(best[0]);
            double y = snap(best[1]);
            c.box(x, y, boxWidth, boxHeight, 4 * s, LEGEND_FILL, LEGEND_EDGE, 1);
            double digit = TextMetrics.digitHeight(legendFont);
            for (int k = 0; k < names.size(); k++) {
                double middle = y + padY + row * (k + 0.5);
                Color color = PALETTE[k % PALETTE.length];
                float[] dash = k < PALETTE.length ? null : new float[] {(float) (6 * s), (float) (4 * s)};
                c.polyline(new double[] {x + padX, x + padX + sample}, new double[] {middle, middle}, 2, color,
                        lineWidth * 1.15, dash);
                c.text(names.get(k), x + padX + sample + gap, middle + digit / 2, legendFont, Canvas.Anchor.START,
                        LABEL);
            }
        }

        private static long crossings(List<List<double[][]>> runs, Rectangle2D box) {
            long count = 0;
            for (List<double[][]> seriesRuns : runs) {
                for (double[][] run : seriesRuns) {
                    double[] xs = run[0];
                    double[] ys = run[1];
                    if (xs.length == 1 && box.contains(xs[0], ys[0])) {
                        count++;
                    }
                    for (int i = 1; i < xs.length; i++) {
                        if (box.intersectsLine(xs[i - 1], ys[i - 1], xs[i], ys[i])) {
                            count++;
                        }
                    }
                }
            }
            return count;
        }

        private double snap(double v) {
            return Math.floor(v) + 0.5;
        }
    }

    private static int finitePoints(Series s) {
        int n = 0;
        for (int i = 0; i < s.x.length; i++) {
            if (s.finiteAt(i)) {
                n++;
            }
        }
        return n;
    }

    private static String shortName(String name) {
        return name.codePointCount(0, name.length()) <= MAX_NAME_CHARS ? name
                : name.substring(0, name.offsetByCodePoints(0, MAX_NAME_CHARS - 1)) + "…";
    }
}
