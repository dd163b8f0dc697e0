package dev.attention4j.kernels;

/**
 * The layout of a weight {@code W (n, k)} (a linear map's {@code (outFeatures, inFeatures)}, row-major) packed for
 * {@link Kernels#matmulTransBPanels}: panels of {@value #ROWS} rows of {@code W} with the rows interleaved, so that
 * {@code W[j, p]} is at {@code (j / ROWS) * ROWS * k + p * ROWS + j % ROWS}, zero in the rows past {@code n} of the last
 * panel. The packed GEMM's register blocks run on this layout as it is, at any number of rows: a block of {@code NR}
 * columns ({@code NR} a multiple of the vector length, at most two panels) has, for each {@code p}, its vectors at
 * fixed strides, and a k-block of a panel is consecutive floats: what the GEMM otherwise packs {@code W} into at every
 * call, with a gather per vector. Measured (one thread, AVX-512, {@code W} from L3 as in a model, the fastest of
 * 400-3000 calls on a shared machine): at 128 rows 113-116 against 96-100 GFLOP/s at 128 x 384 x 1152 and
 * 128 x 384 x 1536, 114 against 105 at 128 x 1536 x 384; at 16 rows 79-99 against 57-77 at 16 x 384 x 1152 and 62-70
 * against 51-59 at 16 x 1536 x 384 for a kernel that took the 16 rows as vector lanes and broadcast {@code W} (since
 * removed), and 68-72 against 29-50 at 8 rows.
 *
 * <p>Panel {@code q} starts at {@code q * ROWS * k}, so columns {@code [j0, j0 + n)} of a product with {@code j0} a
 * multiple of {@value #ROWS} start at {@link #offset}{@code (j0, k)}.
 */
public final class RowPanels {

    /** Rows of {@code W} per panel: a divisor of the column blocks the products are split into across threads. */
    public static final int ROWS = 16;

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
