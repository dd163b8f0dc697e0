package dev.attention4j.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The packed, register-blocked, cache-tiled SGEMM behind {@link VectorKernels}' three matrix products (the
 * GotoBLAS / BLIS structure): {@code C = A B} with
 * {@code A[i, p] = a[aOff + i * ars + p * aps]} and {@code B[p, j] = b[bOff + p * bps + j * bjs]}, so one core serves
 * {@code a b} ({@code ars = lda, aps = 1, bps = ldb, bjs = 1}), {@code a^T b} ({@code ars = 1, aps = lda}) and
 * {@code a b^T} ({@code bps = 1, bjs = ldb}, the transpose done by the packing of B).
 *
 * <p>Loops, outer to inner: columns in blocks of {@link #NC}; {@code p} in blocks of {@link #KC}, where a
 * {@code KC x NC} block of B is packed into panels of {@link #NR} columns ({@code bp[q * kl * NR + p * NR + j]}, zero
 * padded), which stay in L2; rows in slivers of {@link #MR}, packed as {@code ap[p * MR + r]} (zero padded), which stay
 * in L1; the panels of the block; the {@code MR x NR} register block of {@link #kernel6x4}. Ragged edges (fewer than
 * {@code MR} rows or {@code NR} columns) run the same register block on a zero-padded tile and copy the valid part.
 *
 * <p>Determinism: every element of {@code C} is one in-order fma chain {@code s = 0; s = fma(A[i, p], B[p, j], s)}
 * over {@code p = 0 .. k-1} (a k-block after the first resumes from the partial sum stored in {@code C}), whatever
 * rows or columns the call covers, whether it sits in a full register block or a padded edge tile. So callers may
 * split rows or columns across threads in any way and get identical bits.
 *
 * <p>Scratch: one reusable set of packing buffers per thread (grown, never shrunk); nothing is allocated per call
 * once warm.
 */
final class PackedGemm {

    private static final VectorSpecies<Float> SPECIES = VectorKernels.SPECIES;
    private static final int LANES = VectorKernels.LANES;

    /** Rows of the register block. */
    static final int MR = 6;
    /** Vectors of the register block; {@code MR * NV} accumulators plus {@code NV + 1} operands fit 32 registers. */
    static final int NV = 4;
    /** Columns of the register block and of a packed B panel. */
    static final int NR = NV * LANES;
    /** The k-block: an {@code MR x KC} A sliver (6 KB) stays in L1. */
    static final int KC = 256;
    /** The column block: a packed {@code KC x NC} block of B (at most 768 KB) stays in L2. */
    static final int NC = Math.max(NR, 768 / NR * NR);

    /** Per-thread packing buffers. */
    private static final class Scratch {
        final float[] a = new float[MR * KC];            // (KC, MR): one packed A sliver
        final float[] b = new float[KC * NC];            // (NC / NR, KC, NR): packed B panels
        final float[] tile = new float[MR * NR];         // (MR, NR): a ragged edge tile
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private PackedGemm() {
    }

    /** {@code c[m x n] = A B} as in the class comment; {@code c} must not alias {@code a} or {@code b}. */
    static void gemm(float[] c, int cOff, int ldc, float[] a, int aOff, int ars, int aps,
                     float[] b, int bOff, int bps, int bjs, int m, int n, int k) {
        if (m <= 0 || n <= 0) {
            return;
        }
        if (k <= 0) {
            for (int i = 0; i < m; i++) {
                java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
            }
            return;
        }
        Scratch s = SCRATCH.get();
        for (int j0 = 0; j0 < n; j0 += NC) {
            int nc = Math.min(NC, n - j0);
            int panels = (nc + NR - 1) / NR;
            for (int p0 = 0; p0 < k; p0 += KC) {
                int kl = Math.min(KC, k - p0);
                boolean acc = p0 > 0;
                packB(s.b, b, bOff + p0 * bps + j0 * bjs, bps, bjs, kl, nc);
                for (int i0 = 0; i0 < m; i0 += MR) {
                    int rows = Math.min(MR, m - i0);
                    packA(s.a, a, aOff + i0 * ars + p0 * aps, ars, aps, rows, kl);
                    int cRow = cOff + i0 * ldc + j0;
                    for (int q = 0; q < panels; q++) {
                        int cols = Math.min(NR, nc - q * NR);
                        int pb = q * kl * NR;
                        if (rows == MR && cols == NR) {
                            kernel6x4(c, cRow + q * NR, ldc, s.a, 0, s.b, pb, kl, acc);
                        } else {
                            edgeTile(c, cRow + q * NR, ldc, rows, cols, s, pb, kl, acc);
                        }
                    }
                }
            }
        }
    }

    /** A ragged tile: the register block on {@code s.tile} (loaded with the valid part of {@code c} when resuming). */
    private static void edgeTile(float[] c, int c0, int ldc, int rows, int cols, Scratch s, int pb, int kl,
                                 boolean acc) {
        float[] t = s.tile;
        if (acc) {
            for (int r = 0; r < rows; r++) {
                System.arraycopy(c, c0 + r * ldc, t, r * NR, cols);
            }
        }
        kernel6x4(t, 0, NR, s.a, 0, s.b, pb, kl, acc);
        for (int r = 0; r < rows; r++) {
            System.arraycopy(t, r * NR, c, c0 + r * ldc, cols);
        }
    }

    /**
     * Packs {@code B[p, j]} for p in {@code [0, kl)}, j in {@code [0, nc)} (relative to {@code src}) into panels of
     * {@code NR} columns: {@code bp[q * kl * NR + p * NR + jj] = B[p, q * NR + jj]}, zero past {@code nc}.
     */
    private static void packB(float[] bp, float[] b, int src, int bps, int bjs, int kl, int nc) {
        for (int q = 0, j0 = 0; j0 < nc; q++, j0 += NR) {
            int cols = Math.min(NR, nc - j0);
            int base = q * kl * NR;
            if (bjs == 1) {
                // rows of B are contiguous in j: copy each row's NR columns
                int from = src + j0;
                if (cols == NR) {
                    for (int p = 0; p < kl; p++) {
                        int sp = from + p * bps;
                        int dp = base + p * NR;
                        for (int v = 0; v < NR; v += LANES) {
                            FloatVector.fromArray(SPECIES, b, sp + v).intoArray(bp, dp + v);
                        }
                    }
                } else {
                    for (int p = 0; p < kl; p++) {
                        int dp = base + p * NR;
                        System.arraycopy(b, from + p * bps, bp, dp, cols);
                        java.util.Arrays.fill(bp, dp + cols, dp + NR, 0f);
                    }
                }
            } else {
                // B = b^T: column j of B is a contiguous row of b; write it down the panel
                for (int jj = 0; jj < cols; jj++) {
                    int sj = src + (j0 + jj) * bjs;
                    for (int p = 0; p < kl; p++) {
                        bp[base + p * NR + jj] = b[sj + p * bps];
                    }
                }
                for (int jj = cols; jj < NR; jj++) {
                    for (int p = 0; p < kl; p++) {
                        bp[base + p * NR + jj] = 0f;
                    }
                }
            }
        }
    }

    /** Packs {@code A[r, p]} for r in {@code [0, rows)}, p in {@code [0, kl)} as {@code ap[p * MR + r]}, zero past rows. */
    private static void packA(float[] ap, float[] a, int src, int ars, int aps, int rows, int kl) {
        if (aps == 1) {
            for (int r = 0; r < rows; r++) {
                int sr = src + r * ars;
                for (int p = 0; p < kl; p++) {
                    ap[p * MR + r] = a[sr + p];
                }
            }
        } else {
            for (int p = 0; p < kl; p++) {
                int sp = src + p * aps;
                for (int r = 0; r < rows; r++) {
                    ap[p * MR + r] = a[sp + r * ars];
                }
            }
        }
        for (int r = rows; r < MR; r++) {
            for (int p = 0; p < kl; p++) {
                ap[p * MR + r] = 0f;
            }
        }
    }

    // The register block is a separate small method taking only arrays and ints so that C2 compiles it whole with
    // every accumulator in a register: a vector passed across a call that is not inlined is boxed.

    /**
     * The register block: 6 rows x 4 vectors of {@code c} at {@code c0} held in 24 accumulators,
     * {@code s[r][v] = fma(A[r, p], B[p, v], s)} for p in {@code [0, kl)}, starting from {@code c}'s values when
     * {@code acc} (resuming the chain of an earlier k-block) or from 0. {@code pa}: the packed A sliver,
     * {@code A[r, p] = ap[pa + p * MR + r]}; {@code pb}: the packed B panel, {@code B[p, j] = bp[pb + p * NR + j]}.
     */
    private static void kernel6x4(float[] c, int c0, int ldc, float[] ap, int pa, float[] bp, int pb, int kl,
                                  boolean acc) {
        int d0 = c0;
        int d1 = c0 + 1 * ldc;
        int d2 = c0 + 2 * ldc;
        int d3 = c0 + 3 * ldc;
        int d4 = c0 + 4 * ldc;
        int d5 = c0 + 5 * ldc;
        FloatVector z = FloatVector.zero(SPECIES);
        FloatVector s00 = acc ? FloatVector.fromArray(SPECIES, c, d0) : z;
        FloatVector s01 = acc ? FloatVector.fromArray(SPECIES, c, d0 + 1 * LANES) : z;
        FloatVector s02 = acc ? FloatVector.fromArray(SPECIES, c, d0 + 2 * LANES) : z;
        FloatVector s03 = acc ? FloatVector.fromArray(SPECIES, c, d0 + 3 * LANES) : z;
        FloatVector s10 = acc ? FloatVector.fromArray(SPECIES, c, d1) : z;
        FloatVector s11 = acc ? FloatVector.fromArray(SPECIES, c, d1 + 1 * LANES) : z;
        FloatVector s12 = acc ? FloatVector.fromArray(SPECIES, c, d1 + 2 * LANES) : z;
        FloatVector s13 = acc ? FloatVector.fromArray(SPECIES, c, d1 + 3 * LANES) : z;
        FloatVector s20 = acc ? FloatVector.fromArray(SPECIES, c, d2) : z;
        FloatVector s21 = acc ? FloatVector.fromArray(SPECIES, c, d2 + 1 * LANES) : z;
        FloatVector s22 = acc ? FloatVector.fromArray(SPECIES, c, d2 + 2 * LANES) : z;
        FloatVector s23 = acc ? FloatVector.fromArray(SPECIES, c, d2 + 3 * LANES) : z;
        FloatVector s30 = acc ? FloatVector.fromArray(SPECIES, c, d3) : z;
        FloatVector s31 = acc ? FloatVector.fromArray(SPECIES, c, d3 + 1 * LANES) : z;
        FloatVector s32 = acc ? FloatVector.fromArray(SPECIES, c, d3 + 2 * LANES) : z;
        FloatVector s33 = acc ? FloatVector.fromArray(SPECIES, c, d3 + 3 * LANES) : z;
        FloatVector s40 = acc ? FloatVector.fromArray(SPECIES, c, d4) : z;
        FloatVector s41 = acc ? FloatVector.fromArray(SPECIES, c, d4 + 1 * LANES) : z;
        FloatVector s42 = acc ? FloatVector.fromArray(SPECIES, c, d4 + 2 * LANES) : z;
        FloatVector s43 = acc ? FloatVector.fromArray(SPECIES, c, d4 + 3 * LANES) : z;
        FloatVector s50 = acc ? FloatVector.fromArray(SPECIES, c, d5) : z;
        FloatVector s51 = acc ? FloatVector.fromArray(SPECIES, c, d5 + 1 * LANES) : z;
        FloatVector s52 = acc ? FloatVector.fromArray(SPECIES, c, d5 + 2 * LANES) : z;
        FloatVector s53 = acc ? FloatVector.fromArray(SPECIES, c, d5 + 3 * LANES) : z;
        for (int p = 0; p < kl; p++) {
            int bi = pb + p * NR;
            FloatVector b0 = FloatVector.fromArray(SPECIES, bp, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, bp, bi + 1 * LANES);
            FloatVector b2 = FloatVector.fromArray(SPECIES, bp, bi + 2 * LANES);
            FloatVector b3 = FloatVector.fromArray(SPECIES, bp, bi + 3 * LANES);
            int ai = pa + p * MR;
            FloatVector x = FloatVector.broadcast(SPECIES, ap[ai + 0]);
            s00 = x.fma(b0, s00);
            s01 = x.fma(b1, s01);
            s02 = x.fma(b2, s02);
            s03 = x.fma(b3, s03);
            x = FloatVector.broadcast(SPECIES, ap[ai + 1]);
            s10 = x.fma(b0, s10);
            s11 = x.fma(b1, s11);
            s12 = x.fma(b2, s12);
            s13 = x.fma(b3, s13);
            x = FloatVector.broadcast(SPECIES, ap[ai + 2]);
            s20 = x.fma(b0, s20);
            s21 = x.fma(b1, s21);
            s22 = x.fma(b2, s22);
            s23 = x.fma(b3, s23);
            x = FloatVector.broadcast(SPECIES, ap[ai + 3]);
            s30 = x.fma(b0, s30);
            s31 = x.fma(b1, s31);
            s32 = x.fma(b2, s32);
            s33 = x.fma(b3, s33);
            x = FloatVector.broadcast(SPECIES, ap[ai + 4]);
            s40 = x.fma(b0, s40);
            s41 = x.fma(b1, s41);
            s42 = x.fma(b2, s42);
            s43 = x.fma(b3, s43);
            x = FloatVector.broadcast(SPECIES, ap[ai + 5]);
            s50 = x.fma(b0, s50);
            s51 = x.fma(b1, s51);
            s52 = x.fma(b2, s52);
            s53 = x.fma(b3, s53);
        }
        s00.intoArray(c, d0);
        s01.intoArray(c, d0 + 1 * LANES);
        s02.intoArray(c, d0 + 2 * LANES);
        s03.intoArray(c, d0 + 3 * LANES);
        s10.intoArray(c, d1);
        s11.intoArray(c, d1 + 1 * LANES);
        s12.intoArray(c, d1 + 2 * LANES);
        s13.intoArray(c, d1 + 3 * LANES);
        s20.intoArray(c, d2);
        s21.intoArray(c, d2 + 1 * LANES);
        s22.intoArray(c, d2 + 2 * LANES);
        s23.intoArray(c, d2 + 3 * LANES);
        s30.intoArray(c, d3);
        s31.intoArray(c, d3 + 1 * LANES);
        s32.intoArray(c, d3 + 2 * LANES);
        s33.intoArray(c, d3 + 3 * LANES);
        s40.intoArray(c, d4);
        s41.intoArray(c, d4 + 1 * LANES);
        s42.intoArray(c, d4 + 2 * LANES);
        s43.intoArray(c, d4 + 3 * LANES);
        s50.intoArray(c, d5);
        s51.intoArray(c, d5 + 1 * LANES);
        s52.intoArray(c, d5 + 2 * LANES);
        s53.intoArray(c, d5 + 3 * LANES);
    }
}
