package dev.attention4j.kernels;

/**
 * The layout of a weight {@code W (n, k)} (a linear map's {@code (outFeatures, inFeatures)}, row-major) packed for
 * {@link Kernels#matmulTransBPanels}: panels of {@value #ROWS} rows of {@code W} with the rows interleaved, so that
 * {@code W[j, p]} is at {@code (j / ROWS) * ROWS * k + p * ROWS + j % ROWS}, zero in the rows past {@code n} of the last
 * panel. It is the packed GEMM's packing of {@code B = W^T} (panels of {@value #ROWS} columns, their rows
 * {@value #ROWS} floats apart) kept whole instead of cut into k-blocks, so its register blocks run on it as it is, at
 * any number of rows, rather than re-pack {@code W} with a gather per vector at every call. Measured (one thread,
 * AVX-512, {@code W} from L3 as in a model): at 128 rows 113-116 against 96-100 GFLOP/s at 128 x 384 x 1152 and
 * 128 x 384 x 1536, 114 against 105 at 128 x 1536 x 384 (16-row panels, before the register blocks took constant
 * strides).
 *
 * <p>Panel {@code q} starts at {@code q * ROWS * k}, so columns {@code [j0, j0 + n)} of a product with {@code j0} a
 * multiple of {@value #ROWS} start at {@link #offset}{@code (j0, k)}.
 */
public final class RowPanels {

    /**
     * Rows of {@code W} per panel: a divisor of the column blocks the products are split into across threads, and a
     * multiple of the packed GEMM's register block width (two vectors of up to 16 floats).
     */
    public static final int ROWS = 32;
    /**
     * Rows of a product's register block on these panels (the packed GEMM's sliver of A): a product cut into row
     * chunks of a multiple of this runs no short sliver but possibly the last.
     */
    public static final int SLIVER_ROWS = PackedGemm.MR;

    private RowPanels() {
    }

    /** Floats of the packed form of an {@code (n, k)} weight: whole panels. */
    public static int size(int n, int k) {
        return Math.multiplyExact(Math.multiplyExact((n + ROWS - 1) / ROWS, ROWS), k);
    }

    /** Where column {@code j0} (a multiple of {@value #ROWS}) of the product begins in the packed weight. */
    public static int offset(int j0, int k) {
        return j0 * k;
    }

    /**
     * Packs {@code W (n, k)} at {@code w[wOff..]} (rows {@code k} apart) into {@code packed[0 .. size(n, k))}.
     */
    public static void pack(float[] packed, float[] w, int wOff, int n, int k) {
        int panels = (n + ROWS - 1) / ROWS;
        for (int q = 0; q < panels; q++) {
            int base = q * ROWS * k;
            for (int r = 0; r < ROWS; r++) {
                int j = q * ROWS + r;
                if (j < n) {
                    int src = wOff + j * k;
                    for (int p = 0; p < k; p++) {
                        packed[base + p * ROWS + r] = w[src + p];
                    }
                } else {
                    for (int p = 0; p < k; p++) {
                        packed[base + p * ROWS + r] = 0f;
                    }
                }
            }
        }
    }
}
