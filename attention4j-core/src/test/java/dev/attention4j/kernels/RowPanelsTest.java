package dev.attention4j.kernels;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Kernels#matmulTransBPanels} on a weight packed by {@link RowPanels}: the bits of the same implementation's
 * {@link Kernels#matmulTransB} on the weight itself (the reference twin and the active kernels, SIMD when present),
 * and within float rounding of a double-precision sum (an oracle that shares no code with either), at row counts
 * around a vector and slivers ending in each register block (1, 3, 7, 16, 17, 20, 23, 63, 64, 65), widths that cut a panel, column ranges that start at a later panel,
 * and non-zero offsets; nothing outside the output region is written.
 */
class RowPanelsTest {

    private static final float GUARD = Float.NaN;

    @Test
    void panelsGiveTheBitsOfTheProductOnTheWeightItself() {
        SplittableRandom random = new SplittableRandom(42);
        Kernels[] impls = {ScalarKernels.INSTANCE, Kernels.active()};
        for (int m : new int[] {1, 3, 7, 16, 17, 20, 23, 63, 64, 65}) {
            for (int[] nk : new int[][] {{1, 1}, {15, 5}, {16, 33}, {17, 384}, {40, 100}, {100, 17}, {80, 300}}) {
                int n = nk[0];
                int k = nk[1];
                int aOff = 3;
                int lda = k + 2;
                float[] a = random(random, aOff + m * lda);
                int wOff = 5;
                float[] w = random(random, wOff + n * k);                 // W (n, k), rows k apart
                float[] packed = new float[RowPanels.size(n, k)];
                RowPanels.pack(packed, w, wOff, n, k);
                for (int j0 = 0; j0 < n; j0 += RowPanels.ROWS) {          // columns [j0, n): a thread's block
                    int cols = n - j0;
                    for (Kernels impl : impls) {
                        int cOff = 7;
                        int ldc = cols + 3;
                        float[] expected = new float[cOff + m * ldc];
                        Arrays.fill(expected, GUARD);
                        impl.matmulTransB(expected, cOff, ldc, a, aOff, lda, w, wOff + j0 * k, k, m, cols, k);
                        float[] actual = new float[expected.length];
                        Arrays.fill(actual, GUARD);
                        impl.matmulTransBPanels(actual, cOff, ldc, a, aOff, lda, packed, RowPanels.offset(j0, k),
                                m, cols, k);
                        String what = impl.name() + " m " + m + " n " + n + " k " + k + " from column " + j0;
                        assertThat(actual).as(what).isEqualTo(expected); // bits, and the guards untouched
                        for (int i = 0; i < m; i++) {
                            for (int j = 0; j < cols; j++) {
                                double sum = 0;
                                double mag = 0;
                                for (int p = 0; p < k; p++) {
                                    double term = (double) a[aOff + i * lda + p] * w[wOff + (j0 + j) * k + p];
                                    sum += term;
                                    mag += Math.abs(term);
                                }
                                assertThat((double) actual[cOff + i * ldc + j]).as("%s: C[%d, %d]", what, i, j)
                                        .isCloseTo(sum, org.assertj.core.data.Offset.offset(1e-6 * k * mag + 1e-7));
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * Past the few rows of {@link FewRowsGemm} the panels run the packed GEMM's register blocks on the weight where it
     * lies ({@link PackedGemm#gemmPanels}): the bits of {@code matmulTransB} on the weight itself, bit for bit, at row
     * counts that are and are not multiples of its 12- and 4-row blocks, widths around 16 and 32 columns (a ragged last
     * panel, one that ends where the weight's last panel ends, or inside it), {@code k} around the 256-deep k-blocks,
     * and columns from 0, 64 and 128 of a larger weight (a thread's block), ending at its last row or before it.
     */
    @Test
    void panelsOnManyRowsGiveTheBitsOfTheProductOnTheWeightItself() {
        SplittableRandom random = new SplittableRandom(43);
        Kernels[] impls = {ScalarKernels.INSTANCE, Kernels.active()};
        int[][] mnk = {
            {17, 1, 1}, {17, 15, 7}, {17, 16, 255}, {17, 17, 256}, {17, 31, 257}, {17, 33, 600}, {17, 1152, 384},
            {23, 32, 384}, {23, 64, 1536}, {23, 100, 257},
            {24, 16, 256}, {24, 33, 257}, {24, 384, 384},
            {25, 31, 600}, {25, 17, 1536}, {25, 100, 7},
            {100, 1, 255}, {100, 15, 1536}, {100, 64, 600}, {100, 384, 257},
            {128, 1152, 384}, {128, 384, 1536}, {128, 33, 256}, {128, 100, 384},
            {300, 17, 257}, {300, 32, 600}, {300, 64, 255}, {300, 100, 1536},
        };
        for (int[] t : mnk) {
            int m = t[0];
            int n = t[1];
            int k = t[2];
            int aOff = 1;
            int lda = k + 1;
            float[] a = random(random, aOff + m * lda);
            for (int j0 : new int[] {0, 64, 128}) {
                for (int after : new int[] {0, 19}) {                    // rows of W past the block's columns
                    int rows = j0 + n + after;                           // W (rows, k), rows k apart
                    int wOff = 2;
                    float[] w = random(random, wOff + rows * k);
                    float[] packed = new float[RowPanels.size(rows, k)];
                    RowPanels.pack(packed, w, wOff, rows, k);
                    for (Kernels impl : impls) {
                        int cOff = 5;
                        int ldc = n + 2;
                        float[] expected = new float[cOff + m * ldc];
                        Arrays.fill(expected, GUARD);
                        impl.matmulTransB(expected, cOff, ldc, a, aOff, lda, w, wOff + j0 * k, k, m, n, k);
                        float[] actual = new float[expected.length];
                        Arrays.fill(actual, GUARD);
                        impl.matmulTransBPanels(actual, cOff, ldc, a, aOff, lda, packed, RowPanels.offset(j0, k),
                                m, n, k);
                        for (int i = 0; i < expected.length; i++) {     // bits, and the guards untouched
                            if (Float.floatToRawIntBits(actual[i]) != Float.floatToRawIntBits(expected[i])) {
                                int r = Math.floorDiv(i - cOff, ldc);
                                throw new AssertionError(impl.name() + " m " + m + " n " + n + " k " + k
                                        + " columns from " + j0 + " of " + rows + ": C[" + r + ", "
                                        + (i - cOff - r * ldc) + "] is " + actual[i] + ", expected " + expected[i]);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void packingPutsEachElementWhereTheLayoutSays() {
        int n = RowPanels.ROWS + 5; // two panels, the second padded
        int k = 3;
        float[] w = new float[n * k];
        for (int i = 0; i < w.length; i++) {
            w[i] = i + 1;
        }
        float[] packed = new float[RowPanels.size(n, k)];
        RowPanels.pack(packed, w, 0, n, k);
        assertThat(packed).hasSize(2 * RowPanels.ROWS * k);
        for (int j = 0; j < 2 * RowPanels.ROWS; j++) {
            for (int p = 0; p < k; p++) {
                float expected = j < n ? w[j * k + p] : 0f;
                assertThat(packed[(j / RowPanels.ROWS) * RowPanels.ROWS * k + p * RowPanels.ROWS + j % RowPanels.ROWS])
                        .as("W[%d, %d]", j, p).isEqualTo(expected);
            }
        }
    }

    private static float[] random(SplittableRandom random, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (random.nextDouble() * 2 - 1);
        }
        return x;
    }
}
