package dev.attention4j.tensor;

import dev.attention4j.kernels.Kernels;
import dev.attention4j.kernels.Parallel;

/** Matrix products on tensors, split by rows across threads (bit-identical at any thread count). */
public final class MatMul {

    /** Target multiply-adds per parallel chunk: big enough to amortise a task, small enough to balance 2+ cores. */
    private static final long WORK_PER_CHUNK = 1 << 16;
    /** Chunks per call at most: plenty to balance a few cores. */
    private static final int MAX_CHUNKS = 8;
    /** The kernels' row blocking. */
    private static final int ROW_BLOCK = 4;

    private MatMul() {
    }

    /**
     * A linear map as {@code nn.Linear} computes it: {@code y = x W^T + b}.
     *
     * @param x      {@code (..., inFeatures)}
     * @param weight {@code (outFeatures, inFeatures)}, PyTorch's layout
     * @param bias   {@code (outFeatures)} or {@code null}
     * @return {@code (..., outFeatures)}
     */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        Shapes.requireRank("weight", weight, 2, "(outFeatures, inFeatures)");
        int outFeatures = weight.dim(0);
        int inFeatures = weight.dim(1);
        if (x.rank() < 1 || x.dim(-1) != inFeatures) {
            throw new IllegalArgumentException("x: expected shape (..., " + inFeatures + ") to match weight "
                    + weight.shape() + " but got " + x.shape());
        }
        if (bias != null) {
            Shapes.requireShape("bias", bias, Shape.of(outFeatures));
        }
        int[] outDims = x.shape().dims();
        outDims[outDims.length - 1] = outFeatures;
        Tensor y = Tensor.zeros(outDims);
        int rows = x.size() / Math.max(1, inFeatures);
        if (inFeatures == 0) {
            rows = y.size() / Math.max(1, outFeatures);
        }
        linearInto(y.data(), 0, x.data(), 0, weight.data(), 0, bias == null ? null : bias.data(), 0, rows,
                outFeatures, inFeatures);
        return y;
    }

    /**
     * The kernel-level linear map: {@code y[rows x outFeatures] = x[rows x inFeatures] W^T (+ bias)}, rows split
     * across threads. {@code W} is the {@code (outFeatures, inFeatures)} block at {@code weight[wOff..]} (so one
     * slice of a packed projection works), {@code bias} may be null. For callers that already validated shapes.
     * Allocates nothing when the rows are not split (a few rows, as in a one-token decoding step, or one thread).
     */
    public static void linearInto(float[] y, int yOff, float[] x, int xOff, float[] weight, int wOff, float[] bias,
                                  int biasOff, int rows, int outFeatures, int inFeatures) {
        Kernels k = Kernels.active();
        int grain = grain(rows, outFeatures, inFeatures);
        if (!Parallel.splits(rows, grain)) { // one chunk on this thread: no task, no lambda
            linearRows(k, y, yOff, x, xOff, weight, wOff, bias, biasOff, 0, rows, outFeatures, inFeatures);
            return;
        }
        Parallel.forRange(rows, grain, (start, end) -> linearRows(k, y, yOff, x, xOff, weight, wOff, bias, biasOff,
                start, end, outFeatures, inFeatures));
    }

    /** Rows {@code [start, end)} of {@link #linearInto}. */
    private static void linearRows(Kernels k, float[] y, int yOff, float[] x, int xOff, float[] weight, int wOff,
                                   float[] bias, int biasOff, int start, int end, int outFeatures, int inFeatures) {
        k.matmulTransB(y, yOff + start * outFeatures, outFeatures, x, xOff + start * inFeatures, inFeatures,
                weight, wOff, inFeatures, end - start, outFeatures, inFeatures);
        if (bias != null) {
            k.addBiasRows(y, yOff + start * outFeatures, bias, biasOff, end - start, outFeatures);
        }
    }

    /**
     * The matrix product of two rank-2 tensors, {@code (m, k) x (k, n) -> (m, n)}.
     */
    public static Tensor matmul(Tensor a, Tensor b) {
        Shapes.requireRank("a", a, 2, "(m, k)");
        Shapes.requireRank("b", b, 2, "(k, n)");
        int m = a.dim(0);
        int k = a.dim(1);
        int n = b.dim(1);
        if (b.dim(0) != k) {
            throw new IllegalArgumentException("b: expected shape (" + k + ", n) to match a " + a.shape() + " but got "
                    + b.shape());
        }
        Tensor c = Tensor.zeros(m, n);
        Kernels kern = Kernels.active();
        Parallel.forRange(m, grain(m, n, k), (start, end) -> kern.matmul(c.data(), start * n, n, a.data(), start * k, k,
                b.data(), 0, n, end - start, n, k));
        return c;
    }

    /**
     * {@code a^T b} for rank-2 tensors, {@code (k, m)^T x (k, n) -> (m, n)}: a weight gradient {@code dy^T x}.
     * Split over output rows; each element sums over {@code k} in order, whatever the thread count.
     */
    public static Tensor transposedTimes(Tensor a, Tensor b) {
        Shapes.requireRank("a", a, 2, "(k, m)");
        Shapes.requireRank("b", b, 2, "(k, n)");
        int k = a.dim(0);
        int m = a.dim(1);
        int n = b.dim(1);
        if (b.dim(0) != k) {
            throw new IllegalArgumentException("b: expected shape (" + k + ", n) to match a " + a.shape() + " but got "
                    + b.shape());
        }
        Tensor c = Tensor.zeros(m, n);
        Kernels kern = Kernels.active();
        Parallel.forRange(m, grain(m, n, k), (start, end) -> kern.matmulTransA(c.data(), start * n, n, a.data(), start, m,
                b.data(), 0, n, end - start, n, k));
        return c;
    }

    /** The sum of each column of a rank-2 tensor, {@code (rows, cols) -> (cols)}, rows added in order. */
    public static Tensor columnSums(Tensor a) {
        Shapes.requireRank("a", a, 2, "(rows, cols)");
        int rows = a.dim(0);
        int cols = a.dim(1);
        Tensor sums = Tensor.zeros(cols);
        Kernels k = Kernels.active();
        for (int r = 0; r < rows; r++) {
            k.add(sums.data(), 0, sums.data(), 0, a.data(), r * cols, cols);
        }
        return sums;
    }

    /**
     * Rows per chunk for a row-split product of {@code m} rows costing {@code n * k} multiply-adds each: enough work
     * to amortise a task, at most {@link #MAX_CHUNKS} chunks, and a multiple of {@link #ROW_BLOCK} so the kernels'
     * register blocks stay full (one-row chunks would run every row on the slow single-row path). Depends on the
     * shape only, never on the thread count.
     */
    static int grain(int m, int n, int k) {
        long perRow = Math.max(1L, (long) n * k);
        long byWork = Math.max(1, WORK_PER_CHUNK / perRow);
        long byCount = (m + MAX_CHUNKS - 1) / MAX_CHUNKS;
        long rows = Math.max(byWork, byCount);
        rows = (rows + ROW_BLOCK - 1) / ROW_BLOCK * ROW_BLOCK;
        return (int) Math.min(Integer.MAX_VALUE, rows);
    }
}
