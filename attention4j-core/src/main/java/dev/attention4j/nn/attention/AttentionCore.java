package dev.attention4j.nn.attention;

import dev.attention4j.kernels.Kernels;
import dev.attention4j.kernels.Parallel;
import dev.attention4j.autograd.DropoutOp;

/**
 * The computation both public entry points share: for every sequence and head,
 * {@code P = softmax(mask(Q K^T * scale))}, {@code P = dropout(P)}, {@code out = P V}. Operands are strided views,
 * so {@link MultiHeadAttention} attends straight on its {@code (batchSize, seqLen, numHeads * headDim)} projections
 * without transposing. Heads run in parallel; each head is computed by the same code whatever the thread count.
 */
final class AttentionCore {

    /**
     * A strided view of a {@code (batchSize, numHeads, len, width)} operand: element {@code (b, h, i, d)} is at
     * {@code offset + b * batchStride + h * headStride + i * rowStride + d}.
     */
    record Operand(float[] data, int offset, int batchStride, int headStride, int rowStride) {

        /** A contiguous {@code (batchSize, numHeads, len, width)} tensor. */
        static Operand headsMajor(float[] data, int numHeads, int len, int width) {
            return new Operand(data, 0, numHeads * len * width, len * width, width);
        }

        /** A contiguous {@code (batchSize, len, numHeads * width)} tensor, head {@code h} in columns {@code h*width..}. */
        static Operand tokensMajor(float[] data, int numHeads, int len, int width) {
            return new Operand(data, 0, len * numHeads * width, width, numHeads * width);
        }

        int at(int b, int h) {
            return offset + b * batchStride + h * headStride;
        }
    }

    /** Dims of one call. {@code srcLen} counts every key; the mask covers the first {@code maskedSrcLen}. */
    record Dims(int batchSize, int numHeads, int tgtLen, int srcLen, int maskedSrcLen, int headDim, int valueHeadDim) {
    }

    private AttentionCore() {
    }

    /**
     * Attends and writes {@code out}; when {@code weights} is non-null also writes the probabilities there as a
     * contiguous {@code (batchSize, numHeads, tgtLen, srcLen)} block. {@code dropoutSeed} is used only when
     * {@code dropout > 0}.
     */
    static void attend(Operand out, float[] weights, Operand query, Operand key, Operand value, Dims dims,
                       float scale, Mask mask, float dropout, long dropoutSeed) {
        Kernels k = Kernels.active();
        int tgtLen = dims.tgtLen();
        int srcLen = dims.srcLen();
        int numHeads = dims.numHeads();
        Parallel.forRange(dims.batchSize() * numHeads, 1, (start, end) -> {
            float[] scores = new float[tgtLen * srcLen]; // (tgtLen, srcLen), one head at a time
            for (int bh = start; bh < end; bh++) {
                int b = bh / numHeads;
                int h = bh % numHeads;
                k.matmulTransB(scores, 0, srcLen, query.data(), query.at(b, h), query.rowStride(),
                        key.data(), key.at(b, h), key.rowStride(), tgtLen, srcLen, dims.headDim());
                k.scale(scores, 0, scores, 0, scale, scores.length);
                for (int i = 0; i < tgtLen; i++) {
                    int row = i * srcLen;
                    MaskShapes.applyToRow(mask, scores, row, b, h, i, tgtLen, dims.maskedSrcLen());
                    k.softmax(scores, row, srcLen);
                    if (dropout > 0f) {
                        DropoutOp.applyInPlace(scores, row, srcLen, ((long) bh * tgtLen + i) * srcLen, dropout,
                                dropoutSeed);
                    }
                }
                k.matmul(out.data(), out.at(b, h), out.rowStride(), scores, 0, srcLen,
                        value.data(), value.at(b, h), value.rowStride(), tgtLen, dims.valueHeadDim(), srcLen);
                if (weights != null) {
                    System.arraycopy(scores, 0, weights, bh * tgtLen * srcLen, scores.length);
                }
            }
        });
    }
}
