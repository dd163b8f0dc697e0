package dev.attention4j.autograd;

import dev.attention4j.kernels.Kernels;
import dev.attention4j.tensor.Shapes;
import dev.attention4j.tensor.Tensor;

/**
 * Adds the first {@code seqLen} rows of a table to every sequence of a batch (positional encodings):
 * {@code y[b, t] = x[b, t] + table[t]}. Backward: {@code dx = dy}; {@code dtable[t] = sum over b of dy[b, t]} (batches
 * added in order) for {@code t < seqLen}, rows beyond stay 0.
 */
public final class BroadcastAddOp {

    private BroadcastAddOp() {
    }

    /**
     * @param tape  where to record the backward pass, or null at inference
     * @param x     {@code (batchSize, seqLen, dim)}
     * @param table {@code (maxLen, dim)}, {@code maxLen >= seqLen}
     * @return {@code (batchSize, seqLen, dim)}
     */
    public static Tensor addRows(Tape tape, Tensor x, Tensor table) {
        Shapes.requireRank("table", table, 2, "(maxLen, dim)");
        int maxLen = table.dim(0);
        int dim = table.dim(1);
        Shapes.requireRank("x", x, 3, "(batchSize, seqLen, dim)");
        if (x.dim(2) != dim) {
            throw new IllegalArgumentException("x: expected shape (batchSize, seqLen, " + dim + ") to match table "
                    + table.shape() + " but got " + x.shape());
        }
        int batchSize = x.dim(0);
        int seqLen = x.dim(1);
        if (seqLen > maxLen) {
            throw new IllegalArgumentException("x: sequence length " + seqLen
                    + " exceeds the positional encoding's maxLen " + maxLen);
        }
        int perSeq = seqLen * dim;
        Tensor y = x.copy();
        float[] out = y.data();                                   // (batchSize, seqLen, dim)
        Kernels k = Kernels.active();
        for (int b = 0; b < batchSize; b++) {
            k.add(out, b * perSeq, out, b * perSeq, table.data(), 0, perSeq);
        }
        if (tape != null) {
            tape.record(grads -> {
                Tensor dy = grads.get(y);
                if (dy == null) {
                    return;
                }
                Tensor dTable = Tensor.zeros(table.shape());
                float[] dt = dTable.data();                       // (maxLen, dim), rows [0, seqLen) written
                for (int b = 0; b < batchSize; b++) {
                    k.add(dt, 0, dt, 0, dy.data(), b * perSeq, perSeq);
                }
                grads.add(x, dy.copy());
                grads.add(table, dTable);
            });
        }
        return y;
    }
}
