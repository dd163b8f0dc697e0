package dev.attention4j.viz;

import java.awt.Font;
import java.awt.font.FontRenderContext;

/**
 * Text sizes for layout, measured with AWT's fonts (no display needed), shared by the PNG and the SVG renderers so
 * both get the same layout. The SVG names the same family first, so viewers with DejaVu Sans match exactly and others
 * come close.
 */
final class TextMetrics {

    static {
        Headless.ensure();
    }

    /** The logical family AWT maps to the platform's sans-serif face (DejaVu Sans on most Linux systems). */
    static final String FAMILY = Font.SANS_SERIF;
    /** The SVG font list: the face AWT measured with first, then common fallbacks of similar width. */
    static final String SVG_FAMILY = "'DejaVu Sans', Verdana, 'Bitstream Vera Sans', Arial, Helvetica, sans-serif";
    /** The same, with CJK faces before the generic family, for text in any script (viewers fall back per glyph). */
    static final String SVG_FAMILY_CJK = "'DejaVu Sans', Verdana, Arial, 'Noto Sans CJK SC', 'Source Han Sans SC', "
            + "'WenQuanYi Micro Hei', 'Microsoft YaHei', 'PingFang SC', 'Hiragino Sans GB', sans-serif";

    private static final FontRenderContext CONTEXT = new FontRenderContext(null, true, true);

    private TextMetrics() {
    }

    static Font font(double size, int style) {
        return font(FAMILY, size, style);
    }

    static Font font(String family, double size, int style) {
        return new Font(family, style, 1).deriveFont(style, (float) size);
    }

    static double width(String text, Font font) {
        return text.isEmpty() ? 0 : font.getStringBounds(text, CONTEXT).getWidth();
    }

    /** Height of a digit above the baseline: what centres a number on a tick vertically. */
    static double digitHeight(Font font) {
        return font.createGlyphVector(CONTEXT, "0").getVisualBounds().getHeight();
    }

    /** Baseline-to-baseline distance. */
    static double lineHeight(Font font) {
        return font.getLineMetrics("Mg", CONTEXT).getHeight();
    }

    /** {@code text}, cut with an ellipsis if it is wider than {@code maxWidth}. */
    static String fit(String text, Font font, double maxWidth) {
        if (width(text, font) <= maxWidth) {
            return text;
        }
        int end = text.length();
        while (end > 1 && width(text.substring(0, end) + "…", font) > maxWidth) {
            end = text.offsetByCodePoints(end, -1);
        }
        return text.substring(0, end) + "…";
    }
}
