package dev.attention4j.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code C = A B^T} for a few rows of {@code A} (a short sentence through a linear layer: {@code x W^T} with
 * {@code W (outFeatures, inFeatures)} row-major) without packing {@code B}: {@link PackedGemm} would gather all of
 * {@code W} into panels at every call, which for 16 rows cost more than the product. Here the roles turn: the rows of
 * {@code A} are the vector lanes and {@code W} is read in place, one element broadcast at a time.
 *
 * <p>{@code A[i, p] = a[aOff + i * ars + p * aps]}, {@code B[p, j] = b[bOff + j * ldb + p]} (rows of {@code W}
 * contiguous). Loops: the rows of {@code A} (at most {@link #MAX_ROWS}, see {@link #applies}) are packed as panels of
 * {@link #PANEL} rows, {@code xt[q * k * PANEL + p * PANEL + ii] = A[q * PANEL + ii, p]}, zero past the last row, a
 * last panel of at most {@code LANES} rows only {@code LANES} wide: the only copy, of the small operand. Then the
 * columns of {@code C} (rows of {@code W}) in blocks of 12, then 4, then 1; the panels; the register block of that
 * many rows of {@code W} x 2 vectors of rows of {@code A} (1 vector for a panel of at most {@code LANES} rows) over all
 * of {@code k}, stored into a small tile and copied, transposed, into {@code C}. The block of {@code W} stays in L1/L2
 * across the panels. Per fma a broadcast of {@code W} and half a load of {@code A} (a whole one on one vector of
 * rows), against a gather of {@code W} per packed element that the packing pays.
 *
 * <p>Determinism: every element of {@code C} is the in-order fma chain {@code s = 0; s = fma(A[i, p], B[p, j], s)}
 * over {@code p = 0 .. k-1} (the register blocks compute {@code fma(W[j, p], A[i, p], s)}, the same exactly rounded
 * value), as in {@link PackedGemm}: so the same bits whichever of the two paths, blocks or threads compute it.
 *
 * <p>Scratch: one fixed-size transpose buffer and tile per thread, made on the thread's first product.
 */
final class FewRowsGemm {

    private static final VectorSpecies<Float> SPECIES = VectorKernels.SPECIES;
    private static final int LANES = VectorKernels.LANES;
    /** Rows of {@code A} per panel: two vectors. */
    static final int PANEL = 2 * LANES;
    /**
     * The fewest rows this path takes: one. Below half a vector most lanes idle, but the alternative packs all of
     * {@code W} for those few rows. Measured (one thread, {@code 1 x 256 x 10000}, AMD Zen 5, medians): one row 9.4
     * against 6.5 GFLOP/s packed, four rows even (34-35), seven 57-58 against 36-37. (When packing took a gather per
     * vector of {@code W}, before {@link LaneTranspose}, one row ran at 1.9 packed.)
     */
    static final int MIN_ROWS = 1;
    /** Up to this many rows the path is taken whatever {@code k}: one vector of rows, a {@code LANES}-wide panel. */
    static final int ONE_VECTOR_ROWS = LANES;
    /** Up to this many rows the path is taken when {@code k <= MAX_K_FOR_MORE_ROWS}. */
    static final int MAX_ROWS = 4 * LANES;
    /**
     * The longest {@code k} for more than one vector of rows: a {@code k x PANEL} panel then stays in L1 (48 KiB
     * here). Measured (one thread, CPU time, AVX-512, {@code n} = 192 and 768): at 16 and 32 rows and {@code k} = 384
     * this path ran at 88-127 GFLOP/s against 65-88 for packing {@code B}; at {@code k} = 1536 and more than 16 rows,
     * and from 96 rows on, packing won (by 10-20%).
     */
    static final int MAX_K_FOR_MORE_ROWS = 512;
    /** Floats of the transposed-rows scratch (1 MiB). */
    static final int XT_FLOATS = 1 << 18;

    private static final class Scratch {
        final float[] xt = new float[XT_FLOATS];    // (panels, k, PANEL): A's rows transposed, by panels
        final float[] tile = new float[12 * PANEL];  // a register block of C^T
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private FewRowsGemm() {
    }

    /** Whether {@link #gemm} takes an {@code (m, k) x (k, n)} product: few rows, whose transpose fits the scratch. */
    static boolean applies(int m, int k) {
        if (m < MIN_ROWS || (long) k * MAX_ROWS > XT_FLOATS) {
            return false;
        }
        return m <= ONE_VECTOR_ROWS || (m <= MAX_ROWS && k <= MAX_K_FOR_MORE_ROWS);
    }

    /**
     * {@code c[m x n] = A B^T} as in the class comment, for {@code m} and {@code k >= 1} that {@link #applies} accepts;
     * {@code c} must not alias {@code a} or {@code b}.
     */
    static void gemm(float[] c, int cOff, int ldc, float[] a, int aOff, int ars, int aps,
                     float[] b, int bOff, int ldb, int m, int n, int k) {
        Scratch s = SCRATCH.get();
        float[] xt = s.xt;
        float[] t = s.tile;
        int panels = (m + PANEL - 1) / PANEL;
        packRows(xt, a, aOff, ars, aps, m, k);
        for (int j = 0; j < n; ) {
            int rk = n - j >= 12 ? 12 : n - j >= 4 ? 4 : 1; // rows of W in this register block
            int w0 = bOff + j * ldb;
            for (int q = 0; q < panels; q++) {
                int pr = Math.min(PANEL, m - q * PANEL);     // rows of A in this panel
                int px = q * k * PANEL;
                if (pr > LANES) {
                    switch (rk) {
                        case 12 -> kernel12x2(t, b, w0, ldb, xt, px, k);
                        case 4 -> kernel4x2(t, b, w0, ldb, xt, px, k);
                        default -> kernel1x2(t, b, w0, ldb, xt, px, k);
                    }
                } else {
                    switch (rk) {
                        case 12 -> kernel12x1(t, b, w0, ldb, xt, px, k);
                        case 4 -> kernel4x1(t, b, w0, ldb, xt, px, k);
                        default -> kernel1x1(t, b, w0, ldb, xt, px, k);
                    }
                }
                int c0 = cOff + q * PANEL * ldc + j;             // the tile is C^T: t[r * PANEL + ii] = C[ii, r]
                for (int ii = 0; ii < pr; ii++) {
                    int ci = c0 + ii * ldc;
                    for (int r = 0; r < rk; r++) {
                        c[ci + r] = t[r * PANEL + ii];
                    }
                }
            }
            j += rk;
        }
    }

    /**
     * {@code xt[q * k * PANEL + p * width + ii] = A[q * PANEL + ii, p]} for the {@code rows} rows at {@code src}, zero
     * for the padding rows, where {@code width} is {@code PANEL}, or {@code LANES} for a last panel of at most
     * {@code LANES} rows (so that its one vector per p is read from consecutive floats).
     */
    private static void packRows(float[] xt, float[] a, int src, int ars, int aps, int rows, int k) {
        int panels = (rows + PANEL - 1) / PANEL;
        int lastWidth = rows - (panels - 1) * PANEL > LANES ? PANEL : LANES;
        int padded = (panels - 1) * PANEL + lastWidth;
        for (int i = 0; i < padded; i++) {
            int q = i / PANEL;
            int width = q == panels - 1 ? lastWidth : PANEL;
            int d = q * k * PANEL + i % PANEL;
            if (i < rows) {
                int si = src + i * ars;
                for (int p = 0; p < k; p++) {
                    xt[d + p * width] = a[si + p * aps];
                }
            } else {
                for (int p = 0; p < k; p++) {
                    xt[d + p * width] = 0f;
                }
            }
        }
    }

    // The register blocks below are written out (scripted) for 12, 4 and 1 rows of W by 2 or 1 vectors of A's rows:
    // separate small methods taking only arrays and ints, so that C2 keeps every accumulator in a register. Each
    // computes s[r][v] = fma(W[r, p], x[v, p], s) over p in [0, k) from 0, with W[r, p] = w[w0 + r * ldw + p] and the
    // lanes of x[v, p] = xt[px + p * PANEL + v * LANES ..] (xt[px + p * LANES ..] for one vector), and stores s[r][v]
    // at t[r * PANEL + v * LANES].

    private static void kernel12x2(float[] t, float[] w, int w0, int ldw, float[] xt, int px, int k) {
        int d0 = w0;
        int d1 = w0 + 1 * ldw;
        int d2 = w0 + 2 * ldw;
        int d3 = w0 + 3 * ldw;
        int d4 = w0 + 4 * ldw;
        int d5 = w0 + 5 * ldw;
        int d6 = w0 + 6 * ldw;
        int d7 = w0 + 7 * ldw;
        int d8 = w0 + 8 * ldw;
        int d9 = w0 + 9 * ldw;
        int d10 = w0 + 10 * ldw;
        int d11 = w0 + 11 * ldw;
        FloatVector z = FloatVector.zero(SPECIES);
        FloatVector s0_0 = z;
        FloatVector s0_1 = z;
        FloatVector s1_0 = z;
        FloatVector s1_1 = z;
        FloatVector s2_0 = z;
        FloatVector s2_1 = z;
        FloatVector s3_0 = z;
        FloatVector s3_1 = z;
        FloatVector s4_0 = z;
        FloatVector s4_1 = z;
        FloatVector s5_0 = z;
        FloatVector s5_1 = z;
        FloatVector s6_0 = z;
        FloatVector s6_1 = z;
        FloatVector s7_0 = z;
        FloatVector s7_1 = z;
        FloatVector s8_0 = z;
        FloatVector s8_1 = z;
        FloatVector s9_0 = z;
        FloatVector s9_1 = z;
        FloatVector s10_0 = z;
        FloatVector s10_1 = z;
        FloatVector s11_0 = z;
        FloatVector s11_1 = z;
        for (int p = 0; p < k; p++) {
            int xi = px + p * PANEL;
            FloatVector x0 = FloatVector.fromArray(SPECIES, xt, xi);
            FloatVector x1 = FloatVector.fromArray(SPECIES, xt, xi + 1 * LANES);
            FloatVector wv = FloatVector.broadcast(SPECIES, w[d0 + p]);
            s0_0 = wv.fma(x0, s0_0);
            s0_1 = wv.fma(x1, s0_1);
            wv = FloatVector.broadcast(SPECIES, w[d1 + p]);
            s1_0 = wv.fma(x0, s1_0);
            s1_1 = wv.fma(x1, s1_1);
            wv = FloatVector.broadcast(SPECIES, w[d2 + p]);
            s2_0 = wv.fma(x0, s2_0);
            s2_1 = wv.fma(x1, s2_1);
            wv = FloatVector.broadcast(SPECIES, w[d3 + p]);
            s3_0 = wv.fma(x0, s3_0);
            s3_1 = wv.fma(x1, s3_1);
            wv = FloatVector.broadcast(SPECIES, w[d4 + p]);
            s4_0 = wv.fma(x0, s4_0);
            s4_1 = wv.fma(x1, s4_1);
            wv = FloatVector.broadcast(SPECIES, w[d5 + p]);
            s5_0 = wv.fma(x0, s5_0);
            s5_1 = wv.fma(x1, s5_1);
            wv = FloatVector.broadcast(SPECIES, w[d6 + p]);
            s6_0 = wv.fma(x0, s6_0);
            s6_1 = wv.fma(x1, s6_1);
            wv = FloatVector.broadcast(SPECIES, w[d7 + p]);
            s7_0 = wv.fma(x0, s7_0);
            s7_1 = wv.fma(x1, s7_1);
            wv = FloatVector.broadcast(SPECIES, w[d8 + p]);
            s8_0 = wv.fma(x0, s8_0);
            s8_1 = wv.fma(x1, s8_1);
            wv = FloatVector.broadcast(SPECIES, w[d9 + p]);
            s9_0 = wv.fma(x0, s9_0);
            s9_1 = wv.fma(x1, s9_1);
            wv = FloatVector.broadcast(SPECIES, w[d10 + p]);
            s10_0 = wv.fma(x0, s10_0);
            s10_1 = wv.fma(x1, s10_1);
            wv = FloatVector.broadcast(SPECIES, w[d11 + p]);
            s11_0 = wv.fma(x0, s11_0);
            s11_1 = wv.fma(x1, s11_1);
        }
        s0_0.intoArray(t, 0 * PANEL);
        s0_1.intoArray(t, 0 * PANEL + 1 * LANES);
        s1_0.intoArray(t, 1 * PANEL);
        s1_1.intoArray(t, 1 * PANEL + 1 * LANES);
        s2_0.intoArray(t, 2 * PANEL);
        s2_1.intoArray(t, 2 * PANEL + 1 * LANES);
        s3_0.intoArray(t, 3 * PANEL);
        s3_1.intoArray(t, 3 * PANEL + 1 * LANES);
        s4_0.intoArray(t, 4 * PANEL);
        s4_1.intoArray(t, 4 * PANEL + 1 * LANES);
        s5_0.intoArray(t, 5 * PANEL);
        s5_1.intoArray(t, 5 * PANEL + 1 * LANES);
        s6_0.intoArray(t, 6 * PANEL);
        s6_1.intoArray(t, 6 * PANEL + 1 * LANES);
        s7_0.intoArray(t, 7 * PANEL);
        s7_1.intoArray(t, 7 * PANEL + 1 * LANES);
        s8_0.intoArray(t, 8 * PANEL);
        s8_1.intoArray(t, 8 * PANEL + 1 * LANES);
        s9_0.intoArray(t, 9 * PANEL);
        s9_1.intoArray(t, 9 * PANEL + 1 * LANES);
        s10_0.intoArray(t, 10 * PANEL);
        s10_1.intoArray(t, 10 * PANEL + 1 * LANES);
        s11_0.intoArray(t, 11 * PANEL);
        s11_1.intoArray(t, 11 * PANEL + 1 * LANES);
    }

    private static void kernel4x2(float[] t, float[] w, int w0, int ldw, float[] xt, int px, int k) {
        int d0 = w0;
        int d1 = w0 + 1 * ldw;
        int d2 = w0 + 2 * ldw;
        int d3 = w0 + 3 * ldw;
        FloatVector z = FloatVector.zero(SPECIES);
        FloatVector s0_0 = z;
        FloatVector s0_1 = z;
        FloatVector s1_0 = z;
        FloatVector s1_1 = z;
        FloatVector s2_0 = z;
        FloatVector s2_1 = z;
        FloatVector s3_0 = z;
        FloatVector s3_1 = z;
        for (int p = 0; p < k; p++) {
            int xi = px + p * PANEL;
            FloatVector x0 = FloatVector.fromArray(SPECIES, xt, xi);
            FloatVector x1 = FloatVector.fromArray(SPECIES, xt, xi + 1 * LANES);
            FloatVector wv = FloatVector.broadcast(SPECIES, w[d0 + p]);
            s0_0 = wv.fma(x0, s0_0);
            s0_1 = wv.fma(x1, s0_1);
            wv = FloatVector.broadcast(SPECIES, w[d1 + p]);
            s1_0 = wv.fma(x0, s1_0);
            s1_1 = wv.fma(x1, s1_1);
            wv = FloatVector.broadcast(SPECIES, w[d2 + p]);
            s2_0 = wv.fma(x0, s2_0);
            s2_1 = wv.fma(x1, s2_1);
            wv = FloatVector.broadcast(SPECIES, w[d3 + p]);
            s3_0 = wv.fma(x0, s3_0);
            s3_1 = wv.fma(x1, s3_1);
        }
        s0_0.intoArray(t, 0 * PANEL);
        s0_1.intoArray(t, 0 * PANEL + 1 * LANES);
        s1_0.intoArray(t, 1 * PANEL);
        s1_1.intoArray(t, 1 * PANEL + 1 * LANES);
        s2_0.intoArray(t, 2 * PANEL);
        s2_1.intoArray(t, 2 * PANEL + 1 * LANES);
        s3_0.intoArray(t, 3 * PANEL);
        s3_1.intoArray(t, 3 * PANEL + 1 * LANES);
    }

    private static void kernel1x2(float[] t, float[] w, int w0, int ldw, float[] xt, int px, int k) {
        int d0 = w0;
        FloatVector z = FloatVector.zero(SPECIES);
        FloatVector s0_0 = z;
        FloatVector s0_1 = z;
        for (int p = 0; p < k; p++) {
            int xi = px + p * PANEL;
            FloatVector x0 = FloatVector.fromArray(SPECIES, xt, xi);
            FloatVector x1 = FloatVector.fromArray(SPECIES, xt, xi + 1 * LANES);
            FloatVector wv = FloatVector.broadcast(SPECIES, w[d0 + p]);
            s0_0 = wv.fma(x0, s0_0);
            s0_1 = wv.fma(x1, s0_1);
        }
        s0_0.intoArray(t, 0 * PANEL);
        s0_1.intoArray(t, 0 * PANEL + 1 * LANES);
    }

    private static void kernel12x1(float[] t, float[] w, int w0, int ldw, float[] xt, int px, int k) {
        int d0 = w0;
        int d1 = w0 + 1 * ldw;
        int d2 = w0 + 2 * ldw;
        int d3 = w0 + 3 * ldw;
        int d4 = w0 + 4 * ldw;
        int d5 = w0 + 5 * ldw;
        int d6 = w0 + 6 * ldw;
        int d7 = w0 + 7 * ldw;
        int d8 = w0 + 8 * ldw;
        int d9 = w0 + 9 * ldw;
        int d10 = w0 + 10 * ldw;
        int d11 = w0 + 11 * ldw;
        FloatVector z = FloatVector.zero(SPECIES);
        FloatVector s0_0 = z;
        FloatVector s1_0 = z;
        FloatVector s2_0 = z;
        FloatVector s3_0 = z;
        FloatVector s4_0 = z;
        FloatVector s5_0 = z;
        FloatVector s6_0 = z;
        FloatVector s7_0 = z;
        FloatVector s8_0 = z;
        FloatVector s9_0 = z;
        FloatVector s10_0 = z;
        FloatVector s11_0 = z;
        for (int p = 0; p < k; p++) {
            int xi = px + p * LANES;
            FloatVector x0 = FloatVector.fromArray(SPECIES, xt, xi);
            FloatVector wv = FloatVector.broadcast(SPECIES, w[d0 + p]);
            s0_0 = wv.fma(x0, s0_0);
            wv = FloatVector.broadcast(SPECIES, w[d1 + p]);
            s1_0 = wv.fma(x0, s1_0);
            wv = FloatVector.broadcast(SPECIES, w[d2 + p]);
            s2_0 = wv.fma(x0, s2_0);
            wv = FloatVector.broadcast(SPECIES, w[d3 + p]);
            s3_0 = wv.fma(x0, s3_0);
            wv = FloatVector.broadcast(SPECIES, w[d4 + p]);
            s4_0 = wv.fma(x0, s4_0);
            wv = FloatVector.broadcast(SPECIES, w[d5 + p]);
            s5_0 = wv.fma(x0, s5_0);
            wv = FloatVector.broadcast(SPECIES, w[d6 + p]);
            s6_0 = wv.fma(x0, s6_0);
            wv = FloatVector.broadcast(SPECIES, w[d7 + p]);
            s7_0 = wv.fma(x0, s7_0);
            wv = FloatVector.broadcast(SPECIES, w[d8 + p]);
            s8_0 = wv.fma(x0, s8_0);
            wv = FloatVector.broadcast(SPECIES, w[d9 + p]);
            s9_0 = wv.fma(x0, s9_0);
            wv = FloatVector.broadcast(SPECIES, w[d10 + p]);
            s10_0 = wv.fma(x0, s10_0);
            wv = FloatVector.broadcast(SPECIES, w[d11 + p]);
            s11_0 = wv.fma(x0, s11_0);
        }
        s0_0.intoArray(t, 0 * PANEL);
        s1_0.intoArray(t, 1 * PANEL);
        s2_0.intoArray(t, 2 * PANEL);
        s3_0.intoArray(t, 3 * PANEL);
        s4_0.intoArray(t, 4 * PANEL);
        s5_0.intoArray(t, 5 * PANEL);
        s6_0.intoArray(t, 6 * PANEL);
        s7_0.intoArray(t, 7 * PANEL);
        s8_0.intoArray(t, 8 * PANEL);
        s9_0.intoArray(t, 9 * PANEL);
        s10_0.intoArray(t, 10 * PANEL);
        s11_0.intoArray(t, 11 * PANEL);
    }

    private static void kernel4x1(float[] t, float[] w, int w0, int ldw, float[] xt, int px, int k) {
        int d0 = w0;
        int d1 = w0 + 1 * ldw;
        int d2 = w0 + 2 * ldw;
        int d3 = w0 + 3 * ldw;
        FloatVector z = FloatVector.zero(SPECIES);
        FloatVector s0_0 = z;
        FloatVector s1_0 = z;
        FloatVector s2_0 = z;
        FloatVector s3_0 = z;
        for (int p = 0; p < k; p++) {
            int xi = px + p * LANES;
            FloatVector x0 = FloatVector.fromArray(SPECIES, xt, xi);
            FloatVector wv = FloatVector.broadcast(SPECIES, w[d0 + p]);
            s0_0 = wv.fma(x0, s0_0);
            wv = FloatVector.broadcast(SPECIES, w[d1 + p]);
            s1_0 = wv.fma(x0, s1_0);
            wv = FloatVector.broadcast(SPECIES, w[d2 + p]);
            s2_0 = wv.fma(x0, s2_0);
            wv = FloatVector.broadcast(SPECIES, w[d3 + p]);
            s3_0 = wv.fma(x0, s3_0);
        }
        s0_0.intoArray(t, 0 * PANEL);
        s1_0.intoArray(t, 1 * PANEL);
        s2_0.intoArray(t, 2 * PANEL);
        s3_0.intoArray(t, 3 * PANEL);
    }

    private static void kernel1x1(float[] t, float[] w, int w0, int ldw, float[] xt, int px, int k) {
        int d0 = w0;
        FloatVector z = FloatVector.zero(SPECIES);
        FloatVector s0_0 = z;
        for (int p = 0; p < k; p++) {
            int xi = px + p * LANES;
            FloatVector x0 = FloatVector.fromArray(SPECIES, xt, xi);
            FloatVector wv = FloatVector.broadcast(SPECIES, w[d0 + p]);
            s0_0 = wv.fma(x0, s0_0);
        }
        s0_0.intoArray(t, 0 * PANEL);
    }
}
