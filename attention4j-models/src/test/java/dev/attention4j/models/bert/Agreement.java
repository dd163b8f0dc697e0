package dev.attention4j.models.bert;

import dev.attention4j.models.embeddings.TokenBatch;
import dev.attention4j.tensor.Tensor;

/** How closely two arrays of numbers agree: cosine similarity and largest absolute difference. */
public record Agreement(double cosine, double maxAbsError) {

    /** Of {@code actual} (flattened) against {@code expected} (flattened the same way). */
    public static Agreement of(float[] actual, float[] expected) {
        if (actual.length != expected.length) {
            throw new IllegalArgumentException("lengths differ: " + actual.length + " vs " + expected.length);
        }
        double dot = 0;
        double aa = 0;
        double ee = 0;
        double max = 0;
        for (int i = 0; i < actual.length; i++) {
            dot += (double) actual[i] * expected[i];
            aa += (double) actual[i] * actual[i];
            ee += (double) expected[i] * expected[i];
            double d = Math.abs((double) actual[i] - expected[i]);
            max = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(max, d);
        }
        return new Agreement(dot / Math.sqrt(aa * ee), max);
    }

    /** Worst-case agreement row by row: the lowest cosine and the largest error over the rows of {@code (n, dim)}. */
    static Agreement rowwise(Tensor actual, float[][] expected) {
        int dim = actual.dim(actual.rank() - 1);
        double cosine = 1;
        double max = 0;
        for (int r = 0; r < expected.length; r++) {
            float[] row = new float[dim];
            System.arraycopy(actual.data(), r * dim, row, 0, dim);
            Agreement a = of(row, expected[r]);
            cosine = Math.min(cosine, a.cosine);
            max = Math.max(max, a.maxAbsError);
        }
        return new Agreement(cosine, max);
    }

    /** Over the real tokens of {@code batch} only: {@code actual (batchSize, seqLen, dim)}, padding left out. */
    static Agreement realTokens(Tensor actual, float[][][] expected, TokenBatch batch) {
        int dim = actual.dim(2);
        int real = 0;
        for (int b = 0; b < batch.batchSize(); b++) {
            real += batch.length(b);
        }
        float[] a = new float[real * dim];
        float[] e = new float[real * dim];
        int at = 0;
        for (int b = 0; b < batch.batchSize(); b++) {
            for (int t = 0; t < batch.length(b); t++) {
                System.arraycopy(actual.data(), (b * batch.seqLen() + t) * dim, a, at, dim);
                System.arraycopy(expected[b][t], 0, e, at, dim);
                at += dim;
            }
        }
        return of(a, e);
    }

    static float[] flatten(float[][][] x) {
        int n = 0;
        for (float[][] plane : x) {
            for (float[] row : plane) {
                n += row.length;
            }
        }
        float[] out = new float[n];
        int at = 0;
        for (float[][] plane : x) {
            for (float[] row : plane) {
                System.arraycopy(row, 0, out, at, row.length);
                at += row.length;
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return String.format("1 - cosine %.2g, max abs error %.3g", 1 - cosine, maxAbsError);
    }
}
