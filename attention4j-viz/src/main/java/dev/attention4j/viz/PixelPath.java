package dev.attention4j.viz;

import java.util.Arrays;
import java.util.function.DoubleUnaryOperator;

/**
 * A stretch of data points mapped to pixels and thinned without visible change: of consecutive points that fall in
 * the same half-pixel column only the first, the lowest, the highest and the last are kept (the "M4" reduction), so a
 * 100 000-step noisy curve becomes a few thousand segments with the same envelope.
 */
final class PixelPath {

    /** Columns per pixel: finer than the anti-aliasing can show. */
    private static final double COLUMNS_PER_PIXEL = 2;

    private PixelPath() {
    }

    /** Points {@code from..to-1} (all finite), as {@code {xs, ys}} in pixels. */
    static double[][] thin(double[] x, double[] y, int from, int to, DoubleUnaryOperator px, DoubleUnaryOperator py) {
        double[] outX = new double[Math.min(to - from, 16)];
        double[] outY = new double[outX.length];
        int n = 0;
        int i = from;
        while (i < to) {
            double column = Math.floor(px.applyAsDouble(x[i]) * COLUMNS_PER_PIXEL);
            int first = i;
            int low = i;
            int high = i;
            int j = i + 1;
            while (j < to && Math.floor(px.applyAsDouble(x[j]) * COLUMNS_PER_PIXEL) == column) {
                if (y[j] < y[low]) {
                    low = j;
                }
                if (y[j] > y[high]) {
                    high = j;
                }
                j++;
            }
            int last = j - 1;
            int[] keep = {first, Math.min(low, high), Math.max(low, high), last};
            int previous = -1;
            for (int k : keep) {
                if (k != previous) {
                    if (n == outX.length) {
                        outX = Arrays.copyOf(outX, n * 2);
                        outY = Arrays.copyOf(outY, n * 2);
                    }
                    outX[n] = px.applyAsDouble(x[k]);
                    outY[n] = py.applyAsDouble(y[k]);
                    n++;
                    previous = k;
                }
            }
            i = j;
        }
        return new double[][] {Arrays.copyOf(outX, n), Arrays.copyOf(outY, n)};
    }
}
