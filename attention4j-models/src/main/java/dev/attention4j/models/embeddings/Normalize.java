package dev.attention4j.models.embeddings;

import dev.attention4j.tensor.Shapes;
import dev.attention4j.tensor.Tensor;

/** What is done to each pooled vector last, as sentence-transformers' Normalize module (or its absence). */
public enum Normalize {
    /** Leave the vector as pooled. */
    NONE,
    /**
     * Scale to unit Euclidean length, {@code x / max(|x|, 1e-12)} as {@code torch.nn.functional.normalize}, so that a
     * dot product is the cosine similarity.
     */
    L2;

    private static final double EPS = 1e-12;

    /** {@code (batchSize, dim) -> (batchSize, dim)}, as a new tensor. */
    public Tensor apply(Tensor vectors) {
        Shapes.requireRank("vectors", vectors, 2, "(batchSize, dim)");
        Tensor out = vectors.copy();
        if (this == NONE) {
            return out;
        }
        int dim = vectors.dim(1);
        float[] v = out.data();                        // (batchSize, dim)
        for (int row = 0; row < v.length; row += dim) {
            double squares = 0;
            for (int i = 0; i < dim; i++) {
                squares += (double) v[row + i] * v[row + i];
            }
            double scale = 1 / Math.max(Math.sqrt(squares), EPS);
            for (int i = 0; i < dim; i++) {
                v[row + i] = (float) (v[row + i] * scale);
            }
        }
        return out;
    }
}
