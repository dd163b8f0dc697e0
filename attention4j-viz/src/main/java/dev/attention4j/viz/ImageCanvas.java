package dev.attention4j.viz;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.geom.RoundRectangle2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/** Draws on a {@link Graphics2D} (an off-screen image's), anti-aliased, with fractional metrics. */
final class ImageCanvas implements Canvas {

    private final Graphics2D g;

    /** A new {@code width x height} RGB image with {@code drawing} drawn on it. */
    static BufferedImage render(int width, int height, Consumer<Canvas> drawing) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            drawing.accept(new ImageCanvas(g));
        } finally {
            g.dispose();
        }
        return image;
    }

    ImageCanvas(Graphics2D g) {
        this.g = g;
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
    }

    @Override
    public void fillRect(double x, double y, double width, double height, Color fill) {
        g.setColor(fill);
        g.fill(new Rectangle2D.Double(x, y, width, height));
    }

    @Override
    public void box(double x, double y, double width, double height, double radius, Color fill, Color stroke,
                    double strokeWidth) {
        RoundRectangle2D shape = new RoundRectangle2D.Double(x, y, width, height, 2 * radius, 2 * radius);
        g.setColor(fill);
        g.fill(shape);
        g.setColor(stroke);
        g.setStroke(new BasicStroke((float) strokeWidth));
        g.draw(shape);
    }

    @Override
    public void line(double x1, double y1, double x2, double y2, Color color, double width) {
        g.setColor(color);
        g.setStroke(new BasicStroke((float) width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER));
        g.draw(new Line2D.Double(x1, y1, x2, y2));
    }

    @Override
    public void polyline(double[] xs, double[] ys, int n, Color color, double width, float[] dash) {
        Path2D.Double path = new Path2D.Double(Path2D.WIND_NON_ZERO, n);
        path.moveTo(xs[0], ys[0]);
        for (int i = 1; i < n; i++) {
            path.lineTo(xs[i], ys[i]);
        }
        g.setColor(color);
        g.setStroke(new BasicStroke((float) width, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 10f, dash, 0f));
        g.draw(path);
    }

    @Override
    public void dot(double cx, double cy, double radius, Color color) {
        g.setColor(color);
        g.fill(new Ellipse2D.Double(cx - radius, cy - radius, 2 * radius, 2 * radius));
    }

    @Override
    public void text(String text, double x, double y, Font font, Anchor anchor, Color color) {
        double width = TextMetrics.width(text, font);
        double left = switch (anchor) {
            case START -> x;
            case MIDDLE -> x - width / 2;
            case END -> x - width;
        };
        g.setFont(font);
        g.setColor(color);
        g.drawString(text, (float) left, (float) y);
    }

    @Override
    public void verticalText(String text, double x, double y, Font font, Anchor anchor, Color color) {
        AffineTransform saved = g.getTransform();
        g.translate(x, y);
        g.rotate(-Math.PI / 2);
        text(text, 0, 0, font, anchor, color);
        g.setTransform(saved);
    }

    /** Paints the cells pixel by pixel into an image of their own and draws it unscaled: exact colours, no seams. */
    @Override
    public void cells(int x, int y, int cellSize, int rows, int columns, int[] rgb, boolean[] hatched,
                      IntFunction<String> tooltip, String name) {
        int width = columns * cellSize;
        int height = rows * cellSize;
        BufferedImage block = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int[] pixels = ((DataBufferInt) block.getRaster().getDataBuffer()).getData(); // (height, width)
        int hatchFill = HATCH_FILL.getRGB() & 0xffffff;
        int hatchLine = HATCH_LINE.getRGB() & 0xffffff;
        for (int py = 0; py < height; py++) {
            int rowStart = py / cellSize * columns;
            for (int px = 0; px < width; px++) {
                int cell = rowStart + px / cellSize;
                int color = rgb[cell];
                if (hatched != null && hatched[cell]) {
                    // Lines along the anti-diagonal of the whole picture, so neighbouring masked cells join up.
                    color = Math.floorMod(x + px + y + py, HATCH_PERIOD) == 0 ? hatchLine : hatchFill;
                }
                pixels[py * width + px] = color;
            }
        }
        g.drawImage(block, x, y, null);
    }

    @Override
    public void clip(double x, double y, double width, double height) {
        g.setClip(new Rectangle2D.Double(x, y, width, height));
    }

    @Override
    public void unclip() {
        g.setClip(null);
    }
}
