package dev.attention4j.viz.explorer;

/** Per-head normalised entropy, as {@link ExplorerView#entropy} documents it. */
final class NormalizedEntropy {

    private NormalizedEntropy() {
    }

    /** {@code weights[layer][head]} row-major {@code (queryLen, keyLen)} -> {@code [layer][head]} in [0, 1] or NaN. */
    static float[][] perHead(float[][][] weights, int queryLen, int keyLen) {
        float[][] out = new float[weights.length][];
        for (int layer = 0; layer < weights.length; layer++) {
            out[layer] = new float[weights[layer].length];
            for (int head = 0; head < weights[layer].length; head++) {
                out[layer][head] = (float) ofHead(weights[layer][head], queryLen, keyLen);
            }
        }
        return out;
    }

    static double ofHead(float[] m, int queryLen, int keyLen) {
        double sum = 0;
        int rows = 0;
        for (int row = 0; row < queryLen; row++) {
            int offset = row * keyLen;
            double total = 0;
            int allowed = 0;
            for (int col = 0; col < keyLen; col++) {
                if (m[offset + col] > 0f) {
                    total += m[offset + col];
                    allowed++;
                }
            }
            if (allowed == 0) {
                continue;                       // a fully masked query: no distribution to measure
            }
            rows++;
            if (allowed == 1) {
                continue;                       // one key: entropy 0
            }
            double h = 0;
            for (int col = 0; col < keyLen; col++) {
                double p = m[offset + col] / total;   // renormalised, so float rounding cannot push H past ln(k)
                if (p > 0) {
                    h -= p * Math.log(p);
                }
            }
            sum += Math.min(1.0, h / Math.log(allowed));
        }
        return rows == 0 ? Double.NaN : sum / rows;
    }
}
