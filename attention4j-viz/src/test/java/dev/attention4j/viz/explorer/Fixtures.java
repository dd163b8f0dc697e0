package dev.attention4j.viz.explorer;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Attention maps that look like a trained model's, from a seed: heads that attend the previous token, the token
 * itself, the first token ([CLS]), a window around the diagonal, or spread out; and a roughly monotone alignment for
 * cross-attention. Rows are softmaxes of scores, so they sum to 1.
 */
final class Fixtures {

    private Fixtures() {
    }

    /** {@code [layer][head]} row-major {@code (n, n)}. */
    static float[][][] selfAttention(int layers, int heads, int n, long seed) {
        Random random = new Random(seed);
        float[][][] w = new float[layers][heads][];
        for (int l = 0; l < layers; l++) {
            for (int h = 0; h < heads; h++) {
                int pattern = (l + h) % 5;
                w[l][h] = softmaxRows(n, n, (i, j) -> switch (pattern) {
                    case 0 -> j == Math.max(0, i - 1) ? 6.0 : 0.0;
                    case 1 -> j == i ? 5.0 : 0.0;
                    case 2 -> j == 0 ? 4.0 : 0.0;
                    case 3 -> -Math.abs(i - j) * 0.8;
                    default -> 0.0;
                }, 1.5, random);
            }
        }
        return w;
    }

    /** {@code [layer][head]} row-major {@code (tgtLen, srcLen)}, strongest near the diagonal scaled to the lengths. */
    static float[][][] crossAttention(int layers, int heads, int srcLen, int tgtLen, long seed) {
        Random random = new Random(seed);
        float[][][] w = new float[layers][heads][];
        for (int l = 0; l < layers; l++) {
            for (int h = 0; h < heads; h++) {
                double sharp = 1.0 + h + l;
                w[l][h] = softmaxRows(tgtLen, srcLen,
                        (i, j) -> -sharp * Math.abs(j - (i + 0.5) * srcLen / tgtLen + 0.5), 1.0, random);
            }
        }
        return w;
    }

    /** Token strings "t0", "t1", ... */
    static List<String> tokens(int n) {
        List<String> tokens = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            tokens.add("t" + i);
        }
        return tokens;
    }

    interface Score {
        double at(int row, int col);
    }

    private static float[] softmaxRows(int rows, int cols, Score score, double noise, Random random) {
        float[] out = new float[rows * cols];
        double[] s = new double[cols];
        for (int i = 0; i < rows; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < cols; j++) {
                s[j] = score.at(i, j) + noise * random.nextGaussian();
                max = Math.max(max, s[j]);
            }
            double sum = 0;
            for (int j = 0; j < cols; j++) {
                s[j] = Math.exp(s[j] - max);
                sum += s[j];
            }
            for (int j = 0; j < cols; j++) {
                out[i * cols + j] = (float) (s[j] / sum);
            }
        }
        return out;
    }
}
