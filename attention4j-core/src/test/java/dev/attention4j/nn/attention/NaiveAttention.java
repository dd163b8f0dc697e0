package dev.attention4j.nn.attention;

/**
 * An independent oracle: attention written from the formula in double precision, with the mask given as a
 * per-element predicate, sharing no code with the library.
 */
final class NaiveAttention {

    /** Whether (b, h, i, j) is kept, and what is added to its score. */
    interface MaskFn {
        boolean keep(int b, int h, int i, int j);

        default double add(int b, int h, int i, int j) {
            return 0;
        }
    }

    record Result(double[] output, double[] weights) {
    }

    private NaiveAttention() {
    }

    /** q (B,H,L,E), k (B,H,S,E), v (B,H,S,Ev), contiguous. */
    static Result attend(float[] q, float[] k, float[] v, int batch, int heads, int tgtLen, int srcLen, int e, int ev,
                         double scale, MaskFn mask) {
        double[] out = new double[batch * heads * tgtLen * ev];
        double[] w = new double[batch * heads * tgtLen * srcLen];
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < heads; h++) {
                int bh = b * heads + h;
                for (int i = 0; i < tgtLen; i++) {
                    double[] s = new double[srcLen];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < srcLen; j++) {
                        if (!mask.keep(b, h, i, j)) {
                            s[j] = Double.NEGATIVE_INFINITY;
                            continue;
                        }
                        double dot = 0;
                        for (int d = 0; d < e; d++) {
                            dot += (double) q[(bh * tgtLen + i) * e + d] * k[(bh * srcLen + j) * e + d];
                        }
                        s[j] = dot * scale + mask.add(b, h, i, j);
                        max = Math.max(max, s[j]);
                    }
                    if (max == Double.NEGATIVE_INFINITY) {
                        continue; // fully masked: zeros
                    }
                    double sum = 0;
                    for (int j = 0; j < srcLen; j++) {
                        s[j] = s[j] == Double.NEGATIVE_INFINITY ? 0 : Math.exp(s[j] - max);
                        sum += s[j];
                    }
                    for (int j = 0; j < srcLen; j++) {
                        double p = s[j] / sum;
                        w[(bh * tgtLen + i) * srcLen + j] = p;
                        for (int d = 0; d < ev; d++) {
                            out[(bh * tgtLen + i) * ev + d] += p * v[(bh * srcLen + j) * ev + d];
                        }
                    }
                }
            }
        }
        return new Result(out, w);
    }
}
