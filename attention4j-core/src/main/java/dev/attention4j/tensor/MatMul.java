package dev.attention4j.tensor;

import dev.attention4j.kernels.Kernels;
import dev.attention4j.kernels.Parallel;
import dev.attention4j.kernels.RowPanels;

/**
 * Matrix products on tensors, split across threads by rows or by columns (bit-identical at any thread count: every
 * kernel computes each output element by the same operations whichever block of rows and columns its call covers).
 */
public final class MatMul {

    /**
     * Below this many multiply-adds a product runs on the calling thread: handing a block to another worker costs up to
     * ~0.1 ms on a shared VM (measured: 1 x 256 x 1024 ran at 15-28 GFLOP/s on one thread, 10-15 on two).
     */
    private static final long MIN_PARALLEL_WORK = 1 << 20;
    /**
     * Up to this many rows {@link #linearTransposedInto} reads a weight's kept transpose: packing the weight would cost
     * more than the product (a decoding step's batch, beams included); above, the packing is amortised.
     */
    public static final int FEW_ROWS = 32;
    /**
     * Column blocks are multiples of this (whole register blocks and packed panels of the SIMD kernel, and whole
     * {@link RowPanels}).
     */
    private static final int COL_BLOCK = 64;

    static {
        if (COL_BLOCK % RowPanels.ROWS != 0) {
            throw new AssertionError("column blocks must start on a RowPanels panel");
        }
    }
    /**
     * A product on a weight kept in {@link RowPanels} runs its rows in chunks of about this many, as few chunks of at
     * most 10% more as cover the rows, equal and whole slivers of the SIMD kernel ({@link RowPanels#SLIVER_ROWS};
     * {@link #panelChunk}: 988 rows run as 4 x ~247, not 4 x 240 and a last 28 that re-read the whole weight for
     * little work): a chunk's output, up to 264 x 1536 floats, stays in L2 while later k-blocks resume it and the
     * bias and the epilogue run over it, where a block of thousands of rows (a batch of sentences) would go out to L3
     * and come back once per k-block and once more for the bias. The weight is not packed per call, so a cut costs only
     * re-reading the weight from L3. Measured (MiniLM, one thread, CPU time per call, loaded machine): at 32 x 128,
     * chunks of 96 or 240 rows 945-1127 ms against 1107-1195 uncut; at 1 x 128, chunks of 96 cost 3-10% (the
     * 128 rows cut in two, the weight read twice) and chunks of 240 (no cut) nothing.
     */
    private static final int PANEL_CHUNK_ROWS = 240;
    /** Rows split across threads come in blocks of at least this many. */
    private static final int ROW_BLOCK = 24;
    /**
     * Row blocks split across threads are equal up to a multiple of this (whole 4-row register blocks): with blocks
     * rounded to {@link #ROW_BLOCK} a batch of 1970 rows ran as 1008 + 962, the caller's share 5% longer than the
     * worker's, which then waited (measured, two threads, 1970 x 384 x 1536 on kept panels: +1.3-2% with equal
     * blocks; 4096 rows +1.5-4%).
     */
    private static final int ROW_GRAIN = 4;

    /**
     * What a linear map's blocks apply to their output, elementwise, right after the bias, while the block is still in
     * cache: nothing, or a feed-forward net's non-linearity ({@link Activations}' kernels, so the same bits as applying
     * it to the whole output afterwards, and no separate pass, tensor or hand-off to other threads).
     */
    public enum Epilogue {
        NONE,
        RELU,
        GELU
    }

