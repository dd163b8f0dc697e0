package dev.attention4j.inspect;

import dev.attention4j.nn.attention.AttentionMap;
import dev.attention4j.nn.attention.AttentionSite;
import dev.attention4j.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Attention rollout (Abnar and Zuidema, "Quantifying Attention Flow in Transformers", 2020): how much each input
 * token contributes to each position after {@code l} layers, following attention through the residual connections.
 * Per layer, {@code A = mean over heads of W}, then {@code Â = rownorm(A + I)} (the identity stands for the residual
 * path; for rows of {@code A} summing to 1 this is {@code 0.5 A + 0.5 I}), and {@code R_l = Â_l R_(l-1)},
 * {@code R_0 = I}. Every row of {@code R_l} sums to 1.
 *
 * <p>Works on the self-attention maps of consecutive layers of one stack, each {@code (batchSize, heads, seqLen,
 * seqLen)}; the mean is over the heads the maps hold (record every head for the paper's rollout).
 */
public final class AttentionRollout {

    private AttentionRollout() {
    }

    /**
     * The rollout after each layer.
     *
     * @param layers the self-attention maps of layers {@code 0, 1, ...} of one stack, in order, of one shape
     * @return {@code R_1, ..., R_L}, each {@code (batchSize, seqLen, seqLen)}: {@code R_l[b, i, j]} is how much
     *         input token {@code j} flows into position {@code i} after layer {@code l}
     */
    public static List<Tensor> perLayer(List<AttentionMap> layers) {
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("layers: expected at least one self-attention map but got none");
        }
        AttentionMap first = layers.get(0);
        int batchSize = first.batchSize();
        int seqLen = first.tgtLen();
        for (int l = 0; l < layers.size(); l++) {
            AttentionMap m = layers.get(l);
            AttentionSite site = m.site();
            if (m.batchSize() != batchSize || m.tgtLen() != seqLen || m.srcLen() != seqLen) {
                throw new IllegalArgumentException("layers[" + l + "]: expected a self-attention map (" + batchSize
                        + ", heads, " + seqLen + ", " + seqLen + ") like layers[0] but got " + m.weights().shape()
                        + " at " + site);
            }
            if (m.heads().length == 0) {
                throw new IllegalArgumentException("layers[" + l + "]: expected at least one head at " + site);
            }
        }
        List<Tensor> out = new ArrayList<>(layers.size());
        double[] rollout = identity(batchSize, seqLen); // (batchSize, seqLen, seqLen)
        for (AttentionMap m : layers) {
            rollout = multiply(residualAverage(m), rollout, batchSize, seqLen);
            out.add(toTensor(rollout, batchSize, seqLen));
        }
        return List.copyOf(out);
    }

    /** The rollout through every layer given: the last of {@link #perLayer}. */
    public static Tensor of(List<AttentionMap> layers) {
        List<Tensor> all = perLayer(layers);
        return all.get(all.size() - 1);
    }

    /** {@code rownorm(mean_h W_h + I)}, {@code (batchSize, seqLen, seqLen)}. */
    static double[] residualAverage(AttentionMap m) {
        int batchSize = m.batchSize();
        int n = m.tgtLen();
        int heads = m.heads().length;
        float[] w = m.weights().data(); // (batchSize, heads, seqLen, seqLen)
        double[] a = new double[batchSize * n * n];
        for (int b = 0; b < batchSize; b++) {
            for (int i = 0; i < n; i++) {
                int row = (b * n + i) * n;
                for (int k = 0; k < heads; k++) {
                    int src = ((b * heads + k) * n + i) * n;
                    for (int j = 0; j < n; j++) {
                        a[row + j] += w[src + j];
                    }
                }
                double sum = 0;
                for (int j = 0; j < n; j++) {
                    a[row + j] = a[row + j] / heads + (i == j ? 1 : 0);
                    sum += a[row + j];
                }
                for (int j = 0; j < n; j++) {
                    a[row + j] /= sum; // sum >= 1: the identity's 1 plus non-negative weights
                }
            }
        }
        return a;
    }

    private static double[] identity(int batchSize, int n) {
        double[] id = new double[batchSize * n * n];
        for (int b = 0; b < batchSize; b++) {
            for (int i = 0; i < n; i++) {
                id[(b * n + i) * n + i] = 1;
            }
        }
        return id;
    }

    /** {@code x[b] y[b]} for every sequence, {@code (batchSize, n, n)}. */
    private static double[] multiply(double[] x, double[] y, int batchSize, int n) {
        double[] out = new double[batchSize * n * n];
        for (int b = 0; b < batchSize; b++) {
            int base = b * n * n;
            for (int i = 0; i < n; i++) {
                for (int p = 0; p < n; p++) {
                    double xip = x[base + i * n + p];
                    if (xip == 0) {
                        continue;
                    }
                    for (int j = 0; j < n; j++) {
                        out[base + i * n + j] += xip * y[base + p * n + j];
                    }
                }
            }
        }
        return out;
    }

    private static Tensor toTensor(double[] values, int batchSize, int n) {
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) values[i];
        }
        return Tensor.of(f, batchSize, n, n);
    }
}
