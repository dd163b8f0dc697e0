package dev.attention4j.nn.attention;

import dev.attention4j.tensor.Tensor;

/** The mean of per-head weights over heads, as PyTorch's {@code average_attn_weights=True}. */
final class HeadAverage {

    private HeadAverage() {
    }

    /** {@code perHead (batchSize, numHeads, tgtLen, srcLen)} -> {@code (batchSize, tgtLen, srcLen)}. */
    static Tensor of(float[] perHead, int batchSize, int numHeads, int tgtLen, int srcLen) {
        Tensor avg = Tensor.zeros(batchSize, tgtLen, srcLen);
        float[] a = avg.data();
        int block = tgtLen * srcLen;
        for (int b = 0; b < batchSize; b++) {
            for (int h = 0; h < numHeads; h++) {
                int src = (b * numHeads + h) * block;
                for (int i = 0; i < block; i++) {
                    a[b * block + i] += perHead[src + i];
                }
            }
            for (int i = 0; i < block; i++) {
                a[b * block + i] /= numHeads;
            }
        }
        return avg;
    }
}
