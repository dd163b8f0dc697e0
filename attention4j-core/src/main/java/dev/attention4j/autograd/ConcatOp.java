package dev.attention4j.autograd;

import dev.attention4j.kernels.Kernels;
import dev.attention4j.tensor.Shapes;
import dev.attention4j.tensor.Tensor;

/**
 * One more row at the end of every sequence: {@code y[b, 0 .. seqLen) = x[b]}, {@code y[b, seqLen] = row} (PyTorch's
 * {@code add_bias_kv}) or zeros ({@code add_zero_attn}). Backward: {@code dx = dy[:, 0 .. seqLen)};
 * {@code drow = sum over b of dy[b, seqLen]} (batches added in order).
 */
public final class ConcatOp {

    private ConcatOp() {
    }

    /**
     * @param tape where to record the backward pass, or null at inference
     * @param x    {@code (batchSize, seqLen, dim)}
     * @param row  any shape with {@code dim} elements, e.g. {@code (1, 1, dim)} or {@code (dim)}
     * @return {@code (batchSize, seqLen + 1, dim)}
     */
    public static Tensor appendRow(Tape tape, Tensor x, Tensor row) {
        Shapes.requireRank("x", x, 3, "(batchSize, seqLen, dim)");
        if (row == null) {
            throw new NullPointerException("row must not be null");
        }
        int dim = x.dim(2);
        if (row.size() != dim) {
            throw new IllegalArgumentException("row: expected " + dim + " elements (one row of x, shape "
                    + x.shape() + ") but got shape " + row.shape());
        }
        return append(tape, x, row);
    }

    /**
     * @param tape where to record the backward pass, or null at inference
     * @param x    {@code (batchSize, seqLen, dim)}
     * @return {@code (batchSize, seqLen + 1, dim)}, the new rows zero
     */
    public static Tensor appendZeroRow(Tape tape, Tensor x) {
        Shapes.requireRank("x", x, 3, "(batchSize, seqLen, dim)");
        return append(tape, x, null);
    }

    /** {@code row == null} appends zeros. */
    private static Tensor append(Tape tape, Tensor x, Tensor row) {
        int batchSize = x.dim(0);
        int seqLen = x.dim(1);
        int dim = x.dim(2);
        int inPerSeq = seqLen * dim;
        int outPerSeq = inPerSeq + dim;
        Tensor y = Tensor.zeros(batchSize, seqLen + 1, dim);
        float[] out = y.data();                                   // (batchSize, seqLen + 1, dim)
        for (int b = 0; b < batchSize; b++) {
            System.arraycopy(x.data(), b * inPerSeq, out, b * outPerSeq, inPerSeq);
            if (row != null) {
                System.arraycopy(row.data(), 0, out, b * outPerSeq + inPerSeq, dim);
            }
        }
        if (tape != null) {
            tape.record(grads -> {
                Tensor dyT = grads.get(y);
                if (dyT == null) {
                    return;
                }
                float[] dy = dyT.data();
                Tensor dx = Tensor.zeros(x.shape());
                for (int b = 0; b < batchSize; b++) {
                    System.arraycopy(dy, b * outPerSeq, dx.data(), b * inPerSeq, inPerSeq);
                }
                grads.add(x, dx);
                if (row != null) {
                    Tensor dRow = Tensor.zeros(row.shape());
                    Kernels k = Kernels.active();
                    for (int b = 0; b < batchSize; b++) {
                        k.add(dRow.data(), 0, dRow.data(), 0, dy, b * outPerSeq + inPerSeq, dim);
                    }
                    grads.add(row, dRow);
                }
            });
        }
        return y;
    }
}
