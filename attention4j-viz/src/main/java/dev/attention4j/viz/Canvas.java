package dev.attention4j.viz;

import java.awt.Color;
import java.awt.Font;

/**
 * The few drawing operations the charts use, so one layout renders to a PNG ({@link ImageCanvas}) and to an SVG
 * ({@link SvgCanvas}) alike. Coordinates are pixels from the top-left corner; text is placed by its baseline.
 */
interface Canvas {

    /** Where a text's anchor point sits along its baseline. */
    enum Anchor { START, MIDDLE, END }

    void fillRect(double x, double y, double width, double height, Color fill);

    /** A rounded rectangle, filled and outlined with a {@code strokeWidth} line. */
    void box(double x, double y, double width, double height, double radius, Color fill, Color stroke,
             double strokeWidth);

    void line(double x1, double y1, double x2, double y2, Color color, double width);

    /** The first {@code n} points joined by round-jointed segments; {@code dash} is null for a solid line. */
    void polyline(double[] xs, double[] ys, int n, Color color, double width, float[] dash);

    void dot(double cx, double cy, double radius, Color color);

    void text(String text, double x, double y, Font font, Anchor anchor, Color color);

    /** Text rotated a quarter turn counter-clockwise (reading upwards), centred on {@code (x, y)}'s baseline. */
    void verticalText(String text, double x, double y, Font font, Color color);

    /** Restricts drawing to a rectangle until {@link #unclip()}. */
    void clip(double x, double y, double width, double height);

    void unclip();
}
