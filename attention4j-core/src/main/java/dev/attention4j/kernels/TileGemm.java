package dev.attention4j.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The unpacked, register-blocked product behind {@link VectorKernels#tileMatmul} and {@link VectorKernels#tileMatmulAdd}:
 * {@code C (m x n) = A B} or {@code C += A B} with {@code A[i, p] = a[aOff + i * ars + p * aps]} (any strides: A is
 * read by scalar broadcasts, so a transposed A costs nothing) and {@code B[p, j] = b[bOff + p * ldb + j]} (rows
 * contiguous, read by vector loads). Made for the L1/L2-sized tiles of tiled attention, where packing (as
 * {@link PackedGemm} does for big products) would cost as much as the product: the caller lays B out once per tile.
 *
 * <p>Loops: columns in groups of 4 vectors, then one group of 2, then single vectors, then single columns; within a
 * group, rows in blocks of 6 (a 6 x 4-vector register block, 24 accumulators), then one block of 4 (so that 64 rows,
 * a query tile, run without single rows), then single rows a vector at a time.
 *
 * <p>Determinism: every element of {@code C} is one in-order fma chain {@code s = fma(A[i, p], B[p, j], s)} over
 * {@code p = 0 .. k-1}, starting from 0 ({@code tileMatmul}) or from {@code C}'s value ({@code tileMatmulAdd}), in
 * every block shape and in the scalar tail columns; so an element's bits do not depend on where it sits in the
 * call, and a product accumulated over several calls (k split into tiles) equals one chain over the whole k.
 */
final class TileGemm {

    private static final VectorSpecies<Float> SPECIES = VectorKernels.SPECIES;
    private static final int LANES = VectorKernels.LANES;
    /** Rows of the register block. */
    static final int MR = 6;
    /** Vectors of the register block: {@code MR * NV} accumulators, {@code NV} operands and a broadcast. */
    static final int NV = 4;
    /**
     * The row stride {@link #block6x4} also runs with as a compile-time constant: tiled attention's tiles are 64
     * columns wide (its query tile, and a head of 64 dims), and with constant strides C2 can prove the loads in bounds
     * once per block instead of at each step.
     */
    static final int FIXED_STRIDE = 64;

    private TileGemm() {
    }

    /** {@code C = A B} ({@code acc == false}) or {@code C += A B} ({@code acc}), as in the class comment. */
    static void tile(float[] c, int cOff, int ldc, float[] a, int aOff, int ars, int aps, float[] b, int bOff,
                     int ldb, int m, int n, int k, boolean acc) {
        int j = 0;
        for (; j + NV * LANES <= n; j += NV * LANES) {
            int i = 0;
            for (; i + MR <= m; i += MR) {
                block6x4(c, cOff + i * ldc + j, ldc, a, aOff + i * ars, ars, aps, b, bOff + j, ldb, k, acc);
            }
            if (i + 4 <= m) { // 16 chains keep the fma pipes busy where single rows (4 chains) would not
                block4x4(c, cOff + i * ldc + j, ldc, a, aOff + i * ars, ars, aps, b, bOff + j, ldb, k, acc);
                i += 4;
            }
            for (; i < m; i++) { // a rare single row (m % 6 of 1, 2, 3 or 5): one vector at a time
                for (int v = 0; v < NV; v++) {
                    block1x1(c, cOff + i * ldc + j + v * LANES, ldc, a, aOff + i * ars, ars, aps, b,
                            bOff + j + v * LANES, ldb, k, acc);
                }
            }
        }
        if (j + 2 * LANES <= n) { // two vectors (a head of 32 dims at 512 bits): twice the fmas per broadcast
            int i = 0;
            for (; i + MR <= m; i += MR) {
                block6x2(c, cOff + i * ldc + j, ldc, a, aOff + i * ars, ars, aps, b, bOff + j, ldb, k, acc);
            }
            if (i + 4 <= m) {
                block4x2(c, cOff + i * ldc + j, ldc, a, aOff + i * ars, ars, aps, b, bOff + j, ldb, k, acc);
                i += 4;
            }
            for (; i < m; i++) {
                for (int v = 0; v < 2; v++) {
                    block1x1(c, cOff + i * ldc + j + v * LANES, ldc, a, aOff + i * ars, ars, aps, b,
                            bOff + j + v * LANES, ldb, k, acc);
                }
            }
            j += 2 * LANES;
        }
        for (; j + LANES <= n; j += LANES) {
            int i = 0;
            for (; i + MR <= m; i += MR) {
                block6x1(c, cOff + i * ldc + j, ldc, a, aOff + i * ars, ars, aps, b, bOff + j, ldb, k, acc);
            }
            for (; i < m; i++) {
                block1x1(c, cOff + i * ldc + j, ldc, a, aOff + i * ars, ars, aps, b, bOff + j, ldb, k, acc);
            }
        }
        for (; j < n; j++) {
            for (int i = 0; i < m; i++) {
                int ci = cOff + i * ldc + j;
                int ai = aOff + i * ars;
                float s = acc ? c[ci] : 0f;
                for (int p = 0; p < k; p++) {
                    s = Math.fma(a[ai + p * aps], b[bOff + p * ldb + j], s);
                }
                c[ci] = s;
            }
        }
    }

    /** The 6 x 4-vector register block of {@link #tile} at row {@code i}, columns {@code [j, j + 4 * LANES)}. */
    private static void block6x4(float[] c, int c0, int ldc, float[] a, int aStart, int ars, int aps,
                                  float[] b, int bStart, int ldb, int k, boolean acc) {
        int d0 = c0 + 0 * ldc;
        int a0 = aStart + 0 * ars;
        int d1 = c0 + 1 * ldc;
        int a1 = aStart + 1 * ars;
        int d2 = c0 + 2 * ldc;
        int a2 = aStart + 2 * ars;
        int d3 = c0 + 3 * ldc;
        int a3 = aStart + 3 * ars;
        int d4 = c0 + 4 * ldc;
        int a4 = aStart + 4 * ars;
        int d5 = c0 + 5 * ldc;
        int a5 = aStart + 5 * ars;
        FloatVector z = FloatVector.zero(SPECIES);
        FloatVector s00 = acc ? FloatVector.fromArray(SPECIES, c, d0 + 0 * LANES) : z;
        FloatVector s01 = acc ? FloatVector.fromArray(SPECIES, c, d0 + 1 * LANES) : z;
        FloatVector s02 = acc ? FloatVector.fromArray(SPECIES, c, d0 + 2 * LANES) : z;
        FloatVector s03 = acc ? FloatVector.fromArray(SPECIES, c, d0 + 3 * LANES) : z;
        FloatVector s10 = acc ? FloatVector.fromArray(SPECIES, c, d1 + 0 * LANES) : z;
        FloatVector s11 = acc ? FloatVector.fromArray(SPECIES, c, d1 + 1 * LANES) : z;
        FloatVector s12 = acc ? FloatVector.fromArray(SPECIES, c, d1 + 2 * LANES) : z;
        FloatVector s13 = acc ? FloatVector.fromArray(SPECIES, c, d1 + 3 * LANES) : z;
        FloatVector s20 = acc ? FloatVector.fromArray(SPECIES, c, d2 + 0 * LANES) : z;
        FloatVector s21 = acc ? FloatVector.fromArray(SPECIES, c, d2 + 1 * LANES) : z;
        FloatVector s22 = acc ? FloatVector.fromArray(SPECIES, c, d2 + 2 * LANES) : z;
        FloatVector s23 = acc ? FloatVector.fromArray(SPECIES, c, d2 + 3 * LANES) : z;
        FloatVector s30 = acc ? FloatVector.fromArray(SPECIES, c, d3 + 0 * LANES) : z;
        FloatVector s31 = acc ? FloatVector.fromArray(SPECIES, c, d3 + 1 * LANES) : z;
        FloatVector s32 = acc ? FloatVector.fromArray(SPECIES, c, d3 + 2 * LANES) : z;
        FloatVector s33 = acc ? FloatVector.fromArray(SPECIES, c, d3 + 3 * LANES) : z;
        FloatVector s40 = acc ? FloatVector.fromArray(SPECIES, c, d4 + 0 * LANES) : z;
        FloatVector s41 = acc ? FloatVector.fromArray(SPECIES, c, d4 + 1 * LANES) : z;
        FloatVector s42 = acc ? FloatVector.fromArray(SPECIES, c, d4 + 2 * LANES) : z;
        FloatVector s43 = acc ? FloatVector.fromArray(SPECIES, c, d4 + 3 * LANES) : z;
        FloatVector s50 = acc ? FloatVector.fromArray(SPECIES, c, d5 + 0 * LANES) : z;
        FloatVector s51 = acc ? FloatVector.fromArray(SPECIES, c, d5 + 1 * LANES) : z;
        FloatVector s52 = acc ? FloatVector.fromArray(SPECIES, c, d5 + 2 * LANES) : z;
        FloatVector s53 = acc ? FloatVector.fromArray(SPECIES, c, d5 + 3 * LANES) : z;
        // the strides of tiled attention at head dim 64 as constants, so that C2 checks the loads' bounds once per
        // block instead of at every step (~6% of bench attention), and, with A's row stride constant too, addresses
        // A's rows from one index (no register per row: C2 spilled those in the loop; ~15% on these products)
        if (ldb == FIXED_STRIDE && aps == 1 && ars == FIXED_STRIDE) { // A's rows 64 apart: packed keys, tiles
            for (int p = 0; p < k; p++) {
                int bi = bStart + p * FIXED_STRIDE;
                FloatVector b0 = FloatVector.fromArray(SPECIES, b, bi + 0 * LANES);
                FloatVector b1 = FloatVector.fromArray(SPECIES, b, bi + 1 * LANES);
                FloatVector b2 = FloatVector.fromArray(SPECIES, b, bi + 2 * LANES);
                FloatVector b3 = FloatVector.fromArray(SPECIES, b, bi + 3 * LANES);
                int ap = aStart + p;
                FloatVector x = FloatVector.broadcast(SPECIES, a[ap + 0 * FIXED_STRIDE]);
                s00 = x.fma(b0, s00);
                s01 = x.fma(b1, s01);
                s02 = x.fma(b2, s02);
                s03 = x.fma(b3, s03);
                x = FloatVector.broadcast(SPECIES, a[ap + 1 * FIXED_STRIDE]);
                s10 = x.fma(b0, s10);
                s11 = x.fma(b1, s11);
                s12 = x.fma(b2, s12);
                s13 = x.fma(b3, s13);
                x = FloatVector.broadcast(SPECIES, a[ap + 2 * FIXED_STRIDE]);
                s20 = x.fma(b0, s20);
                s21 = x.fma(b1, s21);
                s22 = x.fma(b2, s22);
                s23 = x.fma(b3, s23);
                x = FloatVector.broadcast(SPECIES, a[ap + 3 * FIXED_STRIDE]);
                s30 = x.fma(b0, s30);
                s31 = x.fma(b1, s31);
                s32 = x.fma(b2, s32);
                s33 = x.fma(b3, s33);
                x = FloatVector.broadcast(SPECIES, a[ap + 4 * FIXED_STRIDE]);
                s40 = x.fma(b0, s40);
                s41 = x.fma(b1, s41);
                s42 = x.fma(b2, s42);
                s43 = x.fma(b3, s43);
                x = FloatVector.broadcast(SPECIES, a[ap + 5 * FIXED_STRIDE]);
                s50 = x.fma(b0, s50);
                s51 = x.fma(b1, s51);
                s52 = x.fma(b2, s52);
                s53 = x.fma(b3, s53);
            }
        } else if (ldb == FIXED_STRIDE && aps == FIXED_STRIDE && ars == 1) { // A transposed from a (k, 64) tile
            for (int p = 0; p < k; p++) {
                int bi = bStart + p * FIXED_STRIDE;
                FloatVector b0 = FloatVector.fromArray(SPECIES, b, bi + 0 * LANES);
                FloatVector b1 = FloatVector.fromArray(SPECIES, b, bi + 1 * LANES);
                FloatVector b2 = FloatVector.fromArray(SPECIES, b, bi + 2 * LANES);
                FloatVector b3 = FloatVector.fromArray(SPECIES, b, bi + 3 * LANES);
                int ap = aStart + p * FIXED_STRIDE;
                FloatVector x = FloatVector.broadcast(SPECIES, a[ap + 0]);
                s00 = x.fma(b0, s00);
                s01 = x.fma(b1, s01);
                s02 = x.fma(b2, s02);
                s03 = x.fma(b3, s03);
                x = FloatVector.broadcast(SPECIES, a[ap + 1]);
                s10 = x.fma(b0, s10);
                s11 = x.fma(b1, s11);
                s12 = x.fma(b2, s12);
                s13 = x.fma(b3, s13);
                x = FloatVector.broadcast(SPECIES, a[ap + 2]);
                s20 = x.fma(b0, s20);
                s21 = x.fma(b1, s21);
                s22 = x.fma(b2, s22);
                s23 = x.fma(b3, s23);
                x = FloatVector.broadcast(SPECIES, a[ap + 3]);
                s30 = x.fma(b0, s30);
                s31 = x.fma(b1, s31);
                s32 = x.fma(b2, s32);
                s33 = x.fma(b3, s33);
                x = FloatVector.broadcast(SPECIES, a[ap + 4]);
                s40 = x.fma(b0, s40);
                s41 = x.fma(b1, s41);
                s42 = x.fma(b2, s42);
                s43 = x.fma(b3, s43);
                x = FloatVector.broadcast(SPECIES, a[ap + 5]);
                s50 = x.fma(b0, s50);
                s51 = x.fma(b1, s51);
                s52 = x.fma(b2, s52);
                s53 = x.fma(b3, s53);
            }
        } else if (ldb == FIXED_STRIDE && aps == 1) { // A's rows contiguous: keys, values read in place
            for (int p = 0; p < k; p++) {
                int bi = bStart + p * FIXED_STRIDE;
                FloatVector b0 = FloatVector.fromArray(SPECIES, b, bi + 0 * LANES);
                FloatVector b1 = FloatVector.fromArray(SPECIES, b, bi + 1 * LANES);
                FloatVector b2 = FloatVector.fromArray(SPECIES, b, bi + 2 * LANES);
                FloatVector b3 = FloatVector.fromArray(SPECIES, b, bi + 3 * LANES);
                int ap = p;
                FloatVector x = FloatVector.broadcast(SPECIES, a[a0 + ap]);
                s00 = x.fma(b0, s00);
                s01 = x.fma(b1, s01);
                s02 = x.fma(b2, s02);
                s03 = x.fma(b3, s03);
                x = FloatVector.broadcast(SPECIES, a[a1 + ap]);
                s10 = x.fma(b0, s10);
                s11 = x.fma(b1, s11);
                s12 = x.fma(b2, s12);
                s13 = x.fma(b3, s13);
                x = FloatVector.broadcast(SPECIES, a[a2 + ap]);
                s20 = x.fma(b0, s20);
                s21 = x.fma(b1, s21);
                s22 = x.fma(b2, s22);
                s23 = x.fma(b3, s23);
                x = FloatVector.broadcast(SPECIES, a[a3 + ap]);
                s30 = x.fma(b0, s30);
                s31 = x.fma(b1, s31);
                s32 = x.fma(b2, s32);
                s33 = x.fma(b3, s33);
                x = FloatVector.broadcast(SPECIES, a[a4 + ap]);
                s40 = x.fma(b0, s40);
                s41 = x.fma(b1, s41);
                s42 = x.fma(b2, s42);
                s43 = x.fma(b3, s43);
                x = FloatVector.broadcast(SPECIES, a[a5 + ap]);
                s50 = x.fma(b0, s50);
                s51 = x.fma(b1, s51);
                s52 = x.fma(b2, s52);
                s53 = x.fma(b3, s53);
            }
        } else {
            for (int p = 0; p < k; p++) {
                int bi = bStart + p * ldb;
                FloatVector b0 = FloatVector.fromArray(SPECIES, b, bi + 0 * LANES);
                FloatVector b1 = FloatVector.fromArray(SPECIES, b, bi + 1 * LANES);
                FloatVector b2 = FloatVector.fromArray(SPECIES, b, bi + 2 * LANES);
                FloatVector b3 = FloatVector.fromArray(SPECIES, b, bi + 3 * LANES);
                int ap = p * aps;
                FloatVector x = FloatVector.broadcast(SPECIES, a[a0 + ap]);
                s00 = x.fma(b0, s00);
                s01 = x.fma(b1, s01);
                s02 = x.fma(b2, s02);
                s03 = x.fma(b3, s03);
                x = FloatVector.broadcast(SPECIES, a[a1 + ap]);
                s10 = x.fma(b0, s10);
                s11 = x.fma(b1, s11);
                s12 = x.fma(b2, s12);
                s13 = x.fma(b3, s13);
                x = FloatVector.broadcast(SPECIES, a[a2 + ap]);
                s20 = x.fma(b0, s20);
                s21 = x.fma(b1, s21);
                s22 = x.fma(b2, s22);
                s23 = x.fma(b3, s23);
                x = FloatVector.broadcast(SPECIES, a[a3 + ap]);
                s30 = x.fma(b0, s30);
                s31 = x.fma(b1, s31);
                s32 = x.fma(b2, s32);
                s33 = x.fma(b3, s33);
                x = FloatVector.broadcast(SPECIES, a[a4 + ap]);
                s40 = x.fma(b0, s40);
                s41 = x.fma(b1, s41);
                s42 = x.fma(b2, s42);
                s43 = x.fma(b3, s43);
                x = FloatVector.broadcast(SPECIES, a[a5 + ap]);
                s50 = x.fma(b0, s50);
                s51 = x.fma(b1, s51);
                s52 = x.fma(b2, s52);
                s53 = x.fma(b3, s53);
            }
        }
        s00.intoArray(c, d0 + 0 * LANES);
        s01.intoArray(c, d0 + 1 * LANES);
        s02.intoArray(c, d0 + 2 * LANES);
        s03.intoArray(c, d0 + 3 * LANES);
        s10.intoArray(c, d1 + 0 * LANES);
        s11.intoArray(c, d1 + 1 * LANES);
        s12.intoArray(c, d1 + 2 * LANES);
        s13.intoArray(c, d1 + 3 * LANES);
        s20.intoArray(c, d2 + 0 * LANES);
        s21.intoArray(c, d2 + 1 * LANES);
        s22.intoArray(c, d2 + 2 * LANES);
        s23.intoArray(c, d2 + 3 * LANES);
        s30.intoArray(c, d3 + 0 * LANES);
        s31.intoArray(c, d3 + 1 * LANES);
        s32.intoArray(c, d3 + 2 * LANES);
        s33.intoArray(c, d3 + 3 * LANES);
        s40.intoArray(c, d4 + 0 * LANES);
        s41.intoArray(c, d4 + 1 * LANES);
        s42.intoArray(c, d4 + 2 * LANES);
        s43.intoArray(c, d4 + 3 * LANES);
        s50.intoArray(c, d5 + 0 * LANES);
        s51.intoArray(c, d5 + 1 * LANES);
        s52.intoArray(c, d5 + 2 * LANES);
        s53.intoArray(c, d5 + 3 * LANES);
    }

    /** The 4 x 4-vector register block of {@link #tile} at row {@code i}, columns {@code [j, j + 4 * LANES)}. */
    private static void block4x4(float[] c, int c0, int ldc, float[] a, int aStart, int ars, int aps,
                                  float[] b, int bStart, int ldb, int k, boolean acc) {
        int d0 = c0 + 0 * ldc;
        int a0 = aStart + 0 * ars;
        int d1 = c0 + 1 * ldc;
        int a1 = aStart + 1 * ars;
        int d2 = c0 + 2 * ldc;
        int a2 = aStart + 2 * ars;
        int d3 = c0 + 3 * ldc;
        int a3 = aStart + 3 * ars;
        FloatVector z = FloatVector.zero(SPECIES);
        FloatVector s00 = acc ? FloatVector.fromArray(SPECIES, c, d0 + 0 * LANES) : z;
        FloatVector s01 = acc ? FloatVector.fromArray(SPECIES, c, d0 + 1 * LANES) : z;
        FloatVector s02 = acc ? FloatVector.fromArray(SPECIES, c, d0 + 2 * LANES) : z;
        FloatVector s03 = acc ? FloatVector.fromArray(SPECIES, c, d0 + 3 * LANES) : z;
        FloatVector s10 = acc ? FloatVector.fromArray(SPECIES, c, d1 + 0 * LANES) : z;
        FloatVector s11 = acc ? FloatVector.fromArray(SPECIES, c, d1 + 1 * LANES) : z;
        FloatVector s12 = acc ? FloatVector.fromArray(SPECIES, c, d1 + 2 * LANES) : z;
        FloatVector s13 = acc ? FloatVector.fromArray(SPECIES, c, d1 + 3 * LANES) : z;
        FloatVector s20 = acc ? FloatVector.fromArray(SPECIES, c, d2 + 0 * LANES) : z;
        FloatVector s21 = acc ? FloatVector.fromArray(SPECIES, c, d2 + 1 * LANES) : z;
        FloatVector s22 = acc ? FloatVector.fromArray(SPECIES, c, d2 + 2 * LANES) : z;
        FloatVector s23 = acc ? FloatVector.fromArray(SPECIES, c, d2 + 3 * LANES) : z;
        FloatVector s30 = acc ? FloatVector.fromArray(SPECIES, c, d3 + 0 * LANES) : z;
        FloatVector s31 = acc ? FloatVector.fromArray(SPECIES, c, d3 + 1 * LANES) : z;
        FloatVector s32 = acc ? FloatVector.fromArray(SPECIES, c, d3 + 2 * LANES) : z;
        FloatVector s33 = acc ? FloatVector.fromArray(SPECIES, c, d3 + 3 * LANES) : z;
        // the strides of tiled attention at head dim 64 as constants, so that C2 checks the loads' bounds once per
        // block instead of at every step (~6% of bench attention), and, with A's row stride constant too, addresses
        // A's rows from one index (no register per row: C2 spilled those in the loop; ~15% on these products)
        if (ldb == FIXED_STRIDE && aps == 1 && ars == FIXED_STRIDE) { // A's rows 64 apart: packed keys, tiles
            for (int p = 0; p < k; p++) {
                int bi = bStart + p * FIXED_STRIDE;
                FloatVector b0 = FloatVector.fromArray(SPECIES, b, bi + 0 * LANES);
                FloatVector b1 = FloatVector.fromArray(SPECIES, b, bi + 1 * LANES);
                FloatVector b2 = FloatVector.fromArray(SPECIES, b, bi + 2 * LANES);
                FloatVector b3 = FloatVector.fromArray(SPECIES, b, bi + 3 * LANES);
                int ap = aStart + p;
                FloatVector x = FloatVector.broadcast(SPECIES, a[ap + 0 * FIXED_STRIDE]);
                s00 = x.fma(b0, s00);
                s01 = x.fma(b1, s01);
                s02 = x.fma(b2, s02);
                s03 = x.fma(b3, s03);
                x = FloatVector.broadcast(SPECIES, a[ap + 1 * FIXED_STRIDE]);
                s10 = x.fma(b0, s10);
                s11 = x.fma(b1, s11);
                s12 = x.fma(b2, s12);
                s13 = x.fma(b3, s13);
                x = FloatVector.broadcast(SPECIES, a[ap + 2 * FIXED_STRIDE]);
                s20 = x.fma(b0, s20);
                s21 = x.fma(b1, s21);
                s22 = x.fma(b2, s22);
                s23 = x.fma(b3, s23);
                x = FloatVector.broadcast(SPECIES, a[ap + 3 * FIXED_STRIDE]);
                s30 = x.fma(b0, s30);
                s31 = x.fma(b1, s31);
                s32 = x.fma(b2, s32);
                s33 = x.fma(b3, s33);
            }
        } else if (ldb == FIXED_STRIDE && aps == FIXED_STRIDE && ars == 1) { // A transposed from a (k, 64) tile
            for (int p = 0; p < k; p++) {
                int bi = bStart + p * FIXED_STRIDE;
                FloatVector b0 = FloatVector.fromArray(SPECIES, b, bi + 0 * LANES);
                FloatVector b1 = FloatVector.fromArray(SPECIES, b, bi + 1 * LANES);
                FloatVector b2 = FloatVector.fromArray(SPECIES, b, bi + 2 * LANES);
                FloatVector b3 = FloatVector.fromArray(SPECIES, b, bi + 3 * LANES);
                int ap = aStart + p * FIXED_STRIDE;
                FloatVector x = FloatVector.broadcast(SPECIES, a[ap + 0]);
                s00 = x.fma(b0, s00);
                s01 = x.fma(b1, s01);
                s02 = x.fma(b2, s02);
                s03 = x.fma(b3, s03);
                x = FloatVector.broadcast(SPECIES, a[ap + 1]);
                s10 = x.fma(b0, s10);
                s11 = x.fma(b1, s11);
                s12 = x.fma(b2, s12);
                s13 = x.fma(b3, s13);
                x = FloatVector.broadcast(SPECIES, a[ap + 2]);
                s20 = x.fma(b0, s20);
                s21 = x.fma(b1, s21);
                s22 = x.fma(b2, s22);
                s23 = x.fma(b3, s23);
                x = FloatVector.broadcast(SPECIES, a[ap + 3]);
                s30 = x.fma(b0, s30);
                s31 = x.fma(b1, s31);
                s32 = x.fma(b2, s32);
                s33 = x.fma(b3, s33);
            }
        } else if (ldb == FIXED_STRIDE && aps == 1) { // A's rows contiguous: keys, values read in place
            for (int p = 0; p < k; p++) {
                int bi = bStart + p * FIXED_STRIDE;
                FloatVector b0 = FloatVector.fromArray(SPECIES, b, bi + 0 * LANES);
                FloatVector b1 = FloatVector.fromArray(SPECIES, b, bi + 1 * LANES);
                FloatVector b2 = FloatVector.fromArray(SPECIES, b, bi + 2 * LANES);
                FloatVector b3 = FloatVector.fromArray(SPECIES, b, bi + 3 * LANES);
                int ap = p;
                FloatVector x = FloatVector.broadcast(SPECIES, a[a0 + ap]);
                s00 = x.fma(b0, s00);
                s01 = x.fma(b1, s01);
                s02 = x.fma(b2, s02);
                s03 = x.fma(b3, s03);
                x = FloatVector.broadcast(SPECIES, a[a1 + ap]);
                s10 = x.fma(b0, s10);
                s11 = x.fma(b1, s11);
                s12 = x.fma(b2, s12);
                s13 = x.fma(b3, s13);
                x = FloatVector.broadcast(SPECIES, a[a2 + ap]);
                s20 = x.fma(b0, s20);
                s21 = x.fma(b1, s21);
                s22 = x.fma(b2, s22);
                s23 = x.fma(b3, s23);
                x = FloatVector.broadcast(SPECIES, a[a3 + ap]);
                s30 = x.fma(b0, s30);
                s31 = x.fma(b1, s31);
                s32 = x.fma(b2, s32);
                s33 = x.fma(b3, s33);
            }
        } else {
            for (int p = 0; p < k; p++) {
                int bi = bStart + p * ldb;
                FloatVector b0 = FloatVector.fromArray(SPECIES, b, bi + 0 * LANES);
                FloatVector b1 = FloatVector.fromArray(SPECIES, b, bi + 1 * LANES);
                FloatVector b2 = FloatVector.fromArray(SPECIES, b, bi + 2 * LANES);
                FloatVector b3 = FloatVector.fromArray(SPECIES, b, bi + 3 * LANES);
                int ap = p * aps;
                FloatVector x = FloatVector.broadcast(SPECIES, a[a0 + ap]);
                s00 = x.fma(b0, s00);
                s01 = x.fma(b1, s01);
                s02 = x.fma(b2, s02);
                s03 = x.fma(b3, s03);
                x = FloatVector.broadcast(SPECIES, a[a1 + ap]);
                s10 = x.fma(b0, s10);
                s11 = x.fma(b1, s11);
                s12 = x.fma(b2, s12);
                s13 = x.fma(b3, s13);
                x = FloatVector.broadcast(SPECIES, a[a2 + ap]);
                s20 = x.fma(b0, s20);
                s21 = x.fma(b1, s21);
                s22 = x.fma(b2, s22);
                s23 = x.fma(b3, s23);
                x = FloatVector.broadcast(SPECIES, a[a3 + ap]);
                s30 = x.fma(b0, s30);
                s31 = x.fma(b1, s31);
                s32 = x.fma(b2, s32);
                s33 = x.fma(b3, s33);
            }
        }
        s00.intoArray(c, d0 + 0 * LANES);
        s01.intoArray(c, d0 + 1 * LANES);
        s02.intoArray(c, d0 + 2 * LANES);
        s03.intoArray(c, d0 + 3 * LANES);
        s10.intoArray(c, d1 + 0 * LANES);
        s11.intoArray(c, d1 + 1 * LANES);
        s12.intoArray(c, d1 + 2 * LANES);
        s13.intoArray(c, d1 + 3 * LANES);
        s20.intoArray(c, d2 + 0 * LANES);
        s21.intoArray(c, d2 + 1 * LANES);
        s22.intoArray(c, d2 + 2 * LANES);
        s23.intoArray(c, d2 + 3 * LANES);
        s30.intoArray(c, d3 + 0 * LANES);
        s31.intoArray(c, d3 + 1 * LANES);
        s32.intoArray(c, d3 + 2 * LANES);
        s33.intoArray(c, d3 + 3 * LANES);
    }

    /** The 6 x 2-vector register block of {@link #tile} at row {@code i}, columns {@code [j, j + 2 * LANES)}. */
    private static void block6x2(float[] c, int c0, int ldc, float[] a, int aStart, int ars, int aps,
                                  float[] b, int bStart, int ldb, int k, boolean acc) {
        int d0 = c0 + 0 * ldc;
        int a0 = aStart + 0 * ars;
        int d1 = c0 + 1 * ldc;
        int a1 = aStart + 1 * ars;
        int d2 = c0 + 2 * ldc;
        int a2 = aStart + 2 * ars;
        int d3 = c0 + 3 * ldc;
        int a3 = aStart + 3 * ars;
        int d4 = c0 + 4 * ldc;
        int a4 = aStart + 4 * ars;
        int d5 = c0 + 5 * ldc;
        int a5 = aStart + 5 * ars;
        FloatVector z = FloatVector.zero(SPECIES);
        FloatVector s00 = acc ? FloatVector.fromArray(SPECIES, c, d0 + 0 * LANES) : z;
        FloatVector s01 = acc ? FloatVector.fromArray(SPECIES, c, d0 + 1 * LANES) : z;
        FloatVector s10 = acc ? FloatVector.fromArray(SPECIES, c, d1 + 0 * LANES) : z;
        FloatVector s11 = acc ? FloatVector.fromArray(SPECIES, c, d1 + 1 * LANES) : z;
        FloatVector s20 = acc ? FloatVector.fromArray(SPECIES, c, d2 + 0 * LANES) : z;
        FloatVector s21 = acc ? FloatVector.fromArray(SPECIES, c, d2 + 1 * LANES) : z;
        FloatVector s30 = acc ? FloatVector.fromArray(SPECIES, c, d3 + 0 * LANES) : z;
        FloatVector s31 = acc ? FloatVector.fromArray(SPECIES, c, d3 + 1 * LANES) : z;
        FloatVector s40 = acc ? FloatVector.fromArray(SPECIES, c, d4 + 0 * LANES) : z;
        FloatVector s41 = acc ? FloatVector.fromArray(SPECIES, c, d4 + 1 * LANES) : z;
        FloatVector s50 = acc ? FloatVector.fromArray(SPECIES, c, d5 + 0 * LANES) : z;
        FloatVector s51 = acc ? FloatVector.fromArray(SPECIES, c, d5 + 1 * LANES) : z;
        // A transposed from a (k, 64) tile (P^T at head dim 32): A's rows addressed from one index, as in block6x4;
        // measured, pinned, 12 heads of 32 at 1 x 128 tokens: the attention 394-396 -> 333-343 us
        if (ars == 1 && aps == FIXED_STRIDE) {
            for (int p = 0; p < k; p++) {
                int bi = bStart + p * ldb;
                FloatVector b0 = FloatVector.fromArray(SPECIES, b, bi + 0 * LANES);
                FloatVector b1 = FloatVector.fromArray(SPECIES, b, bi + 1 * LANES);
                int ap = aStart + p * FIXED_STRIDE;
                FloatVector x = FloatVector.broadcast(SPECIES, a[ap + 0]);
                s00 = x.fma(b0, s00);
                s01 = x.fma(b1, s01);
                x = FloatVector.broadcast(SPECIES, a[ap + 1]);
                s10 = x.fma(b0, s10);
                s11 = x.fma(b1, s11);
                x = FloatVector.broadcast(SPECIES, a[ap + 2]);
                s20 = x.fma(b0, s20);
                s21 = x.fma(b1, s21);
                x = FloatVector.broadcast(SPECIES, a[ap + 3]);
                s30 = x.fma(b0, s30);
                s31 = x.fma(b1, s31);
                x = FloatVector.broadcast(SPECIES, a[ap + 4]);
                s40 = x.fma(b0, s40);
                s41 = x.fma(b1, s41);
                x = FloatVector.broadcast(SPECIES, a[ap + 5]);
                s50 = x.fma(b0, s50);
                s51 = x.fma(b1, s51);
            }
        } else if (ldb == FIXED_STRIDE && aps == 1) {
            // S^T = K Qs^T for a tile of up to 32 queries (sentences): B's rows 64 apart as a constant, A's rows
            // anywhere; measured, pinned, 64 sentences x 29 tokens, 12 heads of 32: the attention 1740-1760 ->
            // 1592-1614 us
            for (int p = 0; p < k; p++) {
                int bi = bStart + p * FIXED_STRIDE;
                FloatVector b0 = FloatVector.fromArray(SPECIES, b, bi + 0 * LANES);
                FloatVector b1 = FloatVector.fromArray(SPECIES, b, bi + 1 * LANES);
                FloatVector x = FloatVector.broadcast(SPECIES, a[a0 + p]);
                s00 = x.fma(b0, s00);
                s01 = x.fma(b1, s01);
                x = FloatVector.broadcast(SPECIES, a[a1 + p]);
                s10 = x.fma(b0, s10);
                s11 = x.fma(b1, s11);
                x = FloatVector.broadcast(SPECIES, a[a2 + p]);
                s20 = x.fma(b0, s20);
                s21 = x.fma(b1, s21);
                x = FloatVector.broadcast(SPECIES, a[a3 + p]);
                s30 = x.fma(b0, s30);
                s31 = x.fma(b1, s31);
                x = FloatVector.broadcast(SPECIES, a[a4 + p]);
                s40 = x.fma(b0, s40);
                s41 = x.fma(b1, s41);
                x = FloatVector.broadcast(SPECIES, a[a5 + p]);
                s50 = x.fma(b0, s50);
                s51 = x.fma(b1, s51);
            }
        } else {
            for (int p = 0; p < k; p++) {
                int bi = bStart + p * ldb;
                FloatVector b0 = FloatVector.fromArray(SPECIES, b, bi + 0 * LANES);
                FloatVector b1 = FloatVector.fromArray(SPECIES, b, bi + 1 * LANES);
                int ap = p * aps;
                FloatVector x = FloatVector.broadcast(SPECIES, a[a0 + ap]);
                s00 = x.fma(b0, s00);
                s01 = x.fma(b1, s01);
                x = FloatVector.broadcast(SPECIES, a[a1 + ap]);
                s10 = x.fma(b0, s10);
                s11 = x.fma(b1, s11);
                x = FloatVector.broadcast(SPECIES, a[a2 + ap]);
                s20 = x.fma(b0, s20);
                s21 = x.fma(b1, s21);
                x = FloatVector.broadcast(SPECIES, a[a3 + ap]);
                s30 = x.fma(b0, s30);
                s31 = x.fma(b1, s31);
                x = FloatVector.broadcast(SPECIES, a[a4 + ap]);
                s40 = x.fma(b0, s40);
                s41 = x.fma(b1, s41);
                x = FloatVector.broadcast(SPECIES, a[a5 + ap]);
                s50 = x.fma(b0, s50);
                s51 = x.fma(b1, s51);
            }
        }
        s00.intoArray(c, d0 + 0 * LANES);
        s01.intoArray(c, d0 + 1 * LANES);
        s10.intoArray(c, d1 + 0 * LANES);
        s11.intoArray(c, d1 + 1 * LANES);
        s20.intoArray(c, d2 + 0 * LANES);
        s21.intoArray(c, d2 + 1 * LANES);
        s30.intoArray(c, d3 + 0 * LANES);
        s31.intoArray(c, d3 + 1 * LANES);
        s40.intoArray(c, d4 + 0 * LANES);
        s41.intoArray(c, d4 + 1 * LANES);
        s50.intoArray(c, d5 + 0 * LANES);
        s51.intoArray(c, d5 + 1 * LANES);
    }

    /** The 4 x 2-vector register block of {@link #tile} at row {@code i}, columns {@code [j, j + 2 * LANES)}. */
    private static void block4x2(float[] c, int c0, int ldc, float[] a, int aStart, int ars, int aps,
                                  float[] b, int bStart, int ldb, int k, boolean acc) {
        int d0 = c0 + 0 * ldc;
        int a0 = aStart + 0 * ars;
        int d1 = c0 + 1 * ldc;
        int a1 = aStart + 1 * ars;
        int d2 = c0 + 2 * ldc;
        int a2 = aStart + 2 * ars;
        int d3 = c0 + 3 * ldc;
        int a3 = aStart + 3 * ars;
        FloatVector z = FloatVector.zero(SPECIES);
        FloatVector s00 = acc ? FloatVector.fromArray(SPECIES, c, d0 + 0 * LANES) : z;
        FloatVector s01 = acc ? FloatVector.fromArray(SPECIES, c, d0 + 1 * LANES) : z;
        FloatVector s10 = acc ? FloatVector.fromArray(SPECIES, c, d1 + 0 * LANES) : z;
        FloatVector s11 = acc ? FloatVector.fromArray(SPECIES, c, d1 + 1 * LANES) : z;
        FloatVector s20 = acc ? FloatVector.fromArray(SPECIES, c, d2 + 0 * LANES) : z;
        FloatVector s21 = acc ? FloatVector.fromArray(SPECIES, c, d2 + 1 * LANES) : z;
        FloatVector s30 = acc ? FloatVector.fromArray(SPECIES, c, d3 + 0 * LANES) : z;
        FloatVector s31 = acc ? FloatVector.fromArray(SPECIES, c, d3 + 1 * LANES) : z;
        for (int p = 0; p < k; p++) {
            int bi = bStart + p * ldb;
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bi + 0 * LANES);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, bi + 1 * LANES);
            int ap = p * aps;
            FloatVector x = FloatVector.broadcast(SPECIES, a[a0 + ap]);
            s00 = x.fma(b0, s00);
            s01 = x.fma(b1, s01);
            x = FloatVector.broadcast(SPECIES, a[a1 + ap]);
            s10 = x.fma(b0, s10);
            s11 = x.fma(b1, s11);
            x = FloatVector.broadcast(SPECIES, a[a2 + ap]);
            s20 = x.fma(b0, s20);
            s21 = x.fma(b1, s21);
            x = FloatVector.broadcast(SPECIES, a[a3 + ap]);
            s30 = x.fma(b0, s30);
            s31 = x.fma(b1, s31);
        }
        s00.intoArray(c, d0 + 0 * LANES);
        s01.intoArray(c, d0 + 1 * LANES);
        s10.intoArray(c, d1 + 0 * LANES);
        s11.intoArray(c, d1 + 1 * LANES);
        s20.intoArray(c, d2 + 0 * LANES);
        s21.intoArray(c, d2 + 1 * LANES);
        s30.intoArray(c, d3 + 0 * LANES);
        s31.intoArray(c, d3 + 1 * LANES);
    }

    /** The 6 x 1-vector register block of {@link #tile} at row {@code i}, columns {@code [j, j + 1 * LANES)}. */
    private static void block6x1(float[] c, int c0, int ldc, float[] a, int aStart, int ars, int aps,
                                  float[] b, int bStart, int ldb, int k, boolean acc) {
        int d0 = c0 + 0 * ldc;
        int a0 = aStart + 0 * ars;
        int d1 = c0 + 1 * ldc;
        int a1 = aStart + 1 * ars;
        int d2 = c0 + 2 * ldc;
        int a2 = aStart + 2 * ars;
        int d3 = c0 + 3 * ldc;
        int a3 = aStart + 3 * ars;
        int d4 = c0 + 4 * ldc;
        int a4 = aStart + 4 * ars;
        int d5 = c0 + 5 * ldc;
        int a5 = aStart + 5 * ars;
        FloatVector z = FloatVector.zero(SPECIES);
        FloatVector s00 = acc ? FloatVector.fromArray(SPECIES, c, d0 + 0 * LANES) : z;
        FloatVector s10 = acc ? FloatVector.fromArray(SPECIES, c, d1 + 0 * LANES) : z;
        FloatVector s20 = acc ? FloatVector.fromArray(SPECIES, c, d2 + 0 * LANES) : z;
        FloatVector s30 = acc ? FloatVector.fromArray(SPECIES, c, d3 + 0 * LANES) : z;
        FloatVector s40 = acc ? FloatVector.fromArray(SPECIES, c, d4 + 0 * LANES) : z;
        FloatVector s50 = acc ? FloatVector.fromArray(SPECIES, c, d5 + 0 * LANES) : z;
        for (int p = 0; p < k; p++) {
            int bi = bStart + p * ldb;
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bi + 0 * LANES);
            int ap = p * aps;
            FloatVector x = FloatVector.broadcast(SPECIES, a[a0 + ap]);
            s00 = x.fma(b0, s00);
            x = FloatVector.broadcast(SPECIES, a[a1 + ap]);
            s10 = x.fma(b0, s10);
            x = FloatVector.broadcast(SPECIES, a[a2 + ap]);
            s20 = x.fma(b0, s20);
            x = FloatVector.broadcast(SPECIES, a[a3 + ap]);
            s30 = x.fma(b0, s30);
            x = FloatVector.broadcast(SPECIES, a[a4 + ap]);
            s40 = x.fma(b0, s40);
            x = FloatVector.broadcast(SPECIES, a[a5 + ap]);
            s50 = x.fma(b0, s50);
        }
        s00.intoArray(c, d0 + 0 * LANES);
        s10.intoArray(c, d1 + 0 * LANES);
        s20.intoArray(c, d2 + 0 * LANES);
        s30.intoArray(c, d3 + 0 * LANES);
        s40.intoArray(c, d4 + 0 * LANES);
        s50.intoArray(c, d5 + 0 * LANES);
    }

    /** The 1 x 1-vector register block of {@link #tile} at row {@code i}, columns {@code [j, j + 1 * LANES)}. */
    private static void block1x1(float[] c, int c0, int ldc, float[] a, int aStart, int ars, int aps,
                                  float[] b, int bStart, int ldb, int k, boolean acc) {
        int d0 = c0 + 0 * ldc;
        int a0 = aStart + 0 * ars;
        FloatVector z = FloatVector.zero(SPECIES);
        FloatVector s00 = acc ? FloatVector.fromArray(SPECIES, c, d0 + 0 * LANES) : z;
        for (int p = 0; p < k; p++) {
            int bi = bStart + p * ldb;
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bi + 0 * LANES);
            int ap = p * aps;
            FloatVector x = FloatVector.broadcast(SPECIES, a[a0 + ap]);
            s00 = x.fma(b0, s00);
        }
        s00.intoArray(c, d0 + 0 * LANES);
    }
}