    /** One block of a split product: output rows {@code [i0, i1)} x columns {@code [j0, j1)}. */
    @FunctionalInterface
    private interface BlockBody {
        void run(int i0, int i1, int j0, int j1);
    }

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
        return linear(x, weight, bias, Epilogue.NONE);
    }

    /**
     * {@code then(x W^T + b)}: {@link #linear(Tensor, Tensor, Tensor)} followed by {@code then} ({@code relu} or
     * {@code gelu} of {@link Activations}), computed block by block; the same bits as the two ops one after the other.
     * For inference: nothing keeps the pre-activation a backward pass would need.
     */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias, Epilogue then) {
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
        Tensor y = linearOutput(x, outFeatures);
        int rows = x.size() / Math.max(1, inFeatures);
        if (inFeatures == 0) {
            rows = y.size() / Math.max(1, outFeatures);
        }
        linear(y.data(), 0, x.data(), 0, inFeatures, weight.data(), 0, null, null, bias == null ? null : bias.data(),
                0, rows, outFeatures, inFeatures, java.util.Objects.requireNonNull(then, "then"));
        return y;
    }

    /**
     * {@link #linear(Tensor, Tensor, Tensor, Epilogue)} at inference on a weight read in its packed form: the kept
     * {@link PanelWeight} (made at the first call and after the weight changed), whatever the number of rows: the
     * register-blocked GEMM runs on it with no packing of the weight at each call. The same bits as on the weight
     * itself. Only a whole weight ({@code rowOffset} 0) is taken.
     */
    public static Tensor linear(Tensor x, PanelWeight weight, Tensor bias, Epilogue then) {
        Tensor w = requireWholeWeight(weight);
        int outFeatures = weight.outFeatures();
        int inFeatures = weight.inFeatures();
        int rows = inFeatures == 0 || x.rank() < 1 ? 0 : x.size() / inFeatures;
        if (rows == 0 || x.dim(-1) != inFeatures) { // the checks and edge cases of linear
            return linear(x, w, bias, then);
        }
        if (bias != null) {
            Shapes.requireShape("bias", bias, Shape.of(outFeatures));
        }
        Tensor y = linearOutput(x, outFeatures);
        linear(y.data(), 0, x.data(), 0, inFeatures, null, 0, null, weight.data(), bias == null ? null : bias.data(),
                0, rows, outFeatures, inFeatures, java.util.Objects.requireNonNull(then, "then"));
        return y;
    }

    /**
     * The linear map at inference on the first {@code inFeatures} columns of each row of {@code x (..., width)},
     * {@code width >= inFeatures}, read where they lie (rows {@code width} floats apart, no copy): {@code y (...,
     * outFeatures) = x[..., :inFeatures] W^T (+ bias)} on the kept panels, the same bits as {@link #linear(Tensor,
     * PanelWeight, Tensor, Epilogue)} on a contiguous copy of those columns. Made for the heads' output that
     * {@link dev.attention4j.autograd.AttentionOp#applyPackedInPlace} leaves over the queries, the first third of each
     * row of {@code qkv}.
     */
    public static Tensor linearOnLeadingColumns(Tensor x, PanelWeight weight, Tensor bias) {
        requireWholeWeight(weight);
        Tensor y = leadingColumnsOutput(x, weight.outFeatures(), weight.inFeatures(), bias);
        int width = x.dim(-1);
        linear(y.data(), 0, x.data(), 0, width, null, 0, null, weight.data(), bias == null ? null : bias.data(), 0,
                width == 0 ? 0 : x.size() / width, weight.outFeatures(), weight.inFeatures(), Epilogue.NONE);
        return y;
    }

    /**
     * {@link #linearOnLeadingColumns(Tensor, PanelWeight, Tensor)} on {@code weight (outFeatures, inFeatures)} itself
     * (no kept copy, no tape): the same bits.
     */
    public static Tensor linearOnLeadingColumns(Tensor x, Tensor weight, Tensor bias) {
        Shapes.requireRank("weight", weight, 2, "(outFeatures, inFeatures)");
        Tensor y = leadingColumnsOutput(x, weight.dim(0), weight.dim(1), bias);
        int width = x.dim(-1);
        linear(y.data(), 0, x.data(), 0, width, weight.data(), 0, null, null, bias == null ? null : bias.data(), 0,
                width == 0 ? 0 : x.size() / width, weight.dim(0), weight.dim(1), Epilogue.NONE);
        return y;
    }

    /** The weight {@code weight} packs, which must be all of it (the Tensor-level products take whole weights). */
    private static Tensor requireWholeWeight(PanelWeight weight) {
        Tensor w = weight.source();
        if (weight.sourceOffset() != 0 || weight.outFeatures() != w.dim(0)) {
            throw new IllegalArgumentException("weight: expected the panels of a whole weight but got rows from "
                    + weight.sourceOffset() / Math.max(1, weight.inFeatures()) + " of " + w.shape());
        }
        return w;
    }

    /** Checks {@link #linearOnLeadingColumns}' operands; its output {@code (..., outFeatures)}, to be overwritten. */
    private static Tensor leadingColumnsOutput(Tensor x, int outFeatures, int inFeatures, Tensor bias) {
        if (x.rank() < 1 || x.dim(-1) < inFeatures) {
            throw new IllegalArgumentException("x: expected shape (..., width) with width >= inFeatures = "
                    + inFeatures + " but got " + x.shape());
        }
        if (bias != null) {
            Shapes.requireShape("bias", bias, Shape.of(outFeatures));
        }
        return linearOutput(x, outFeatures);
    }

    /** {@code (..., outFeatures)} for {@code x (..., inFeatures)}, for the product to write every element of. */
    private static Tensor linearOutput(Tensor x, int outFeatures) {
        int[] outDims = x.shape().dims();
        outDims[outDims.length - 1] = outFeatures;
        return Tensor.forOverwrite(Shape.of(outDims));
    }

    /**
     * {@link #linearInto} on a weight block read in its packed form, the kept {@link PanelWeight}, at any number of
     * rows: {@code y[rows x outFeatures] = x[rows x inFeatures] W^T (+ bias)}, the same bits as on the block itself.
     * Checks the buffers' sizes; allocates nothing unless the panels have to be made (at the first call and after the
     * weight changed).
     *
     * @param y    {@code (rows, outFeatures)} at {@code yOff}, written; must not alias {@code x}
     * @param x    {@code (rows, inFeatures)} at {@code xOff}
     * @param bias {@code (outFeatures)} at {@code biasOff}, or null
     */
    public static void linearInto(float[] y, int yOff, float[] x, int xOff, PanelWeight weight, float[] bias,
                                  int biasOff, int rows) {
        int outFeatures = weight.outFeatures();
        int inFeatures = weight.inFeatures();
        requireBlocks("linearInto", y, yOff, x, xOff, bias, biasOff, rows, outFeatures, inFeatures);
        linear(y, yOff, x, xOff, inFeatures, null, 0, null, weight.data(), bias, biasOff, rows, outFeatures,
                inFeatures, Epilogue.NONE);
    }

    /** The size checks of the entry points on kept weights, named after the method {@code what}. */
    private static void requireBlocks(String what, float[] y, int yOff, float[] x, int xOff, float[] bias, int biasOff,
                                      int rows, int outFeatures, int inFeatures) {
        if (rows < 0 || yOff < 0 || xOff < 0 || biasOff < 0
                || (long) yOff + (long) rows * outFeatures > y.length
                || (long) xOff + (long) rows * inFeatures > x.length
                || (bias != null && (long) biasOff + outFeatures > bias.length)) {
            throw new IllegalArgumentException(what + ": expected rows >= 0, y holding (" + rows + ", "
                    + outFeatures + ") floats from " + yOff + ", x (" + rows + ", " + inFeatures + ") from " + xOff
                    + " and bias (if any) " + outFeatures + " from " + biasOff + " but got rows = " + rows
                    + ", y.length = " + y.length + ", x.length = " + x.length + ", bias.length = "
                    + (bias == null ? "none" : bias.length));
        }
    }

    /**
     * The kernel-level linear map: {@code y[rows x outFeatures] = x[rows x inFeatures] W^T (+ bias)}, rows split
     * across threads. {@code W} is the {@code (outFeatures, inFeatures)} block at {@code weight[wOff..]} (so one
     * slice of a packed projection works), {@code bias} may be null. For callers that already validated shapes.
     * Allocates nothing per call: unsplit it calls the kernel directly, split it hands the blocks to
     * {@link Parallel}'s workers through a body this thread keeps.
     */
    public static void linearInto(float[] y, int yOff, float[] x, int xOff, float[] weight, int wOff, float[] bias,
                                  int biasOff, int rows, int outFeatures, int inFeatures) {
        linear(y, yOff, x, xOff, inFeatures, weight, wOff, null, null, bias, biasOff, rows, outFeatures, inFeatures,
                Epilogue.NONE);
    }

    /**
     * {@link #linearInto} at inference on a weight whose transpose may be kept:
     * {@code y[rows x outFeatures] = x[rows x inFeatures] W^T (+ bias)}. Up to {@value #FEW_ROWS} rows (a decoding
     * step) it reads the kept transpose {@code weight.data()}, so {@code W} is not packed with gathers at every call;
     * more rows (a prompt, an encoder) use {@code W} itself, whose packing they amortise, and make no copy. The same
     * bits either way, and the same as {@code linearInto} on {@code W}. Checks the buffers' sizes; allocates nothing
     * unless the transpose has to be made (at the first call and after the weight changed).
     *
     * @param y      {@code (rows, outFeatures)} at {@code yOff}, written; must not alias {@code x}
     * @param x      {@code (rows, inFeatures)} at {@code xOff}
     * @param weight the transposed weight
     * @param bias   {@code (outFeatures)} at {@code biasOff}, or null
     */
    public static void linearTransposedInto(float[] y, int yOff, float[] x, int xOff, TransposedWeight weight,
                                            float[] bias, int biasOff, int rows) {
        linearTransposedInto(y, yOff, x, xOff, weight, bias, biasOff, rows, Epilogue.NONE);
    }

    /** {@code then} applied to {@link #linearTransposedInto}'s output block by block (see {@link Epilogue}). */
    public static void linearTransposedInto(float[] y, int yOff, float[] x, int xOff, TransposedWeight weight,
                                            float[] bias, int biasOff, int rows, Epilogue then) {
        java.util.Objects.requireNonNull(then, "then");
        int outFeatures = weight.outFeatures();
        int inFeatures = weight.inFeatures();
        requireBlocks("linearTransposedInto", y, yOff, x, xOff, bias, biasOff, rows, outFeatures, inFeatures);
        if (rows <= FEW_ROWS) {
            linear(y, yOff, x, xOff, inFeatures, null, 0, weight.data(), null, bias, biasOff, rows, outFeatures,
                    inFeatures, then);
        } else {
            linear(y, yOff, x, xOff, inFeatures, weight.source().data(), weight.sourceOffset(), null, null, bias,
                    biasOff, rows, outFeatures, inFeatures, then);
        }
    }

    /**
     * {@link #linearInto} on {@code weight} at {@code wOff}, or on {@code weightT} or {@code panels} when not null,
     * x's rows {@code xStride} apart.
     */
    private static void linear(float[] y, int yOff, float[] x, int xOff, int xStride, float[] weight, int wOff,
                               float[] weightT, float[] panels, float[] bias, int biasOff, int rows, int outFeatures,
                               int inFeatures, Epilogue then) {
        Kernels k = Kernels.active();
        LinearBlocks blocks = Parallel.claim(LINEAR_BLOCKS, LinearBlocks::new);
        blocks.set(k, y, yOff, x, xOff, xStride, weight, wOff, weightT, panels, bias, biasOff, rows, outFeatures,
                inFeatures, then);
        try {
            if (!splits(rows, outFeatures, inFeatures, blocks.cut)) { // one block on this thread
                blocks.block(0, rows, 0, outFeatures);
                return;
            }
            int n = blocks.cut == Cut.COLUMNS ? outFeatures : rows;
            Parallel.forRange(n, blockSize(rows, outFeatures, inFeatures, blocks.cut), blocks);
        } finally {
            Parallel.release(blocks);
        }
    }

    /**
     * The arguments of one {@link #linearInto} as the loop body of its blocks: one per thread, refilled at each call
     * and emptied after it, so a split product hands its blocks to the workers without allocating (a capturing
     * lambda would be a new object per call). Column or row blocks as {@link #cut} says for its product.
     */
    private static final class LinearBlocks extends Parallel.KeptBody {
        private Kernels k;
        private float[] y;
        private int yOff;
        private float[] x;
        private int xOff;
        private int xStride;     // x's rows apart, >= inFeatures
        private float[] weight;  // (outFeatures, inFeatures) at wOff, or null when weightT is given
        private int wOff;
        private float[] weightT; // (inFeatures, outFeatures), or null
        private float[] panels;  // W in RowPanels' layout, or null
        private float[] bias;
        private int biasOff;
        private int rows;
        private int outFeatures;
        private int inFeatures;
        private Epilogue then;
        private Cut cut;         // where a split map is cut, from its shape and what is packed

        void set(Kernels k, float[] y, int yOff, float[] x, int xOff, int xStride, float[] weight, int wOff,
                 float[] weightT, float[] panels, float[] bias, int biasOff, int rows, int outFeatures,
                 int inFeatures, Epilogue then) {
            this.k = k;
            this.y = y;
            this.yOff = yOff;
            this.x = x;
            this.xOff = xOff;
            this.xStride = xStride;
            this.weight = weight;
            this.wOff = wOff;
            this.weightT = weightT;
            this.panels = panels;
            this.bias = bias;
            this.biasOff = biasOff;
            this.rows = rows;
            this.outFeatures = outFeatures;
            this.inFeatures = inFeatures;
            this.then = then;
            this.cut = cut(rows, outFeatures, panels != null ? Packing.RIGHT_KEPT
                    : weightT != null ? Packing.RIGHT_COPIED : Packing.RIGHT_TRANSPOSED);
        }

        @Override
        protected void clear() {
            set(null, null, 0, null, 0, 0, null, 0, null, null, null, 0, 0, 0, 0, Epilogue.NONE);
        }

        @Override
        public void run(int start, int end) {
            if (cut == Cut.COLUMNS) {
                block(0, rows, start, end);
            } else {
                block(start, end, 0, outFeatures);
            }
        }

        /** Rows {@code [i0, i1)} x columns {@code [j0, j1)}: each element one in-order chain over inFeatures. */
        void block(int i0, int i1, int j0, int j1) {
            if (panels == null) {
                product(i0, i1, j0, j1);
                return;
            }
            // W in RowPanels is read where it lies, so cutting the rows costs no packing: each chunk's output is
            // still in L2 when the next k-block resumes it and when the bias and the epilogue run over it
            int chunk = panelChunk(i1 - i0);
            for (int c0 = i0; c0 < i1; c0 += chunk) {
                product(c0, Math.min(i1, c0 + chunk), j0, j1);
            }
        }

        /** The product, then the bias and the epilogue, on rows {@code [i0, i1)} x columns {@code [j0, j1)}. */
        private void product(int i0, int i1, int j0, int j1) {
            int y0 = yOff + i0 * outFeatures + j0;
            int x0 = xOff + i0 * xStride;
            if (panels != null) {  // W in RowPanels: j0 is 0 or a column block's start, a multiple of its ROWS
                k.matmulTransBPanels(y, y0, outFeatures, x, x0, xStride, panels,
                        RowPanels.offset(j0, inFeatures), i1 - i0, j1 - j0, inFeatures);
            } else if (weightT != null) { // B[p, j] = weightT[p * outFeatures + j]: contiguous rows, no gathers
                k.matmul(y, y0, outFeatures, x, x0, xStride, weightT, j0, outFeatures, i1 - i0, j1 - j0,
                        inFeatures);
            } else {               // B[p, j] = weight[wOff + j * inFeatures + p]
                k.matmulTransB(y, y0, outFeatures, x, x0, xStride, weight, wOff + j0 * inFeatures, inFeatures,
                        i1 - i0, j1 - j0, inFeatures);
            }
            for (int i = i0; i < i1; i++) { // the row's block is still in cache: bias, then the epilogue, in place
                int yi = y0 + (i - i0) * outFeatures;
                if (bias != null) {
                    k.add(y, yi, y, yi, bias, biasOff + j0, j1 - j0);
                }
                switch (then) {
                    case NONE -> { }
                    case RELU -> k.relu(y, yi, y, yi, j1 - j0);
                    case GELU -> k.gelu(y, yi, y, yi, j1 - j0);
                }
            }
        }
    }

    private static final ThreadLocal<LinearBlocks> LINEAR_BLOCKS = ThreadLocal.withInitial(LinearBlocks::new);

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
        Tensor c = Tensor.forOverwrite(Shape.of(m, n)); // every element written by the product
        Kernels kern = Kernels.active();
        forBlocks(m, n, k, (i0, i1, j0, j1) -> kern.matmul(c.data(), i0 * n + j0, n, a.data(), i0 * k, k,
                b.data(), j0, n, i1 - i0, j1 - j0, k));
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
        Tensor c = Tensor.forOverwrite(Shape.of(m, n)); // every element written by the product
        Kernels kern = Kernels.active();
        forBlocks(m, n, k, (i0, i1, j0, j1) -> kern.matmulTransA(c.data(), i0 * n + j0, n, a.data(), i0, m,
                b.data(), j0, n, i1 - i0, j1 - j0, k));
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

    /** Whether an {@code (m, n)} product over {@code k}, cut as {@code cut}, is handed in parts to other threads. */
    private static boolean splits(int m, int n, int k, Cut cut) {
        if (m <= 0 || n <= 0 || (long) m * n * Math.max(1, k) < MIN_PARALLEL_WORK) {
            return false;
        }
        int parts = Math.min(Parallel.threads(), cut == Cut.COLUMNS ? n / COL_BLOCK : m / ROW_BLOCK);
        return parts > 1;
    }

    /**
     * Runs an {@code (m x n)} product with inner dimension {@code k} as blocks across {@link Parallel}'s threads: one
     * block per thread, cut as {@link #cut} says, in multiples of {@link #COL_BLOCK} or {@link #ROW_GRAIN}; a small
     * product is one block. The cut follows the thread count, which the bits do not depend on (see the class
     * comment).
     */
    private static void forBlocks(int m, int n, int k, BlockBody body) {
        if (m <= 0 || n <= 0) {
            return;
        }
        Cut cut = cut(m, n, Packing.RIGHT_COPIED);
        int size = blockSize(m, n, k, cut);
        if (cut == Cut.COLUMNS) {
            Parallel.forRange(n, size, (j0, j1) -> body.run(0, m, j0, j1));
        } else {
            Parallel.forRange(m, size, (i0, i1) -> body.run(i0, i1, 0, n));
        }
    }

    /** Along which dimension a split product is cut into one block per thread. */
    private enum Cut { ROWS, COLUMNS }

    /** What the packed GEMM does to the right operand of a product. */
    private enum Packing {
        /** Copies its rows: {@code a b}, {@code a^T b}, {@code x W^T} on a kept transpose. */
        RIGHT_COPIED,
        /**
         * Transposes it, a weight read across its rows ({@code x W^T} on {@code W}; by 16 x 16 blocks in registers at
         * 16 lanes, else a gather per vector): the dearer packing.
         */
        RIGHT_TRANSPOSED,
        /** Nothing: a weight kept in {@link RowPanels} is read where it lies. */
        RIGHT_KEPT
    }

    /**
     * Where a split {@code (m x n)} product is cut: along its columns when {@code m < n}, each block then packing all
     * of the left operand, the smaller one, and only its columns of the right; along its rows when {@code m > n}. A
     * square product is cut along its rows (column blocks share a cache line at their border in every row of the
     * output, which both threads write at every k-block: two threads, 1024^3, alternating, 268-279 against 261-276
     * GFLOP/s; 2048^3 even or better), unless its right operand is transposed, which each row block would then
     * transpose whole (x W^T, 2048^3, two threads, when the packing gathered: 251 GFLOP/s cut along the rows against
     * 266 along the columns).
     */
    private static Cut cut(int m, int n, Packing packing) {
        if (m != n) {
            return m < n ? Cut.COLUMNS : Cut.ROWS;
        }
        return packing == Packing.RIGHT_TRANSPOSED ? Cut.COLUMNS : Cut.ROWS;
    }

    /** The width of the column blocks of a product cut along its columns, else the height of its row blocks. */
    private static int blockSize(int m, int n, int k, Cut cut) {
        boolean small = (long) m * n * Math.max(1, k) < MIN_PARALLEL_WORK;
        int threads = Parallel.threads();
        if (cut == Cut.COLUMNS) {
            int parts = small ? 1 : Math.max(1, Math.min(threads, n / COL_BLOCK));
            return roundUp((n + parts - 1) / parts, COL_BLOCK);
        }
        int parts = small ? 1 : Math.max(1, Math.min(threads, m / ROW_BLOCK));
        return roundUp((m + parts - 1) / parts, ROW_GRAIN);
    }

    /** The rows of each chunk {@code rows} rows on kept panels run in (see {@link #PANEL_CHUNK_ROWS}). */
    static int panelChunk(int rows) {
        int most = PANEL_CHUNK_ROWS + PANEL_CHUNK_ROWS / 10;
        int chunks = Math.max(1, (rows + most - 1) / most);
        return roundUp((rows + chunks - 1) / chunks, RowPanels.SLIVER_ROWS);
    }

    private static int roundUp(int x, int multiple) {
        return (int) Math.min(Integer.MAX_VALUE, ((long) x + multiple - 1) / multiple * multiple);
    }
}
