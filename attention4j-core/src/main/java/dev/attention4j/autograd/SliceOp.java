package dev.attention4j.autograd;

import dev.attention4j.tensor.Shapes;
import dev.attention4j.tensor.Tensor;

/**
 * A copy of consecutive rows along dim 0: {@code y = t[start : start + count]} (e.g. {@code W_Q}, {@code W_K},
 * {@code W_V} out of a packed {@code in_proj_weight (3E, E)}, or their biases out of {@code in_proj_bias (3E)}).
 * Backward: {@code dt} is zero except rows {@code [start, start + count)}, which get {@code dy}.
 */
public final class SliceOp {

    private SliceOp() {
    }

    /**
     * @param tape  where to record the backward pass, or null at inference
     * @param t     {@code (n, ...)}, rank >= 1
     * @param start first row, {@code 0 <= start}
     * @param count rows to take, {@code start + count <= n}
     * @return {@code (count, ...)}
     */
    public static Tensor rows(Tape tape, Tensor t, int start, int count) {
        if (t == null) {
            throw new NullPointerException("t must not be null");
        }
        if (t.rank() < 1) {
            throw new IllegalArgumentException("t: expected a tensor of rank >= 1 to slice along dim 0 but got shape "
                    + t.shape());
        }
        int n = t.dim(0);
        if (start < 0 || count < 0 || (long) start + count > n) {
            throw new IllegalArgumentException("rows [" + start + ", " + ((long) start + count)
                    + "): expected start >= 0, count >= 0 and start + count <= " + n + " (dim 0 of t, shape "
                    + t.shape() + ")");
        }
        int[] dims = t.shape().dims();
        dims[0] = count;
        Tensor y = Tensor.zeros(dims);
        int rowSize = n == 0 ? 0 : t.size() / n;
        System.arraycopy(t.data(), start * rowSize, y.data(), 0, y.size());
        if (tape != null) {
            tape.record(grads -> {
                Tensor dy = grads.get(y);
                if (dy == null) {
                    return;
                }
                Tensor dt = Tensor.zeros(t.shape());
                System.arraycopy(dy.data(), 0, dt.data(), start * rowSize, dy.size());
                grads.add(t, dt);
            });
        }
        return y;
    }
}
