package dev.attention4j.viz;

import java.awt.Color;
import java.awt.Font;
import java.util.function.IntFunction;

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

    /** Fill of a hatched (masked) cell. */
    Color HATCH_FILL = new Color(0xdcdcdc);
    /** The hatching's diagonal lines. */
    Color HATCH_LINE = new Color(0x9b9b9b);
    /** Distance between hatching lines along a row, in pixels. */
    int HATCH_PERIOD = 5;

    /** Text rotated a quarter turn counter-clockwise (reading upwards), centred on {@code (x, y)}'s baseline. */
    default void verticalText(String text, double x, double y, Font font, Color color) {
        verticalText(text, x, y, font, Anchor.MIDDLE, color);
    }

    /**
     * Text rotated a quarter turn counter-clockwise (reading upwards) with its baseline on the vertical line through
     * {@code x}; the anchor is measured along the text, so {@link Anchor#END} ends the text at {@code y}.
     */
    void verticalText(String text, double x, double y, Font font, Anchor anchor, Color color);

    /**
     * A {@code rows x columns} grid of square {@code cellSize}-pixel cells with its top-left corner at {@code (x, y)}
     * (whole pixels, so cells meet without seams). {@code rgb} holds each cell's colour ({@code 0xRRGGBB}),
     * row-major; a cell whose {@code hatched} entry is true (when {@code hatched} is not null) is drawn in
     * {@link #HATCH_FILL} with {@link #HATCH_LINE} diagonals instead. {@code tooltip} (null for none) gives a cell's
     * hover text by its row-major index, where the format has such a thing (SVG); {@code name} labels the group.
     */
    void cells(int x, int y, int cellSize, int rows, int columns, int[] rgb, boolean[] hatched,
               IntFunction<String> tooltip, String name);

    /** Restricts drawing to a rectangle until {@link #unclip()}. */
    void clip(double x, double y, double width, double height);

    void unclip();
}
