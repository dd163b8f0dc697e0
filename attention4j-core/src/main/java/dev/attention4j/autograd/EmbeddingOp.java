package dev.attention4j.autograd;

import dev.attention4j.kernels.Kernels;
import dev.attention4j.tensor.Shape;
import dev.attention4j.tensor.Shapes;
import dev.attention4j.tensor.Tensor;

/**
 * Token lookup: {@code y[b, t] = weight[tokens[b][t]] * scale}. Backward scatter-adds: {@code dweight[id] +=
 * dy[b, t] * scale} for every position holding {@code id}, in token order (so repeated tokens accumulate, in the same
 * order at any thread count).
 */
public final class EmbeddingOp {

    private EmbeddingOp() {
    }

    /**
     * @param tape   where to record the backward pass, or null at inference
     * @param weight {@code (vocabSize, dim)}
     * @param tokens {@code (batchSize, seqLen)}, rectangular, ids in {@code [0, vocabSize)}
     * @param scale  multiplies every looked-up vector ({@code sqrt(modelDim)} in the Transformer, 1 for a lookup)
     * @return {@code (batchSize, seqLen, dim)}
     */
    public static Tensor apply(Tape tape, Tensor weight, int[][] tokens, float scale) {
        Shapes.requireRank("weight", weight, 2, "(vocabSize, dim)");
        if (tokens == null) {
            throw new NullPointerException("tokens must not be null");
        }
        int vocabSize = weight.dim(0);
        int dim = weight.dim(1);
        int batchSize = tokens.length;
        int seqLen = batchSize == 0 || tokens[0] == null ? 0 : tokens[0].length;
        for (int b = 0; b < batchSize; b++) {
            if (tokens[b] == null) {
                throw new NullPointerException("tokens[" + b + "] must not be null");
            }
            if (tokens[b].length != seqLen) {
                throw new IllegalArgumentException("tokens: expected every sequence to have length " + seqLen
                        + " (pad them and pass a padding mask) but sequence " + b + " has " + tokens[b].length);
            }
            for (int t = 0; t < seqLen; t++) {
                int id = tokens[b][t];
                if (id < 0 || id >= vocabSize) {
                    throw new IllegalArgumentException("tokens[" + b + "][" + t + "]: expected a token id in [0, "
                            + vocabSize + ") but got " + id);
                }
            }
        }
        Tensor y = Tensor.forOverwrite(Shape.of(batchSize, seqLen, dim)); // every row looked up below
        float[] out = y.data();                                   // (batchSize, seqLen, dim)
        for (int b = 0; b < batchSize; b++) {
            lookupInto(out, b * seqLen * dim, weight.data(), dim, tokens[b], scale); // (seqLen, dim) of sequence b
        }
        if (tape != null) {
            int[][] ids = new int[batchSize][];                   // a copy: the caller may reuse its arrays
            for (int b = 0; b < batchSize; b++) {
                ids[b] = tokens[b].clone();
            }
            tape.record(grads -> backward(grads, y, weight, ids, scale));
        }
        return y;
    }

    /**
     * The forward's rows, on caller-owned buffers: {@code out[outOff + i * dim ..] = weight[tokens[i]] * scale} for
     * each {@code i}, i.e. {@code (tokens.length, dim)} rows from the {@code (vocabSize, dim)} table. Ids must already
     * be checked. Allocates nothing (a decoding step looks up one token per sequence with it).
     */
    public static void lookupInto(float[] out, int outOff, float[] weight, int dim, int[] tokens, float scale) {
        Kernels k = Kernels.active();
        for (int i = 0; i < tokens.length; i++) {
            k.scale(out, outOff + i * dim, weight, tokens[i] * dim, scale, dim);
        }
    }

    private static void backward(Gradients grads, Tensor y, Tensor weight, int[][] tokens, float scale) {
        Tensor dyT = grads.get(y);
        if (dyT == null) {
            return;
        }
        int dim = weight.dim(1);
        int seqLen = tokens.length == 0 ? 0 : tokens[0].length;
        float[] dy = dyT.data();                                  // (batchSize, seqLen, dim)
        Tensor dWeight = Tensor.zeros(weight.shape());
        float[] dw = dWeight.data();                              // (vocabSize, dim)
        Kernels k = Kernels.active();
        for (int b = 0; b < tokens.length; b++) {
            for (int t = 0; t < seqLen; t++) {
                k.axpy(dw, tokens[b][t] * dim, scale, dy, (b * seqLen + t) * dim, dim);
            }
        }
        grads.add(weight, dWeight);
    }
}
