package dev.attention4j.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The packed, register-blocked, cache-tiled SGEMM behind {@link VectorKernels}' three matrix products (the
 * GotoBLAS / BLIS structure): {@code C = A B} with
 * {@code A[i, p] = a[aOff + i * ars + p * aps]} and {@code B[p, j] = b[bOff + p * bps + j * bjs]}, so one core serves
 * {@code a b} ({@code ars = lda, aps = 1, bps = ldb, bjs = 1}), {@code a^T b} ({@code ars = 1, aps = lda}) and
 * {@code a b^T} ({@code bps = 1, bjs = ldb}, the transpose done by the packing of B).
 *
 * <p>Loops, outer to inner: columns in blocks of {@link #NC}; {@code p} in blocks of {@link #KC}, where a
 * {@code KC x NC} block of B is packed into panels of {@link #PANEL} columns ({@code bp[q * kl * PANEL + p * PANEL +
 * j]}, zero padded), which stay in L2; rows in groups of {@link #MC}, packed in slivers of {@link #MR} as
 * {@code ap[p * MR + r]} (zero padded); the {@link #NR}-column blocks of the panels, each read into L1 once per group;
 * the group's slivers; the {@code MR x NR} register block of {@link #kernel12x2} (24 accumulators). With more than
 * one column block and at most {@link #PACKED_A_ROWS} rows, {@code p} is outermost and A is packed once per k-block.
 * B's rows sit {@code PANEL} floats apart in every panel, packed here or kept (below), so the register blocks index
 * B with constant strides, which the JIT turns into hoisted bounds checks and no multiply (measured: 3-5% of a 1024^3
 * product against strides passed as arguments). A short last sliver runs
 * 8-row, 4-row and 1-row blocks ({@link #kernel8x2}, {@link #kernel4x2}, {@link #kernel1x2}) rather than a
 * zero-padded 12-row one; a ragged last block (fewer than {@code NR} columns, zero padded) runs on a scratch tile
 * whose valid part is copied back. Fewer than {@link #SMALL_M} rows with contiguous rows of B skip the packing
 * ({@link #unpackedRow}), and so does {@code a b^T} on the few rows {@link FewRowsGemm#applies} accepts (it reads
 * {@code b} in place, same bits).
 * {@link #gemmPanels} runs the same loops and register blocks on a frozen weight kept in {@link RowPanels}' layout,
 * which is this packing of B without the cut into k-blocks: B is read where it lies, never packed.
 *
 * <p>Determinism: every element of {@code C} is one in-order fma chain {@code s = 0; s = fma(A[i, p], B[p, j], s)}
 * over {@code p = 0 .. k-1} (a k-block after the first resumes from the partial sum stored in {@code C}), whatever
 * rows or columns the call covers, whether it sits in a full register block or a padded edge tile. So callers may
 * split rows or columns across threads in any way and get identical bits.
 *
 * <p>Scratch: one set of packing buffers per thread, made on the thread's first product; the A buffer grows to the
 * largest k-block of A the thread packs whole (at most {@link #PACKED_A_ROWS} rows), and nothing is allocated per call
 * after that.
 */
final class PackedGemm {

    private static final VectorSpecies<Float> SPECIES = VectorKernels.SPECIES;
    private static final int LANES = VectorKernels.LANES;

    /**
     * Rows of the register block. 12 x 2 vectors beat 6 x 4, 8 x 3, 8 x 2 and 4 x 4 on AVX-512 (best of noisy runs on
     * a shared 2-core machine: about 135 against 100-130 GFLOP/s at 512^3), and its 2-vector panels make the transposed
     * packing of x W^T cheaper.
     */
    static final int MR = 12;
    /** Vectors of the register block; {@code MR * NV} accumulators plus {@code NV + 1} operands fit 32 registers. */
    static final int NV = 2;
    /** Columns of the register block. */
    static final int NR = NV * LANES;
    /**
     * Columns of a panel of B, packed or kept ({@link RowPanels#ROWS}): a multiple of {@code NR} (species of at most
     * 512 bits, see {@link VectorKernels#speciesFor}), so that a register block never spans two panels.
     */
    static final int PANEL = RowPanels.ROWS;
    /** The k-block: a packed sliver of A is {@code MR x KC} (12 KB), a group of {@link #MC} rows 48 KB. */
    static final int KC = 256;
    /** The column block, whole panels: a packed {@code KC x NC} block of B (at most 768 KB) stays in L2. */
    static final int NC = 768 / PANEL * PANEL;

    static {
        if (PANEL % NR != 0) {
            throw new ExceptionInInitializerError("PackedGemm needs register blocks of " + NR
                    + " columns to divide the " + PANEL + "-column panels of B (a float species of at most 512 bits)");
        }
    }

    /**
     * Products with fewer rows than this (decoding's single row) and rows of B contiguous skip the packing: each packed
     * element of B would be used by fewer than {@code SMALL_M} rows, so packing costs more than it saves. A transposed
     * B ({@code x W^T}) outside {@link FewRowsGemm}'s rows is packed whatever {@code m}: reading it unpacked takes a
     * gather per vector either way, and packed it runs no slower (measured: gathers straight from 1024-float rows ran
     * at half the speed).
     */
    static final int SMALL_M = 4;
    /**
     * Rows of A (whole slivers) that run against one {@code NR}-column block of B before the next block: the block's
     * {@code KC x NR} panel (32 KB) is then read from L2 once per {@code MC} rows, not once per sliver. One thread,
     * pinned, alternating: groups of 36-48 rows beat one sliver at a time by 3-8% at 1024^3 and 2048^3 and 2-4% on a
     * frozen 240 x 384 x 1152; 96 and more were slower at 2048^3.
     */
    static final int MC = 4 * MR;
    /**
     * Up to this many rows, a product of several column blocks packs each k-block of A once (a buffer of up to
     * {@code PACKED_A_ROWS * KC} floats, 2 MB, per thread) instead of once per column block: at 1024^3 and 2048^3, two
     * and three packings of A were 5% of the time on one thread.
     */
    static final int PACKED_A_ROWS = 2048;

    /** Per-thread packing buffers. */
    private static final class Scratch {
        float[] a = new float[MC * KC + LANES];          // (KC, MR) per sliver: packed A, LANES spare

        /** Makes {@link #a} hold at least {@code floats} floats of slivers (once per size a thread needs). */
        void ensureA(int floats) {
            if (a.length < floats + LANES) {
                a = new float[floats + LANES];
            }
        }

        final int[] aRowStarts = new int[LANES];         // (LANES): gather offsets r * ars of A's rows
        int aRowStride = -1;                              // the ars aRowStarts holds
        int aRows = -1;                                   // and the rows it covers
        final float[] b = new float[KC * NC];            // (NC / PANEL, KC, PANEL): packed B panels
        final float[] tile = new float[MR * NR];         // (MR, NR): a ragged edge tile
        final int[] rowStarts = new int[LANES];          // (LANES): gather offsets j * bjs of a transposed B
        int rowStride = -1;                               // the bjs rowStarts holds
        final float[] touched = new float[LANES];        // (LANES): where touchPanels leaves its sum
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private PackedGemm() {
    }

    /**
     * Whether {@code c[m x n]} is the product of an empty sum or has no elements: then it is done here (zeros for
     * {@code k <= 0}) and the caller returns.
     */
    static boolean emptyProduct(float[] c, int cOff, int ldc, int m, int n, int k) {
        if (m <= 0 || n <= 0) {
            return true;
        }
        if (k <= 0) {
            for (int i = 0; i < m; i++) {
                java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
            }
            return true;
        }
        return false;
    }

    /** {@code c[m x n] = A B} as in the class comment; {@code c} must not alias {@code a} or {@code b}. */
    static void gemm(float[] c, int cOff, int ldc, float[] a, int aOff, int ars, int aps,
                     float[] b, int bOff, int bps, int bjs, int m, int n, int k) {
        if (emptyProduct(c, cOff, ldc, m, n, k)) {
            return;
        }
        if (bps == 1 && FewRowsGemm.applies(m, k)) { // x W^T on a few rows: W read in place, not packed
            FewRowsGemm.gemm(c, cOff, ldc, a, aOff, ars, aps, b, bOff, bjs, m, n, k);
            return;
        }
        if (m < SMALL_M && bjs == 1) {
            for (int i = 0; i < m; i++) {
                unpackedRow(c, cOff + i * ldc, a, aOff + i * ars, aps, b, bOff, bps, n, k);
            }
            return;
        }
        blocks(SCRATCH.get(), c, cOff, ldc, a, aOff, ars, aps, b, bOff, bps, bjs, null, 0, m, n, k);
    }

    /**
     * {@code c[m x n] = A W^T} with {@code W} packed in {@link RowPanels} ({@link Kernels#matmulTransBPanels}),
     * {@code A[i, p] = a[aOff + i * lda + p]}, columns {@code [j0, j0 + n)} of the product from {@code pOff}: the loops
     * of {@link #gemm} with B read where it lies instead of packed. The kept copy is laid out as {@link #packB} packs
     * B, panels of {@link #PANEL} columns zero padded, with the panel's rows {@code p} {@code PANEL} floats apart over
     * the whole of {@code k} rather than per k-block: a k-block of a panel is {@code kl * PANEL} consecutive floats,
     * which stay in L2 across the slivers as packed panels do. The same fma chain per element as {@link #gemm}, so
     * the same bits as it on {@code W} itself. {@code m, n, k >= 1}; {@code j0} a multiple of
     * {@value RowPanels#ROWS}.
     */
    static void gemmPanels(float[] c, int cOff, int ldc, float[] a, int aOff, int lda, float[] packed, int pOff,
                           int m, int n, int k) {
        blocks(SCRATCH.get(), c, cOff, ldc, a, aOff, lda, 1, null, 0, 0, 0, packed, pOff, m, n, k);
    }

    /**
     * The loops of {@link #gemm} (see the class comment), B packed from {@code b} per block, or, when {@code panels}
     * is not null, B read where it lies in a weight's {@link RowPanels} copy as {@link #gemmPanels} says. A product
     * of more than one column block and at most {@link #PACKED_A_ROWS} rows packs each k-block of A once for all the
     * column blocks ({@code p} outermost) rather than once per column block.
     */
    private static void blocks(Scratch s, float[] c, int cOff, int ldc, float[] a, int aOff, int ars, int aps,
                               float[] b, int bOff, int bps, int bjs, float[] panels, int pOff, int m, int n, int k) {
        if (n > NC && m <= PACKED_A_ROWS) {
            for (int p0 = 0; p0 < k; p0 += KC) {
                packSlivers(s, a, aOff, ars, aps, p0, Math.min(KC, k - p0), 0, m);
                for (int j0 = 0; j0 < n; j0 += NC) {
                    columnBlock(s, c, cOff, ldc, a, aOff, ars, aps, b, bOff, bps, bjs, panels, pOff, m, n, k, j0,
                            p0, true);
                }
            }
            return;
        }
        for (int j0 = 0; j0 < n; j0 += NC) {
            for (int p0 = 0; p0 < k; p0 += KC) {
                columnBlock(s, c, cOff, ldc, a, aOff, ars, aps, b, bOff, bps, bjs, panels, pOff, m, n, k, j0, p0,
                        false);
            }
        }
    }

    /**
     * Columns {@code [j0, j0 + NC)} of the product over the k-block at {@code p0}: B's block packed (or found in the
     * kept panels), then, for each group of {@link #MC} rows, its slivers of A (packed here unless {@code aPacked}:
     * the caller packed sliver {@code i0 / MR} at {@code i0 * kl}) times each {@code NR}-column block of B.
     */
    private static void columnBlock(Scratch s, float[] c, int cOff, int ldc, float[] a, int aOff, int ars, int aps,
                                    float[] b, int bOff, int bps, int bjs, float[] panels, int pOff, int m, int n,
                                    int k, int j0, int p0, boolean aPacked) {
        int nc = Math.min(NC, n - j0);
        int nBlocks = (nc + NR - 1) / NR;
        int kl = Math.min(KC, k - p0);
        boolean acc = p0 > 0;
        float[] bp = panels;
        int panel0 = pOff + j0 * k + p0 * PANEL; // panel j0 / PANEL of the kept copy at row p0
        int panelSize = PANEL * k;
        if (panels == null) {
            packB(s, b, bOff + p0 * bps + j0 * bjs, bps, bjs, kl, nc);
            bp = s.b;
            panel0 = 0;
            panelSize = PANEL * kl;
        }
        if (panels != null && m >= touchMinRows() && (long) k * n >= TOUCH_MIN_WEIGHT) {
            touchPanels(s, panels, panel0, panelSize, (nc + PANEL - 1) / PANEL, kl);
        }
        for (int ib = 0; ib < m; ib += MC) { // a group of slivers times each NR block of B in turn
            int mb = Math.min(MC, m - ib);
            int base = ib * kl;
            if (!aPacked) {
                packSlivers(s, a, aOff, ars, aps, p0, kl, ib, ib + mb);
                base = 0;
            }
            for (int q = 0; q < nBlocks; q++) {
                int j = q * NR;
                int pb = panel0 + j / PANEL * panelSize + j % PANEL;
                int cols = Math.min(NR, nc - j);
                for (int i0 = ib; i0 < ib + mb; i0 += MR) {
                    sliver(c, cOff + i0 * ldc + j0 + j, ldc, Math.min(MR, ib + mb - i0), cols, s,
                            base + (i0 - ib) * kl, bp, pb, kl, acc);
                }
            }
        }
    }

    /**
     * Kept panels from at least this many rows of A on are read through once ({@link #touchPanels}) before the
     * register blocks run on them, while the kept weights fit the cache (else {@link #TOUCH_MIN_ROWS_COLD}). With
     * fewer rows the pass is long next to the product: on a Sapphire Rapids VM whose L3 held MiniLM's weights, MiniLM
     * at 1 x 16 tokens on two threads (16 rows x half the columns each) ran 9% slower with it (median 2.67 against
     * 2.44 ms per call), on one thread 27% faster; one row, cold, 13% slower. 48 rows on one thread: +10%; 1 x 128 on
     * two threads: median 16.9 against 18.1 ms per call.
     */
    static final int TOUCH_MIN_ROWS = 48;
    /**
     * From this many rows on, kept panels are read through once when the kept weights outgrow the last-level cache
     * ({@link KeptPanels#outgrowCache}): then each map's weight comes from memory at every call, and the pass pays from
     * a few rows on. Measured (AMD Zen 5, 32 MiB L3, weights rotated through 100 MiB of copies, median per product),
     * {@code 384 x 1152} on two threads: 16 rows 107.9-118.9 -> 79.1-81.3 us, 12 rows 106.8 -> 77.6, 8 rows 110.3
     * -> 73.1, 4 rows 76.4 -> 52.9, but 3 rows 63.2 -> 78.4 and 1 row 59.8 -> 74.8 (the single-row blocks already
     * stream the weight as fast as it comes); {@code 1536 x 384} 16 rows 143.2-169.8 -> 115.4-124.5, {@code 384 x
     * 384} 39.7-40.1 -> 28.5-30.4; one thread, 16 rows 245.7 -> 156.1. MiniLM at 1 x 16 tokens, two threads, the rule
     * on and off at alternate calls in one process: 2.25-2.70 against 2.68-3.33 ms per call (-15 to -19%). The same
     * weights kept hot (one copy) lose 13-18% to the pass at 16 rows, hence the older rule while they fit.
     */
    static final int TOUCH_MIN_ROWS_COLD = SMALL_M;

    /** {@link #TOUCH_MIN_ROWS}, or {@link #TOUCH_MIN_ROWS_COLD} while the kept weights outgrow the cache. */
    private static int touchMinRows() {
        return KeptPanels.outgrowCache() ? TOUCH_MIN_ROWS_COLD : TOUCH_MIN_ROWS;
    }

    /**
     * Products that read at least this many floats (256 KiB) of the weight ({@code k x n}: a thread's columns of it
     * when the columns are split) read them through once: fewer are likely still in L2 from their last use, where the
     * extra pass only costs (16 rows of a 384 x 1152 weight kept hot: -21%).
     */
    static final long TOUCH_MIN_WEIGHT = 1 << 16;
    /** Floats of a cache line: the stride of {@link #touchPanels}. */
    private static final int LINE_FLOATS = 16;

    /**
     * Reads the k-block of {@code panels} panels the next register blocks run on ({@code kl} rows of each, from
     * {@code panel0}, {@code panelSize} apart) once, a vector per cache line, summed into {@code s.touched} so that the
     * loads stay. A weight kept in a model is usually in L3, not L2, when its layer comes round (MiniLM's are 21 MB):
     * the register blocks then stream it at the pace their loop issues loads, a few cache lines ahead, while a loop
     * of nothing but loads keeps many lines in flight and leaves the k-block in L2 for them. One thread, weights
     * cold (24 copies rotated), 384 x 1152, the pass at any row count: 4 rows 22.9 -> 34.1 GFLOP/s, 16 rows
     * 55.6 -> 69.0, 48 rows 91.2 -> 100.7, 128 rows 106-109 -> 116-118; 128 x 384 x 384 +9-11%, 128 x 1536 x 384
     * +4-7%; 1970 rows (two threads) unchanged within noise; with the weight hot in L2, 128 rows -2-5%. Reads only:
     * the same bits.
     */
    private static void touchPanels(Scratch s, float[] panels, int panel0, int panelSize, int count, int kl) {
        FloatVector sum = FloatVector.zero(SPECIES);
        for (int q = 0; q < count; q++) {
            int from = panel0 + q * panelSize;
            int to = from + kl * PANEL;
            for (int i = from; i < to; i += LINE_FLOATS) {
                sum = sum.add(FloatVector.fromArray(SPECIES, panels, i));
            }
        }
        sum.intoArray(s.touched, 0);
    }

    /**
     * Packs rows {@code [i0, i1)} of A over the k-block at {@code p0} ({@code kl} long) into {@code s.a} as slivers of
     * {@link #MR} rows, the one of row {@code i} at {@code (i - i0) * kl}, growing the buffer if it is too small.
     */
    private static void packSlivers(Scratch s, float[] a, int aOff, int ars, int aps, int p0, int kl, int i0, int i1) {
        s.ensureA((i1 - i0 + MR - 1) / MR * MR * kl);
        for (int i = i0; i < i1; i += MR) {
            packA(s, a, aOff + i * ars + p0 * aps, ars, aps, Math.min(MR, i1 - i), kl, (i - i0) * kl);
        }
    }

    /**
     * The packed sliver at {@code s.a[pa]}, its {@code rows} rows, times one {@code NR}-column block of B into
     * {@code c} at {@code cq}: one block of {@code MR} rows, or (a short sliver: the last rows) a block of 8 rows,
     * blocks of 4, then single rows, not a padded block.
     */
    private static void sliver(float[] c, int cq, int ldc, int rows, int cols, Scratch s, int pa, float[] bp, int pb,
                               int kl, boolean acc) {
        if (rows == MR) {
            block(MR, c, cq, ldc, cols, s, pa, bp, pb, kl, acc);
            return;
        }
        int r = 0;
        if (rows >= 8) {
            block(8, c, cq, ldc, cols, s, pa, bp, pb, kl, acc);
            r = 8;
        }
        for (; r + 4 <= rows; r += 4) {
            block(4, c, cq + r * ldc, ldc, cols, s, pa + r, bp, pb, kl, acc);
        }
        for (; r < rows; r++) {
            block(1, c, cq + r * ldc, ldc, cols, s, pa + r, bp, pb, kl, acc);
        }
    }

    /**
     * Rows {@code [pa, pa + rk)} of the packed sliver times the {@code NR} columns of B at {@code bp[pb]} (rows
     * {@link #PANEL} apart) into the {@code rk x cols} block of {@code c} at {@code c0}, by the register block of
     * {@code rk} rows ({@code MR}, 8, 4 or 1). A ragged block ({@code cols < NR}) runs on {@code s.tile}, loaded with
     * the valid part of {@code c} when resuming a chain; its columns past {@code cols} read the zeros that pad B's
     * last panel, and are not kept.
     */
    private static void block(int rk, float[] c, int c0, int ldc, int cols, Scratch s, int pa, float[] bp, int pb,
                              int kl, boolean acc) {
        if (cols == NR) {
            registerBlock(rk, c, c0, ldc, s, pa, bp, pb, kl, acc);
            return;
        }
        float[] t = s.tile;
        if (acc) {
            for (int r = 0; r < rk; r++) {
                System.arraycopy(c, c0 + r * ldc, t, r * NR, cols);
            }
        }
        registerBlock(rk, t, 0, NR, s, pa, bp, pb, kl, acc);
        for (int r = 0; r < rk; r++) {
            System.arraycopy(t, r * NR, c, c0 + r * ldc, cols);
        }
    }

    private static void registerBlock(int rk, float[] c, int c0, int ldc, Scratch s, int pa, float[] bp, int pb,
                                      int kl, boolean acc) {
        if (rk == MR) {
            kernel12x2(c, c0, ldc, s.a, pa, bp, pb, kl, acc);
        } else if (rk == 8) {
            kernel8x2(c, c0, ldc, s.a, pa, bp, pb, kl, acc);
        } else if (rk == 4) {
            kernel4x2(c, c0, ldc, s.a, pa, bp, pb, kl, acc);
        } else {
            kernel1x2(c, c0, ldc, s.a, pa, bp, pb, kl, acc);
        }
    }

    /**
     * One row of C without packing, rows of B contiguous: {@code c[c0 + j] = A[p] B[p, j]} summed by the same in-order
     * fma chain as the register blocks, with {@code A[p] = a[a0 + p * aps]}, {@code B[p, j] = b[bOff + p * bps + j]}.
     * Columns in groups of 4 vectors (4 independent chains), then single vectors, then one scalar chain per column.
     */
    private static void unpackedRow(float[] c, int c0, float[] a, int a0, int aps, float[] b, int bOff, int bps,
                                    int n, int k) {
        int j = 0;
        for (; j + 4 * LANES <= n; j += 4 * LANES) {
            rowByLoads4(c, c0 + j, a, a0, aps, b, bOff + j, bps, k);
        }
        for (; j + LANES <= n; j += LANES) {
            rowByLoads1(c, c0 + j, a, a0, aps, b, bOff + j, bps, k);
        }
        for (; j < n; j++) {
            float acc = 0f;
            int bj = bOff + j;
            for (int p = 0; p < k; p++) {
                acc = Math.fma(a[a0 + p * aps], b[bj + p * bps], acc);
            }
            c[c0 + j] = acc;
        }
    }

    private static void rowByLoads4(float[] c, int c0, float[] a, int a0, int aps, float[] b, int b0, int bps, int k) {
        FloatVector s0 = FloatVector.zero(SPECIES);
        FloatVector s1 = s0;
        FloatVector s2 = s0;
        FloatVector s3 = s0;
        for (int p = 0; p < k; p++) {
            FloatVector x = FloatVector.broadcast(SPECIES, a[a0 + p * aps]);
            int bp = b0 + p * bps;
            s0 = x.fma(FloatVector.fromArray(SPECIES, b, bp), s0);
            s1 = x.fma(FloatVector.fromArray(SPECIES, b, bp + LANES), s1);
            s2 = x.fma(FloatVector.fromArray(SPECIES, b, bp + 2 * LANES), s2);
            s3 = x.fma(FloatVector.fromArray(SPECIES, b, bp + 3 * LANES), s3);
        }
        s0.intoArray(c, c0);
        s1.intoArray(c, c0 + LANES);
        s2.intoArray(c, c0 + 2 * LANES);
        s3.intoArray(c, c0 + 3 * LANES);
    }

    private static void rowByLoads1(float[] c, int c0, float[] a, int a0, int aps, float[] b, int b0, int bps, int k) {
        FloatVector s0 = FloatVector.zero(SPECIES);
        for (int p = 0; p < k; p++) {
            s0 = FloatVector.broadcast(SPECIES, a[a0 + p * aps]).fma(FloatVector.fromArray(SPECIES, b, b0 + p * bps), s0);
        }
        s0.intoArray(c, c0);
    }

    /**
     * Packs {@code B[p, j]} for p in {@code [0, kl)}, j in {@code [0, nc)} (relative to {@code src}) into panels of
     * {@link #PANEL} columns: {@code bp[q * kl * PANEL + p * PANEL + jj] = B[p, q * PANEL + jj]}, zero past
     * {@code nc}. Either {@code bjs == 1} (rows of B contiguous) or {@code bps == 1} (B is the transpose of a
     * row-major matrix).
     */
    private static void packB(Scratch s, float[] b, int src, int bps, int bjs, int kl, int nc) {
        float[] bp = s.b;
        for (int q = 0, j0 = 0; j0 < nc; q++, j0 += PANEL) {
            int cols = Math.min(PANEL, nc - j0);
            int base = q * kl * PANEL;
            if (bjs == 1) {
                // rows of B are contiguous in j: copy each row's PANEL columns
                int from = src + j0;
                if (cols == PANEL) {
                    for (int p = 0; p < kl; p++) {
                        int sp = from + p * bps;
                        int dp = base + p * PANEL;
                        for (int v = 0; v < PANEL; v += LANES) {
                            FloatVector.fromArray(SPECIES, b, sp + v).intoArray(bp, dp + v);
                        }
                    }
                } else {
                    for (int p = 0; p < kl; p++) {
                        int dp = base + p * PANEL;
                        System.arraycopy(b, from + p * bps, bp, dp, cols);
                        java.util.Arrays.fill(bp, dp + cols, dp + PANEL, 0f);
                    }
                }
            } else {
                // B = b^T (bps == 1): column j of B is a contiguous row of b. Whole groups of LANES columns are
                // transposed 16 p at a time (LaneTranspose, at 16 lanes) or gathered one p at a time (lane jj reads
                // row j0 + jj), the rest copied element by element.
                int[] rowStarts = s.rowStarts;
                if (s.rowStride != bjs) {
                    for (int l = 0; l < LANES; l++) {
                        rowStarts[l] = l * bjs;
                    }
                    s.rowStride = bjs;
                }
                int jv = cols / LANES * LANES;
                for (int jj = 0; jj < jv; jj += LANES) {
                    int sj = src + (j0 + jj) * bjs;
                    int dj = base + jj;
                    int p = 0;
                    if (LaneTranspose.APPLIES) { // 16 p at a time: see packA
                        for (; p + LANES <= kl; p += LANES) {
                            LaneTranspose.rowsToLanes(bp, dj + p * PANEL, PANEL, b, sj + p, bjs, LANES);
                        }
                    }
                    for (; p < kl; p++) {
                        FloatVector.fromArray(SPECIES, b, sj + p, rowStarts, 0).intoArray(bp, dj + p * PANEL);
                    }
                }
                for (int jj = jv; jj < cols; jj++) {
                    int sj = src + (j0 + jj) * bjs;
                    for (int p = 0; p < kl; p++) {
                        bp[base + p * PANEL + jj] = b[sj + p];
                    }
                }
                for (int jj = cols; jj < PANEL; jj++) {
                    for (int p = 0; p < kl; p++) {
                        bp[base + p * PANEL + jj] = 0f;
                    }
                }
            }
        }
    }

    /**
     * Packs {@code A[r, p]} for r in {@code [0, rows)}, p in {@code [0, kl)} as {@code ap[dst + p * MR + r]}, zero past
     * rows.
     * With at least {@code MR} lanes: per p one masked load (columns of A contiguous, {@code ars == 1}), or, rows
     * contiguous ({@code aps == 1}) at 16 lanes, 16 p at a time by {@link LaneTranspose} (a third of the time of
     * gathers on AMD Zen 5: MiniLM at 1 x 128 tokens spent 13% of its time packing A by gathers), else one masked
     * gather per p (lane r reads row r); the lanes past {@code MR} spill into the next p's slots, which that p then
     * overwrites, and past the last p into the next sliver's slots (packed after it) or the buffer's LANES spare
     * floats. Narrower species copy element by element.
     */
    private static void packA(Scratch s, float[] a, int src, int ars, int aps, int rows, int kl, int dst) {
        float[] ap = s.a;
        if (LANES < MR) {
            packAByElement(ap, a, src, ars, aps, rows, kl, dst);
            return;
        }
        VectorMask<Float> valid = SPECIES.indexInRange(0, rows);
        if (ars == 1) {
            for (int p = 0; p < kl; p++) {
                FloatVector.fromArray(SPECIES, a, src + p * aps, valid).intoArray(ap, dst + p * MR);
            }
            return;
        }
        int p = 0;
        if (LaneTranspose.APPLIES && aps == 1) { // rows of A contiguous: 16 columns at a time by a transposition
            for (; p + LANES <= kl; p += LANES) {
                LaneTranspose.rowsToLanes(ap, dst + p * MR, MR, a, src + p, ars, rows);
            }
            if (p == kl) {
                return;
            }
        }
        int[] rowStarts = s.aRowStarts;
        if (s.aRowStride != ars || s.aRows != rows) {
            // a gather checks every lane's index, masked or not: lanes past the last row read row 0 (then masked)
            for (int l = 0; l < LANES; l++) {
                rowStarts[l] = l < rows ? l * ars : 0;
            }
            s.aRowStride = ars;
            s.aRows = rows;
        }
        for (; p < kl; p++) {
            FloatVector.fromArray(SPECIES, a, src + p * aps, rowStarts, 0, valid).intoArray(ap, dst + p * MR);
        }
    }

    private static void packAByElement(float[] ap, float[] a, int src, int ars, int aps, int rows, int kl, int dst) {
        for (int p = 0; p < kl; p++) {
            int sp = src + p * aps;
            for (int r = 0; r < MR; r++) {
                ap[dst + p * MR + r] = r < rows ? a[sp + r * ars] : 0f;
            }
        }
    }

    // The register block is a separate small method taking only arrays and ints so that C2 compiles it whole with
    // every accumulator in a register: a vector passed across a call that is not inlined is boxed.

    /**
     * The register block: 12 rows x 2 vectors of {@code c} at {@code c0} held in 24 accumulators,
     * {@code s[r][v] = fma(A[r, p], B[p, v], s)} for p in {@code [0, kl)}, starting from {@code c}'s values when
     * {@code acc} (resuming the chain of an earlier k-block) or from 0. {@code pa}: the packed A sliver,
     * {@code A[r, p] = ap[pa + p * MR + r]}; {@code pb}: the B panel, its vector {@code v} at
     * {@code B[p, v * LANES ..] = bp[pb + p * PANEL + v * LANES ..]}.
     */
    private static void kernel12x2(float[] c, int c0, int ldc, float[] ap, int pa, float[] bp, int pb,
                                  int kl, boolean acc) {
        int d0 = c0;
        int d1 = c0 + 1 * ldc;
        int d2 = c0 + 2 * ldc;
        int d3 = c0 + 3 * ldc;
        int d4 = c0 + 4 * ldc;
        int d5 = c0 + 5 * ldc;
        int d6 = c0 + 6 * ldc;
        int d7 = c0 + 7 * ldc;
        int d8 = c0 + 8 * ldc;
        int d9 = c0 + 9 * ldc;
        int d10 = c0 + 10 * ldc;
        int d11 = c0 + 11 * ldc;
        FloatVector z = FloatVector.zero(SPECIES);
        FloatVector s00 = acc ? FloatVector.fromArray(SPECIES, c, d0) : z;
        FloatVector s01 = acc ? FloatVector.fromArray(SPECIES, c, d0 + 1 * LANES) : z;
        FloatVector s10 = acc ? FloatVector.fromArray(SPECIES, c, d1) : z;
        FloatVector s11 = acc ? FloatVector.fromArray(SPECIES, c, d1 + 1 * LANES) : z;
        FloatVector s20 = acc ? FloatVector.fromArray(SPECIES, c, d2) : z;
        FloatVector s21 = acc ? FloatVector.fromArray(SPECIES, c, d2 + 1 * LANES) : z;
        FloatVector s30 = acc ? FloatVector.fromArray(SPECIES, c, d3) : z;
        FloatVector s31 = acc ? FloatVector.fromArray(SPECIES, c, d3 + 1 * LANES) : z;
        FloatVector s40 = acc ? FloatVector.fromArray(SPECIES, c, d4) : z;
        FloatVector s41 = acc ? FloatVector.fromArray(SPECIES, c, d4 + 1 * LANES) : z;
        FloatVector s50 = acc ? FloatVector.fromArray(SPECIES, c, d5) : z;
        FloatVector s51 = acc ? FloatVector.fromArray(SPECIES, c, d5 + 1 * LANES) : z;
        FloatVector s60 = acc ? FloatVector.fromArray(SPECIES, c, d6) : z;
        FloatVector s61 = acc ? FloatVector.fromArray(SPECIES, c, d6 + 1 * LANES) : z;
        FloatVector s70 = acc ? FloatVector.fromArray(SPECIES, c, d7) : z;
        FloatVector s71 = acc ? FloatVector.fromArray(SPECIES, c, d7 + 1 * LANES) : z;
        FloatVector s80 = acc ? FloatVector.fromArray(SPECIES, c, d8) : z;
        FloatVector s81 = acc ? FloatVector.fromArray(SPECIES, c, d8 + 1 * LANES) : z;
        FloatVector s90 = acc ? FloatVector.fromArray(SPECIES, c, d9) : z;
        FloatVector s91 = acc ? FloatVector.fromArray(SPECIES, c, d9 + 1 * LANES) : z;
        FloatVector s100 = acc ? FloatVector.fromArray(SPECIES, c, d10) : z;
        FloatVector s101 = acc ? FloatVector.fromArray(SPECIES, c, d10 + 1 * LANES) : z;
        FloatVector s110 = acc ? FloatVector.fromArray(SPECIES, c, d11) : z;
        FloatVector s111 = acc ? FloatVector.fromArray(SPECIES, c, d11 + 1 * LANES) : z;
        for (int p = 0; p < kl; p++) {
            int bi = pb + p * PANEL;
            FloatVector b0 = FloatVector.fromArray(SPECIES, bp, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, bp, bi + LANES);
            int ai = pa + p * MR;
            FloatVector x = FloatVector.broadcast(SPECIES, ap[ai + 0]);
            s00 = x.fma(b0, s00);
            s01 = x.fma(b1, s01);
            x = FloatVector.broadcast(SPECIES, ap[ai + 1]);
            s10 = x.fma(b0, s10);
            s11 = x.fma(b1, s11);
            x = FloatVector.broadcast(SPECIES, ap[ai + 2]);
            s20 = x.fma(b0, s20);
            s21 = x.fma(b1, s21);
            x = FloatVector.broadcast(SPECIES, ap[ai + 3]);
            s30 = x.fma(b0, s30);
            s31 = x.fma(b1, s31);
            x = FloatVector.broadcast(SPECIES, ap[ai + 4]);
            s40 = x.fma(b0, s40);
            s41 = x.fma(b1, s41);
            x = FloatVector.broadcast(SPECIES, ap[ai + 5]);
            s50 = x.fma(b0, s50);
            s51 = x.fma(b1, s51);
            x = FloatVector.broadcast(SPECIES, ap[ai + 6]);
            s60 = x.fma(b0, s60);
            s61 = x.fma(b1, s61);
            x = FloatVector.broadcast(SPECIES, ap[ai + 7]);
            s70 = x.fma(b0, s70);
            s71 = x.fma(b1, s71);
            x = FloatVector.broadcast(SPECIES, ap[ai + 8]);
            s80 = x.fma(b0, s80);
            s81 = x.fma(b1, s81);
            x = FloatVector.broadcast(SPECIES, ap[ai + 9]);
            s90 = x.fma(b0, s90);
            s91 = x.fma(b1, s91);
            x = FloatVector.broadcast(SPECIES, ap[ai + 10]);
            s100 = x.fma(b0, s100);
            s101 = x.fma(b1, s101);
            x = FloatVector.broadcast(SPECIES, ap[ai + 11]);
            s110 = x.fma(b0, s110);
            s111 = x.fma(b1, s111);
        }
        s00.intoArray(c, d0);
        s01.intoArray(c, d0 + 1 * LANES);
        s10.intoArray(c, d1);
        s11.intoArray(c, d1 + 1 * LANES);
        s20.intoArray(c, d2);
        s21.intoArray(c, d2 + 1 * LANES);
        s30.intoArray(c, d3);
        s31.intoArray(c, d3 + 1 * LANES);
        s40.intoArray(c, d4);
        s41.intoArray(c, d4 + 1 * LANES);
        s50.intoArray(c, d5);
        s51.intoArray(c, d5 + 1 * LANES);
        s60.intoArray(c, d6);
        s61.intoArray(c, d6 + 1 * LANES);
        s70.intoArray(c, d7);
        s71.intoArray(c, d7 + 1 * LANES);
        s80.intoArray(c, d8);
        s81.intoArray(c, d8 + 1 * LANES);
        s90.intoArray(c, d9);
        s91.intoArray(c, d9 + 1 * LANES);
        s100.intoArray(c, d10);
        s101.intoArray(c, d10 + 1 * LANES);
        s110.intoArray(c, d11);
        s111.intoArray(c, d11 + 1 * LANES);
    }

    /**
     * The register block: 8 rows x 2 vectors of {@code c} at {@code c0} held in 16 accumulators, as
     * {@link #kernel12x2}: the last rows of a sliver of 8 to 11 rows ({@code m = 128}: 10 slivers of 12 and 8 rows),
     * which two 4-row blocks ran at about half the rate, reading the B panel twice.
     */
    private static void kernel8x2(float[] c, int c0, int ldc, float[] ap, int pa, float[] bp, int pb,
                                  int kl, boolean acc) {
        int d0 = c0;
        int d1 = c0 + 1 * ldc;
        int d2 = c0 + 2 * ldc;
        int d3 = c0 + 3 * ldc;
        int d4 = c0 + 4 * ldc;
        int d5 = c0 + 5 * ldc;
        int d6 = c0 + 6 * ldc;
        int d7 = c0 + 7 * ldc;
        FloatVector z = FloatVector.zero(SPECIES);
        FloatVector s00 = acc ? FloatVector.fromArray(SPECIES, c, d0) : z;
        FloatVector s01 = acc ? FloatVector.fromArray(SPECIES, c, d0 + 1 * LANES) : z;
        FloatVector s10 = acc ? FloatVector.fromArray(SPECIES, c, d1) : z;
        FloatVector s11 = acc ? FloatVector.fromArray(SPECIES, c, d1 + 1 * LANES) : z;
        FloatVector s20 = acc ? FloatVector.fromArray(SPECIES, c, d2) : z;
        FloatVector s21 = acc ? FloatVector.fromArray(SPECIES, c, d2 + 1 * LANES) : z;
        FloatVector s30 = acc ? FloatVector.fromArray(SPECIES, c, d3) : z;
        FloatVector s31 = acc ? FloatVector.fromArray(SPECIES, c, d3 + 1 * LANES) : z;
        FloatVector s40 = acc ? FloatVector.fromArray(SPECIES, c, d4) : z;
        FloatVector s41 = acc ? FloatVector.fromArray(SPECIES, c, d4 + 1 * LANES) : z;
        FloatVector s50 = acc ? FloatVector.fromArray(SPECIES, c, d5) : z;
        FloatVector s51 = acc ? FloatVector.fromArray(SPECIES, c, d5 + 1 * LANES) : z;
        FloatVector s60 = acc ? FloatVector.fromArray(SPECIES, c, d6) : z;
        FloatVector s61 = acc ? FloatVector.fromArray(SPECIES, c, d6 + 1 * LANES) : z;
        FloatVector s70 = acc ? FloatVector.fromArray(SPECIES, c, d7) : z;
        FloatVector s71 = acc ? FloatVector.fromArray(SPECIES, c, d7 + 1 * LANES) : z;
        for (int p = 0; p < kl; p++) {
            int bi = pb + p * PANEL;
            FloatVector b0 = FloatVector.fromArray(SPECIES, bp, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, bp, bi + LANES);
            int ai = pa + p * MR;
            FloatVector x = FloatVector.broadcast(SPECIES, ap[ai + 0]);
            s00 = x.fma(b0, s00);
            s01 = x.fma(b1, s01);
            x = FloatVector.broadcast(SPECIES, ap[ai + 1]);
            s10 = x.fma(b0, s10);
            s11 = x.fma(b1, s11);
            x = FloatVector.broadcast(SPECIES, ap[ai + 2]);
            s20 = x.fma(b0, s20);
            s21 = x.fma(b1, s21);
            x = FloatVector.broadcast(SPECIES, ap[ai + 3]);
            s30 = x.fma(b0, s30);
            s31 = x.fma(b1, s31);
            x = FloatVector.broadcast(SPECIES, ap[ai + 4]);
            s40 = x.fma(b0, s40);
            s41 = x.fma(b1, s41);
            x = FloatVector.broadcast(SPECIES, ap[ai + 5]);
            s50 = x.fma(b0, s50);
            s51 = x.fma(b1, s51);
            x = FloatVector.broadcast(SPECIES, ap[ai + 6]);
            s60 = x.fma(b0, s60);
            s61 = x.fma(b1, s61);
            x = FloatVector.broadcast(SPECIES, ap[ai + 7]);
            s70 = x.fma(b0, s70);
            s71 = x.fma(b1, s71);
        }
        s00.intoArray(c, d0);
        s01.intoArray(c, d0 + 1 * LANES);
        s10.intoArray(c, d1);
        s11.intoArray(c, d1 + 1 * LANES);
        s20.intoArray(c, d2);
        s21.intoArray(c, d2 + 1 * LANES);
        s30.intoArray(c, d3);
        s31.intoArray(c, d3 + 1 * LANES);
        s40.intoArray(c, d4);
        s41.intoArray(c, d4 + 1 * LANES);
        s50.intoArray(c, d5);
        s51.intoArray(c, d5 + 1 * LANES);
        s60.intoArray(c, d6);
        s61.intoArray(c, d6 + 1 * LANES);
        s70.intoArray(c, d7);
        s71.intoArray(c, d7 + 1 * LANES);
    }

    /**
     * The register block: 4 rows x 2 vectors of {@code c} at {@code c0} held in 8 accumulators,
     * {@code s[r][v] = fma(A[r, p], B[p, v], s)} for p in {@code [0, kl)}, starting from {@code c}'s values when
     * {@code acc} (resuming the chain of an earlier k-block) or from 0. {@code pa}: the packed A sliver,
     * {@code A[r, p] = ap[pa + p * MR + r]}; {@code pb}: the B panel, its vector {@code v} at
     * {@code B[p, v * LANES ..] = bp[pb + p * PANEL + v * LANES ..]}.
     */
    private static void kernel4x2(float[] c, int c0, int ldc, float[] ap, int pa, float[] bp, int pb,
                                  int kl, boolean acc) {
        int d0 = c0;
        int d1 = c0 + 1 * ldc;
        int d2 = c0 + 2 * ldc;
        int d3 = c0 + 3 * ldc;
        FloatVector z = FloatVector.zero(SPECIES);
        FloatVector s00 = acc ? FloatVector.fromArray(SPECIES, c, d0) : z;
        FloatVector s01 = acc ? FloatVector.fromArray(SPECIES, c, d0 + 1 * LANES) : z;
        FloatVector s10 = acc ? FloatVector.fromArray(SPECIES, c, d1) : z;
        FloatVector s11 = acc ? FloatVector.fromArray(SPECIES, c, d1 + 1 * LANES) : z;
        FloatVector s20 = acc ? FloatVector.fromArray(SPECIES, c, d2) : z;
        FloatVector s21 = acc ? FloatVector.fromArray(SPECIES, c, d2 + 1 * LANES) : z;
        FloatVector s30 = acc ? FloatVector.fromArray(SPECIES, c, d3) : z;
        FloatVector s31 = acc ? FloatVector.fromArray(SPECIES, c, d3 + 1 * LANES) : z;
        for (int p = 0; p < kl; p++) {
            int bi = pb + p * PANEL;
            FloatVector b0 = FloatVector.fromArray(SPECIES, bp, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, bp, bi + LANES);
            int ai = pa + p * MR;
            FloatVector x = FloatVector.broadcast(SPECIES, ap[ai + 0]);
            s00 = x.fma(b0, s00);
            s01 = x.fma(b1, s01);
            x = FloatVector.broadcast(SPECIES, ap[ai + 1]);
            s10 = x.fma(b0, s10);
            s11 = x.fma(b1, s11);
            x = FloatVector.broadcast(SPECIES, ap[ai + 2]);
            s20 = x.fma(b0, s20);
            s21 = x.fma(b1, s21);
            x = FloatVector.broadcast(SPECIES, ap[ai + 3]);
            s30 = x.fma(b0, s30);
            s31 = x.fma(b1, s31);
        }
        s00.intoArray(c, d0);
        s01.intoArray(c, d0 + 1 * LANES);
        s10.intoArray(c, d1);
        s11.intoArray(c, d1 + 1 * LANES);
        s20.intoArray(c, d2);
        s21.intoArray(c, d2 + 1 * LANES);
        s30.intoArray(c, d3);
        s31.intoArray(c, d3 + 1 * LANES);
    }

    /**
     * The register block: 1 rows x 2 vectors of {@code c} at {@code c0} held in 2 accumulators,
     * {@code s[r][v] = fma(A[r, p], B[p, v], s)} for p in {@code [0, kl)}, starting from {@code c}'s values when
     * {@code acc} (resuming the chain of an earlier k-block) or from 0. {@code pa}: the packed A sliver,
     * {@code A[r, p] = ap[pa + p * MR + r]}; {@code pb}: the B panel, its vector {@code v} at
     * {@code B[p, v * LANES ..] = bp[pb + p * PANEL + v * LANES ..]}.
     */
    private static void kernel1x2(float[] c, int c0, int ldc, float[] ap, int pa, float[] bp, int pb,
                                  int kl, boolean acc) {
        int d0 = c0;
        FloatVector z = FloatVector.zero(SPECIES);
        FloatVector s00 = acc ? FloatVector.fromArray(SPECIES, c, d0) : z;
        FloatVector s01 = acc ? FloatVector.fromArray(SPECIES, c, d0 + 1 * LANES) : z;
        for (int p = 0; p < kl; p++) {
            int bi = pb + p * PANEL;
            FloatVector b0 = FloatVector.fromArray(SPECIES, bp, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, bp, bi + LANES);
            int ai = pa + p * MR;
            FloatVector x = FloatVector.broadcast(SPECIES, ap[ai + 0]);
            s00 = x.fma(b0, s00);
            s01 = x.fma(b1, s01);
        }
        s00.intoArray(c, d0);
        s01.intoArray(c, d0 + 1 * LANES);
    }
}
