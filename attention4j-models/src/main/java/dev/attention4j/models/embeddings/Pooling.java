package dev.attention4j.models.embeddings;

import dev.attention4j.tensor.Shapes;
import dev.attention4j.tensor.Tensor;

/** How per-token hidden states become one vector per sequence, as sentence-transformers' Pooling module. */
public enum Pooling {
    /**
     * The mean over the real tokens (padding excluded): {@code sum_t mask[t] h[t] / sum_t mask[t]}. all-MiniLM,
     * e5 and most sentence-transformers models.
     */
    MEAN,
    /** The first token's state ({@code [CLS]}). The bge models. */
    CLS;

    /**
     * @param hidden {@code (batchSize, seqLen, hiddenSize)}, as {@link TokenEncoder#encode} returns
     * @param batch  the batch it was computed from (its padding mask)
     * @return {@code (batchSize, hiddenSize)}
     */
    public Tensor apply(Tensor hidden, TokenBatch batch) {
        Shapes.requireDims("hidden", hidden, "(batchSize, seqLen, hiddenSize)", batch.batchSize(), batch.seqLen(),
                -1);
        int batchSize = batch.batchSize();
        int seqLen = batch.seqLen();
        int hiddenSize = hidden.dim(2);
        float[] h = hidden.data();                     // (batchSize, seqLen, hiddenSize)
        Tensor pooled = Tensor.zeros(batchSize, hiddenSize);
        float[] out = pooled.data();                   // (batchSize, hiddenSize)
        for (int b = 0; b < batchSize; b++) {
            int row = b * hiddenSize;
            switch (this) {
                case CLS -> System.arraycopy(h, b * seqLen * hiddenSize, out, row, hiddenSize);
                case MEAN -> {
                    double[] sum = new double[hiddenSize];
                    int count = 0;
                    for (int t = 0; t < seqLen; t++) {
                        if (batch.isReal(b, t)) {
                            int at = (b * seqLen + t) * hiddenSize;
                            for (int i = 0; i < hiddenSize; i++) {
                                sum[i] += h[at + i];
                            }
                            count++;
                        }
                    }
                    for (int i = 0; i < hiddenSize; i++) {
                        out[row + i] = (float) (sum[i] / count);
                    }
                }
            }
        }
        return pooled;
    }
}
