package dev.attention4j.bench;

import java.util.Arrays;

/** The few statistics the side-by-side benchmarks report. */
final class Statistics {

    private Statistics() {
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    static double min(double[] values) {
        return Arrays.stream(values).min().orElseThrow();
    }

    static double max(double[] values) {
        return Arrays.stream(values).max().orElseThrow();
    }

    /** The {@code q}-quantile ({@code 0 <= q <= 1}) of {@code values}, nearest rank. */
    static int quantile(int[] values, double q) {
        int[] sorted = values.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    /** The smallest cosine similarity between rows {@code a[r]} and {@code b[r]}, over all rows. */
    static double worstCosine(float[][] a, float[][] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("expected as many rows in both but got " + a.length + " and "
                    + b.length);
        }
        double worst = 1;
        for (int r = 0; r < a.length; r++) {
            double dot = 0;
            double aa = 0;
            double bb = 0;
            for (int i = 0; i < a[r].length; i++) {
                dot += (double) a[r][i] * b[r][i];
                aa += (double) a[r][i] * a[r][i];
                bb += (double) b[r][i] * b[r][i];
            }
            worst = Math.min(worst, dot / Math.sqrt(aa * bb));
        }
        return worst;
    }
}
