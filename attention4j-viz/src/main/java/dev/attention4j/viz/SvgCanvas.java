package dev.attention4j.viz;

import java.awt.Color;
import java.awt.Font;
import java.util.Locale;
import java.util.function.IntFunction;

/** Writes the drawing operations as SVG 1.1 elements; {@link #finish()} returns the document. */
final class SvgCanvas implements Canvas {

    private static final String HATCH_ID = "masked";

    private final StringBuilder svg = new StringBuilder(1 << 14);
    private int clips;
    private boolean clipped;
    private boolean hatchDefined;

    SvgCanvas(int width, int height, String title) {
        this(width, height, title, TextMetrics.SVG_FAMILY);
    }

    /** A document whose text uses {@code fontFamily}, a CSS font-family list. */
    SvgCanvas(int width, int height, String title, String fontFamily) {
        svg.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
                .append("<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"").append(width)
                .append("\" height=\"").append(height).append("\" viewBox=\"0 0 ").append(width).append(' ')
                .append(height).append("\" font-family=\"").append(escape(fontFamily)).append("\">\n");
        if (!title.isEmpty()) {
            svg.append("<title>").append(escape(title)).append("</title>\n");
        }
    }

    /** The finished document. */
    String finish() {
        unclip();
        return svg.append("</svg>\n").toString();
    }

    @Override
    public void fillRect(double x, double y, double width, double height, Color fill) {
        svg.append("<rect x=\"").append(num(x)).append("\" y=\"").append(num(y)).append("\" width=\"")
                .append(num(width)).append("\" height=\"").append(num(height)).append('"');
        paint("fill", fill);
        svg.append("/>\n");
    }

    @Override
    public void box(double x, double y, double width, double height, double radius, Color fill, Color stroke,
                    double strokeWidth) {
        svg.append("<rect x=\"").append(num(x)).append("\" y=\"").append(num(y)).append("\" width=\"")
                .append(num(width)).append("\" height=\"").append(num(height)).append("\" rx=\"").append(num(radius))
                .append('"');
        paint("fill", fill);
        paint("stroke", stroke);
        svg.append(" stroke-width=\"").append(num(strokeWidth)).append("\"/>\n");
    }

    @Override
    public void line(double x1, double y1, double x2, double y2, Color color, double width) {
        svg.append("<line x1=\"").append(num(x1)).append("\" y1=\"").append(num(y1)).append("\" x2=\"")
                .append(num(x2)).append("\" y2=\"").append(num(y2)).append('"');
        paint("stroke", color);
        svg.append(" stroke-width=\"").append(num(width)).append("\"/>\n");
    }

    @Override
    public void polyline(double[] xs, double[] ys, int n, Color color, double width, float[] dash) {
        svg.append("<polyline fill=\"none\"");
        paint("stroke", color);
        svg.append(" stroke-width=\"").append(num(width))
                .append("\" stroke-linejoin=\"round\" stroke-linecap=\"round\"");
        if (dash != null) {
            svg.append(" stroke-dasharray=\"");
            for (int i = 0; i < dash.length; i++) {
                svg.append(i == 0 ? "" : " ").append(num(dash[i]));
            }
            svg.append('"');
        }
        svg.append(" points=\"");
        for (int i = 0; i < n; i++) {
            svg.append(i == 0 ? "" : " ").append(num(xs[i])).append(',').append(num(ys[i]));
        }
        svg.append("\"/>\n");
    }

    @Override
    public void dot(double cx, double cy, double radius, Color color) {
        svg.append("<circle cx=\"").append(num(cx)).append("\" cy=\"").append(num(cy)).append("\" r=\"")
                .append(num(radius)).append('"');
        paint("fill", color);
        svg.append("/>\n");
    }

    @Override
    public void text(String text, double x, double y, Font font, Anchor anchor, Color color) {
        svg.append("<text x=\"").append(num(x)).append("\" y=\"").append(num(y)).append('"');
        textAttributes(font, anchor, color);
        svg.append('>').append(escape(text)).append("</text>\n");
    }

    @Override
    public void verticalText(String text, double x, double y, Font font, Anchor anchor, Color color) {
        svg.append("<text x=\"").append(num(x)).append("\" y=\"").append(num(y)).append("\" transform=\"rotate(-90 ")
                .append(num(x)).append(' ').append(num(y)).append(")\"");
        textAttributes(font, anchor, color);
        svg.append('>').append(escape(text)).append("</text>\n");
    }

    /**
     * One {@code <rect>} per cell inside {@code <g class="cells">}, each with a {@code <title>} child when
     * {@code tooltip} is given; hatched cells are filled with a pattern defined once per document.
     */
    @Override
    public void cells(int x, int y, int cellSize, int rows, int columns, int[] rgb, boolean[] hatched,
                      IntFunction<String> tooltip, String name) {
        unclip();
        if (hatched != null && !hatchDefined) {
            for (boolean h : hatched) {
                if (h) {
                    defineHatch();
                    break;
                }
            }
        }
        svg.append("<g class=\"cells\" data-rows=\"").append(rows).append("\" data-columns=\"").append(columns)
                .append('"');
        if (!name.isEmpty()) {
            svg.append(" aria-label=\"").append(escape(name)).append('"');
        }
        svg.append(" shape-rendering=\"crispEdges\">\n");
        String size = Integer.toString(cellSize);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                int i = r * columns + c;
                svg.append("<rect x=\"").append(x + c * cellSize).append("\" y=\"").append(y + r * cellSize)
                        .append("\" width=\"").append(size).append("\" height=\"").append(size).append('"');
                if (hatched != null && hatched[i]) {
                    svg.append(" fill=\"url(#").append(HATCH_ID).append(")\"");
                } else {
                    paint("fill", new Color(rgb[i]));
                }
                String tip = tooltip == null ? null : tooltip.apply(i);
                if (tip == null) {
                    svg.append("/>\n");
                } else {
                    svg.append("><title>").append(escape(tip)).append("</title></rect>\n");
                }
            }
        }
        svg.append("</g>\n");
    }

    private void defineHatch() {
        String period = Integer.toString(HATCH_PERIOD);
        svg.append("<defs><pattern id=\"").append(HATCH_ID).append("\" width=\"").append(period)
                .append("\" height=\"").append(period)
                .append("\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect width=\"")
                .append(period).append("\" height=\"").append(period).append('"');
        paint("fill", HATCH_FILL);
        svg.append("/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"").append(period).append('"');
        paint("stroke", HATCH_LINE);
        svg.append(" stroke-width=\"1.5\"/></pattern></defs>\n");
        hatchDefined = true;
    }

    @Override
    public void clip(double x, double y, double width, double height) {
        unclip();
        String id = "clip" + (++clips);
        svg.append("<clipPath id=\"").append(id).append("\"><rect x=\"").append(num(x)).append("\" y=\"")
                .append(num(y)).append("\" width=\"").append(num(width)).append("\" height=\"").append(num(height))
                .append("\"/></clipPath>\n<g clip-path=\"url(#").append(id).append(")\">\n");
        clipped = true;
    }

    @Override
    public void unclip() {
        if (clipped) {
            svg.append("</g>\n");
            clipped = false;
        }
    }

    private void textAttributes(Font font, Anchor anchor, Color color) {
        svg.append(" font-size=\"").append(num(font.getSize2D())).append('"');
        if (font.isBold()) {
            svg.append(" font-weight=\"bold\"");
        }
        if (anchor != Anchor.START) {
            svg.append(" text-anchor=\"").append(anchor == Anchor.MIDDLE ? "middle" : "end").append('"');
        }
        paint("fill", color);
    }

    private void paint(String attribute, Color color) {
        svg.append(' ').append(attribute).append("=\"")
                .append(String.format(Locale.ROOT, "#%02x%02x%02x", color.getRed(), color.getGreen(), color.getBlue()))
                .append('"');
        if (color.getAlpha() < 255) {
            svg.append(' ').append(attribute).append("-opacity=\"").append(num(color.getAlpha() / 255.0)).append('"');
        }
    }

    /** At most two decimals, no trailing zeros, never exponent notation or a locale's comma. */
    static String num(double v) {
        long hundredths = Math.round(v * 100);
        if (hundredths % 100 == 0) {
            return Long.toString(hundredths / 100);
        }
        String s = String.format(Locale.ROOT, "%.2f", hundredths / 100.0);
        return s.endsWith("0") ? s.substring(0, s.length() - 1) : s;
    }

    /**
     * Text as XML character data or an attribute value: markup characters escaped, and characters XML 1.0 forbids
     * (most C0 controls, unpaired surrogates, U+FFFE/U+FFFF) replaced by U+FFFD.
     */
    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            switch (cp) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&apos;");
                default -> {
                    boolean allowed = cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF)
                            || (cp >= 0xE000 && cp <= 0xFFFD) || cp >= 0x10000;
                    out.appendCodePoint(allowed ? cp : 0xFFFD);
                }
            }
        }
        return out.toString();
    }
}
