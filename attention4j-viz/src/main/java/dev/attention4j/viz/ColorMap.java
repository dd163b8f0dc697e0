package dev.attention4j.viz;

import java.awt.Color;

/**
 * Sequential colour maps from {@code t = 0} (lowest value) to {@code t = 1} (highest), interpolated linearly in sRGB
 * between control points.
 */
public enum ColorMap {

    /**
     * Matplotlib's viridis: perceptually uniform, readable in grey and by the colour-blind. The control points are
     * viridis' published colours at {@code t = i/9} (dark purple {@code #440154} to yellow {@code #fde725}).
     */
    VIRIDIS(0x440154, 0x482878, 0x3e4a89, 0x31688e, 0x26828e, 0x1f9e89, 0x35b779, 0x6dcd59, 0xb4de2c, 0xfde725),

    /** White to dark blue: prints well and keeps near-zero weights out of sight. */
    BLUES(0xffffff, 0xc6dbef, 0x6baed6, 0x2171b5, 0x08306b);

    private final int[] points;

    ColorMap(int... points) {
        this.points = points;
    }

    /** The colour at {@code t}, clamped to {@code [0, 1]} (NaN counts as 0), as {@code 0xRRGGBB}. */
    public int rgb(double t) {
        double x = (t > 0 ? Math.min(t, 1) : 0) * (points.length - 1);
        int i = Math.min((int) x, points.length - 2);
        double f = x - i;
        int a = points[i];
        int b = points[i + 1];
        return channel(a >> 16, b >> 16, f) << 16 | channel(a >> 8, b >> 8, f) << 8 | channel(a, b, f);
    }

    public Color color(double t) {
        return new Color(rgb(t));
    }

    /** The colour of {@code t = 0}. */
    public int bottom() {
        return points[0];
    }

    /** The colour of {@code t = 1}. */
    public int top() {
        return points[points.length - 1];
    }

    private static int channel(int a, int b, double f) {
        return (int) Math.round((a & 0xff) + ((b & 0xff) - (a & 0xff)) * f);
    }
}
