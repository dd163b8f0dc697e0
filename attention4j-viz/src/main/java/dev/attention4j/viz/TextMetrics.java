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

    private static final FontRenderContext CONTEXT = new FontRenderContext(null, true, true);

    private TextMetrics() {
    }

    static Font font(double size, int style) {
        return new Font(FAMILY, style, 1).deriveFont(style, (float) size);
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
}
