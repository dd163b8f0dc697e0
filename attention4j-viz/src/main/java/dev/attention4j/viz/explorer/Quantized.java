package dev.attention4j.viz.explorer;

/**
 * Attention weights as one byte each on a square-root scale: {@code q = round(255 * sqrt(w))}, {@code w = (q/255)^2}.
 * The page decodes with the same table.
 */
final class Quantized {

    private static final float[] DECODE = new float[256];

    static {
        for (int q = 0; q < 256; q++) {
            DECODE[q] = (float) ((q / 255.0) * (q / 255.0));
        }
    }

    private Quantized() {
    }

    /** {@code weights[layer][head]}, each {@code queryLen * keyLen} long (already validated), as one byte array. */
    static byte[] encode(float[][][] weights, int queryLen, int keyLen) {
        int size = queryLen * keyLen;
        byte[] out = new byte[weights.length * weights[0].length * size];
        int at = 0;
        for (float[][] layer : weights) {
            for (float[] head : layer) {
                for (int i = 0; i < size; i++) {
                    out[at++] = (byte) encode(head[i]);
                }
            }
        }
        return out;
    }

    static int encode(float w) {
        return (int) Math.round(255.0 * Math.sqrt(Math.min(1.0, Math.max(0.0, w))));
    }

    static float decode(byte q) {
        return DECODE[q & 0xff];
    }
}
