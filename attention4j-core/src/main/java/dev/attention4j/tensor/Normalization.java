package dev.attention4j.tensor;

import dev.attention4j.kernels.Kernels;
import dev.attention4j.kernels.Parallel;

/** Layer normalisation over the last dim. */
public final class Normalization {

    /** Target elements per parallel chunk of rows. */
    private static final int ROW_ELEMENTS_PER_CHUNK = 16384;

    private Normalization() {
    }

    /**
     * {@code (x - mean) / sqrt(var + eps) * gamma + beta} over the last dim, as {@code nn.LayerNorm}.
     *
     * @param x     {@code (..., d)}
     * @param gamma {@code (d)}
     * @param beta  {@code (d)}
     */
    public static Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps) {
        int d = gamma.size();
        Shapes.requireShape("gamma", gamma, Shape.of(d));
        Shapes.requireShape("beta", beta, Shape.of(d));
        if (x.rank() < 1 || x.dim(-1) != d) {
            throw new IllegalArgumentException("x: expected shape (..., " + d + ") to match the normalised shape ["
                    + d + "] but got " + x.shape());
        }
        Tensor out = Tensor.forOverwrite(x.shape()); // every row normalised into it below
        int rows = d == 0 ? 0 : x.size() / d;
        layerNormInto(out.data(), 0, x.data(), 0, gamma.data(), beta.data(), rows, d, eps);
        return out;
    }

    /**
     * The kernel-level layer norm of {@code rows} contiguous rows of {@code d}, rows split across threads; {@code out}
     * may alias {@code x}. For callers that already validated shapes. Allocates nothing when the rows are not split
     * (a few rows, as in a one-token decoding step, or one thread), nor when they are: a split hands them to
     * {@link Parallel}'s workers through a body this thread keeps.
     */
    public static void layerNormInto(float[] out, int outOff, float[] x, int xOff, float[] gamma, float[] beta,
                                     int rows, int d, float eps) {
        residualLayerNormInto(out, outOff, x, xOff, null, gamma, beta, rows, d, eps);
    }

    /**
     * {@code out = layerNorm(x + residual)} row by row, as {@link #layerNormInto} with the sum first written over
     * {@code x} ({@code residual} null: none), each chunk of rows adding and normalising on its own thread: the
     * residual add of a Transformer sublayer ran on the calling thread alone while the others waited (2.4% of a
     * 32 x 128 MiniLM call on two threads). The same bits as the add then the norm.
     */
    public static void residualLayerNormInto(float[] out, int outOff, float[] x, int xOff, float[] residual,
                                             float[] gamma, float[] beta, int rows, int d, float eps) {
        Kernels k = Kernels.active();
        int grain = Math.max(1, ROW_ELEMENTS_PER_CHUNK / Math.max(1, d));
        RowChunks body = Parallel.claim(ROW_CHUNKS, RowChunks::new);
        body.set(k, out, outOff, x, xOff, residual, gamma, beta, d, eps);
        Parallel.forRangeAndRelease(rows, grain, body); // one chunk runs here: no hand-off, nothing allocated
    }

    /**
     * The arguments of one split {@link #layerNormInto} as the loop body of its chunks of rows: one per thread,
     * refilled at each call and emptied after it, so a split call hands its rows to the workers without allocating.
     */
    private static final class RowChunks extends Parallel.KeptBody {
        private Kernels k;
        private float[] out;
        private int outOff;
        private float[] x;
        private int xOff;
        private float[] residual;
        private float[] gamma;
        private float[] beta;
        private int d;
        private float eps;

        void set(Kernels k, float[] out, int outOff, float[] x, int xOff, float[] residual, float[] gamma,
                 float[] beta, int d, float eps) {
            this.k = k;
            this.out = out;
            this.outOff = outOff;
            this.x = x;
            this.xOff = xOff;
            this.residual = residual;
            this.gamma = gamma;
            this.beta = beta;
            this.d = d;
            this.eps = eps;
        }

        @Override
        protected void clear() {
            set(null, null, 0, null, 0, null, null, null, 0, 0f);
        }

        @Override
        public void run(int start, int end) {
            if (residual != null) {
                k.add(x, xOff + start * d, x, xOff + start * d, residual, start * d, (end - start) * d);
            }
            k.layerNorm(out, outOff + start * d, x, xOff + start * d, gamma, beta, end - start, d, eps);
        }
    }

    private static final ThreadLocal<RowChunks> ROW_CHUNKS = ThreadLocal.withInitial(RowChunks::new);
}
