package dev.attention4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link VectorKernels} against its twin {@link ScalarKernels}, method by method, at awkward sizes (0, 1, lanes - 1,
 * lanes, lanes + 1, 2 lanes + 3, 1031, for 4, 8 and 16 lanes and the species in use), with non-zero offsets and
 * leading dimensions wider than the rows. Buffers end exactly where the kernel's region ends (a read or write past it
 * throws), and every element outside the region holds {@link #GUARD}, a NaN: a kernel that reads it poisons its result,
 * one that writes it is caught by {@link #assertOutsideUntouched}.
 *
 * <p>Needs {@code jdk.incubator.vector}: without it the class fails (the no-vector run excludes it by name).
 */
class VectorKernelsTest {

    private static final float GUARD = Float.intBitsToFloat(0x7fc5a5a5);
    private static final ScalarKernels SCALAR = ScalarKernels.INSTANCE;

    private static Kernels vector;
    private static int lanes;

    @BeforeAll
    static void loadVectorKernels() {
        if (KernelChoice.vectorModulePresent()) {
            String[] why = new String[1];
            vector = KernelChoice.loadVectorKernels(why);
            assertNotNull(vector, "VectorKernels did not load: " + why[0]);
            lanes = VectorKernels.LANES;
        }
    }

    /**
     * Fails, never skips, without the module: the deliberate no-vector run (core/pom.xml) leaves this class out by
     * name instead.
     */
    @BeforeEach
    void requireVectorModule() {
        if (!KernelChoice.vectorModulePresent()) {
            fail("VectorKernelsTest needs the jdk.incubator.vector module (java --add-modules jdk.incubator.vector)");
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Layout helpers

    /** A row-major matrix stored at {@code off} with leading dimension {@code ld} in a buffer ending at its last element. */
    private record Mat(float[] data, int off, int ld, int rows, int cols) {

        boolean inRegion(int index) {
            int rel = index - off;
            return rel >= 0 && rows > 0 && cols > 0 && rel / ld < rows && rel % ld < cols;
        }

        float[] region() {
            float[] out = new float[rows * cols];
            for (int r = 0; r < rows; r++) {
                System.arraycopy(data, off + r * ld, out, r * cols, cols);
            }
            return out;
        }

        Mat copy() {
            return new Mat(data.clone(), off, ld, rows, cols);
        }
    }

    private static Mat guarded(int rows, int cols, int off, int extraLd) {
        int ld = cols + extraLd;
        int size = rows == 0 ? off : off + (rows - 1) * ld + cols;
        float[] data = new float[size];
        java.util.Arrays.fill(data, GUARD);
        return new Mat(data, off, ld, rows, cols);
    }

    private static Mat random(Random rnd, int rows, int cols, int off, int extraLd, float scale) {
        Mat m = guarded(rows, cols, off, extraLd);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                m.data[off + r * m.ld + c] = (rnd.nextFloat() * 2f - 1f) * scale;
            }
        }
        return m;
    }

    /** A vector of {@code n} at {@code off}, guard before, buffer ending at its last element. */
    private static Mat randomVector(Random rnd, int n, int off, float scale) {
        return random(rnd, 1, n, off, 0, scale);
    }

    private static void assertOutsideUntouched(String what, Mat m) {
        for (int i = 0; i < m.data.length; i++) {
            if (!m.inRegion(i) && Float.floatToRawIntBits(m.data[i]) != Float.floatToRawIntBits(GUARD)) {
                fail(what + ": wrote " + m.data[i] + " at index " + i + ", outside its output region (offset "
                        + m.off + ", ld " + m.ld + ", " + m.rows + " x " + m.cols + ")");
            }
        }
    }

    private static void assertBitIdentical(String what, float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                fail(what + ": index " + i + ": expected bits of " + expected[i] + " but got " + actual[i]
                        + " (diff " + Math.abs(expected[i] - actual[i]) + ")");
            }
        }
    }

    /** 0, 1, and lanes - 1, lanes, lanes + 1, 2 lanes + 3 for 4, 8, 16 lanes and the species in use, and 1031. */
    private static int[] sizes() {
        TreeSet<Integer> s = new TreeSet<>(List.of(0, 1, 1031));
        for (int l : new int[] {4, 8, 16, lanes}) {
            s.addAll(List.of(l - 1, l, l + 1, 2 * l + 3));
        }
        return s.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The awkward sizes for the species in use only: the matmul tests try every triple of these. */
    private static int[] matmulDims() {
        return new TreeSet<>(List.of(0, 1, lanes - 1, lanes, lanes + 1, 2 * lanes + 3)).stream()
                .mapToInt(Integer::intValue).toArray();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Matmuls

    /** The three matmuls with their operand shapes; {@code runRows} computes output rows {@code [r0, r1)} only. */
    private enum MatmulOp {
        MATMUL(Tolerances.MATMUL) {
            @Override
            Mat a(Random rnd, int m, int k) {
                return random(rnd, m, k, 3, 5, 1f); // (m, k)
            }

            @Override
            Mat b(Random rnd, int n, int k) {
                return random(rnd, k, n, 7, 2, 1f); // (k, n)
            }

            @Override
            void runRows(Kernels kernels, Mat c, Mat a, Mat b, int r0, int r1, int n, int k) {
                kernels.matmul(c.data, c.off + r0 * c.ld, c.ld, a.data, a.off + r0 * a.ld, a.ld, b.data, b.off, b.ld,
                        r1 - r0, n, k);
            }
        },
        MATMUL_TRANS_A(Tolerances.MATMUL_TRANS_A) {
            @Override
            Mat a(Random rnd, int m, int k) {
                return random(rnd, k, m, 3, 5, 1f); // (k, m)
            }

            @Override
            Mat b(Random rnd, int n, int k) {
                return random(rnd, k, n, 7, 2, 1f); // (k, n)
            }

            @Override
            void runRows(Kernels kernels, Mat c, Mat a, Mat b, int r0, int r1, int n, int k) {
                kernels.matmulTransA(c.data, c.off + r0 * c.ld, c.ld, a.data, a.off + r0, a.ld, b.data, b.off, b.ld,
                        r1 - r0, n, k);
            }
        },
        MATMUL_TRANS_B(Tolerances.MATMUL_TRANS_B) {
            @Override
            Mat a(Random rnd, int m, int k) {
                return random(rnd, m, k, 3, 5, 1f); // (m, k)
            }

            @Override
            Mat b(Random rnd, int n, int k) {
                return random(rnd, n, k, 7, 2, 1f); // (n, k)
            }

            @Override
            void runRows(Kernels kernels, Mat c, Mat a, Mat b, int r0, int r1, int n, int k) {
                kernels.matmulTransB(c.data, c.off + r0 * c.ld, c.ld, a.data, a.off + r0 * a.ld, a.ld, b.data, b.off,
                        b.ld, r1 - r0, n, k);
            }
        };

        final Tolerances tolerance;

        MatmulOp(Tolerances tolerance) {
            this.tolerance = tolerance;
        }

        abstract Mat a(Random rnd, int m, int k);

        abstract Mat b(Random rnd, int n, int k);

        abstract void runRows(Kernels kernels, Mat c, Mat a, Mat b, int r0, int r1, int n, int k);

        /** The left operand's element {@code A[i, p]} (after any transpose). */
        float aAt(Mat a, int i, int p) {
            return this == MATMUL_TRANS_A ? a.data[a.off + p * a.ld + i] : a.data[a.off + i * a.ld + p];
        }

        /** The right operand's element {@code B[p, j]} (after any transpose). */
        float bAt(Mat b, int p, int j) {
            return this == MATMUL_TRANS_B ? b.data[b.off + j * b.ld + p] : b.data[b.off + p * b.ld + j];
        }

        /** Computes output columns {@code [j0, j1)} only (all {@code m} rows). */
        void runCols(Kernels kernels, Mat c, Mat a, Mat b, int j0, int j1, int m, int k) {
            int bCol = this == MATMUL_TRANS_B ? b.off + j0 * b.ld : b.off + j0;
            switch (this) {
                case MATMUL -> kernels.matmul(c.data, c.off + j0, c.ld, a.data, a.off, a.ld, b.data, bCol, b.ld,
                        m, j1 - j0, k);
                case MATMUL_TRANS_A -> kernels.matmulTransA(c.data, c.off + j0, c.ld, a.data, a.off, a.ld, b.data,
                        bCol, b.ld, m, j1 - j0, k);
                case MATMUL_TRANS_B -> kernels.matmulTransB(c.data, c.off + j0, c.ld, a.data, a.off, a.ld, b.data,
                        bCol, b.ld, m, j1 - j0, k);
            }
        }

        /** Every element as the one in-order chain {@code s = fma(A[i, p], B[p, j], s)} over all of {@code k}. */
        float[] inOrderFmaChain(Mat a, Mat b, int m, int n, int k) {
            float[] expected = new float[m * n];
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    float s = 0f;
                    for (int p = 0; p < k; p++) {
                        s = Math.fma(aAt(a, i, p), bAt(b, p, j), s);
                    }
                    expected[i * n + j] = s;
                }
            }
            return expected;
        }

        void check(Random rnd, int m, int n, int k) {
            Mat a = a(rnd, m, k);
            Mat b = b(rnd, n, k);
            Mat cv = guarded(m, n, 11, 3);
            Mat cs = cv.copy();
            runRows(vector, cv, a, b, 0, m, n, k);
            runRows(SCALAR, cs, a, b, 0, m, n, k);
            String what = "m=" + m + " n=" + n + " k=" + k;
            tolerance.assertClose(what, cs.region(), cv.region());
            assertOutsideUntouched(this + " (vector) " + what, cv);
            assertOutsideUntouched(this + " (scalar) " + what, cs);
        }
    }

    @Test
    void matmulsMatchScalarForEveryTripleOfAwkwardDims() {
        Random rnd = new Random(1);
        int[] dims = matmulDims();
        for (MatmulOp op : MatmulOp.values()) {
            for (int m : dims) {
                for (int n : dims) {
                    for (int k : dims) {
                        op.check(rnd, m, n, k);
                    }
                }
            }
        }
    }

    @Test
    void matmulsMatchScalarWithALargeOddDim() {
        Random rnd = new Random(2);
        int odd = 2 * lanes + 3;
        for (MatmulOp op : MatmulOp.values()) {
            op.check(rnd, 1031, 5, odd);
            op.check(rnd, 5, 1031, odd);
            op.check(rnd, 5, odd, 1031);
            op.check(rnd, 9, 2 * lanes + 1, 1031);
        }
    }

    /**
     * Callers split rows across threads, so output row i must have the same bits whichever rows share its call: the
     * full call against chunkings that put every row both in and out of the 4-row (2-row) blocks.
     */
    @Test
    void matmulRowsDoNotDependOnWhichRowsShareTheCall() {
        Random rnd = new Random(3);
        int odd = 2 * lanes + 3;
        int[][] shapes = {{odd, odd, odd}, {13, 4 * lanes + 5, 37}, {11, 9, 1031}};
        for (MatmulOp op : MatmulOp.values()) {
            for (int[] s : shapes) {
                int m = s[0];
                int n = s[1];
                int k = s[2];
                Mat a = op.a(rnd, m, k);
                Mat b = op.b(rnd, n, k);
                Mat full = guarded(m, n, 11, 3);
                op.runRows(vector, full, a, b, 0, m, n, k);
                for (int[] cuts : chunkings(rnd, m)) {
                    Mat c = guarded(m, n, 11, 3);
                    for (int q = 0; q + 1 < cuts.length; q++) {
                        op.runRows(vector, c, a, b, cuts[q], cuts[q + 1], n, k);
                    }
                    assertBitIdentical(op + " m=" + m + " n=" + n + " k=" + k + " cut at "
                            + java.util.Arrays.toString(cuts), full.data, c.data);
                }
            }
        }
    }

    /**
     * Callers may also split columns across threads: output column j must have the same bits whichever columns share
     * its call, including cuts inside a register block's columns and inside a packed panel.
     */
    @Test
    void matmulColumnsDoNotDependOnWhichColumnsShareTheCall() {
        Random rnd = new Random(4);
        int odd = 2 * lanes + 3;
        int[][] shapes = {{odd, PackedGemm.NR + odd, odd}, {PackedGemm.MR + 1, 3 * lanes + 5, 37}, {7, 9, 300}};
        for (MatmulOp op : MatmulOp.values()) {
            for (int[] s : shapes) {
                int m = s[0];
                int n = s[1];
                int k = s[2];
                Mat a = op.a(rnd, m, k);
                Mat b = op.b(rnd, n, k);
                Mat full = guarded(m, n, 11, 3);
                op.runRows(vector, full, a, b, 0, m, n, k);
                for (int[] cuts : chunkings(rnd, n)) {
                    Mat c = guarded(m, n, 11, 3);
                    for (int q = 0; q + 1 < cuts.length; q++) {
                        op.runCols(vector, c, a, b, cuts[q], cuts[q + 1], m, k);
                    }
                    assertBitIdentical(op + " m=" + m + " n=" + n + " k=" + k + " columns cut at "
                            + java.util.Arrays.toString(cuts), full.data, c.data);
                }
            }
        }
    }

    /**
     * The packed, blocked paths give the same bits as one unblocked pass: all three products against the in-order fma
     * chain {@code s = fma(A[i, p], B[p, j], s)} over all of {@code k} (written here), at {@code k} below, at and
     * around multiples of {@link PackedGemm#KC}, {@code n} spanning two column blocks of {@link PackedGemm#NC} with a
     * ragged last panel of {@link PackedGemm#NR}, and {@code m} with a ragged last sliver of {@link PackedGemm#MR} rows
     * run by each of the smaller register blocks.
     */
    @Test
    void blockedMatmulsGiveTheBitsOfOneInOrderFmaChain() {
        Random rnd = new Random(9);
        int kc = PackedGemm.KC;
        int n = PackedGemm.NC + PackedGemm.NR + lanes + 3;
        int mr = PackedGemm.MR;
        for (int m : new int[] {2 * mr + 1, mr + 5, mr + 11}) { // last slivers of 1 row, 4 + 1, 8 + 3
            for (int k : new int[] {kc - 1, kc, kc + 1, 2 * kc + 5}) {
                assertEveryProductIsOneInOrderChain(rnd, m, n, k);
            }
        }
    }

    /**
     * A product of more rows than {@link PackedGemm#PACKED_A_ROWS} and more columns than a column block packs A per
     * column block, not once per k-block: the same bits as the chain, as in
     * {@link #blockedMatmulsGiveTheBitsOfOneInOrderFmaChain} (where A's k-blocks are packed once).
     */
    @Test
    void tallProductsPastThePackedARowsGiveTheSameBits() {
        Random rnd = new Random(12);
        int m = PackedGemm.PACKED_A_ROWS + 5;
        int n = PackedGemm.NC + 7;
        int k = PackedGemm.KC + 3;
        assertEveryProductIsOneInOrderChain(rnd, m, n, k);
    }

    /** All three products of random operands, in a guarded output, against the in-order fma chain, bit for bit. */
    private void assertEveryProductIsOneInOrderChain(Random rnd, int m, int n, int k) {
        for (MatmulOp op : MatmulOp.values()) {
            Mat a = op.a(rnd, m, k);
            Mat b = op.b(rnd, n, k);
            Mat c = guarded(m, n, 11, 3);
            op.runRows(vector, c, a, b, 0, m, n, k);
            String what = op + " m=" + m + " n=" + n + " k=" + k;
            assertBitIdentical(what, op.inOrderFmaChain(a, b, m, n, k), c.region());
            assertOutsideUntouched(what, c);
        }
    }

    /**
     * {@link LaneTranspose#rowsToLanes} at 16 lanes: for every row count 1..16, strides 12 (the packed GEMM's slivers:
     * each vector's last lanes land where the next one goes) and 16 and 21, and a row stride that is not a multiple of
     * 16, vector {@code j} holds element {@code j} of each row, zero past the rows, checked element by element against
     * the plain definition; nothing before {@code dst} or past the last vector's reach is written. At other lane
     * counts the transposition does not apply and packing gathers instead (the matmul tests cover that path).
     */
    @Test
    void laneTranspositionPutsEachRowInItsLane() {
        if (!LaneTranspose.APPLIES) {
            assertTrue(lanes != 16, "the transposition applies exactly at 16 lanes");
            return;
        }
        Random rnd = new Random(16);
        int ars = 37;
        float[] a = new float[3 + 16 * ars];
        for (int i = 0; i < a.length; i++) {
            a[i] = rnd.nextFloat() - 0.5f;
        }
        for (int stride : new int[] {12, 16, 21}) {
            for (int rows = 1; rows <= 16; rows++) {
                int dst = 5;
                int reach = dst + 15 * stride + 16;
                float[] out = new float[reach + 7];
                java.util.Arrays.fill(out, GUARD);
                LaneTranspose.rowsToLanes(out, dst, stride, a, 3, ars, rows);
                for (int j = 0; j < 16; j++) {
                    for (int r = 0; r < Math.min(stride, 16); r++) {
                        float expected = r < rows ? a[3 + r * ars + j] : 0f;
                        int at = dst + j * stride + r;
                        assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(out[at]),
                                "stride " + stride + ", rows " + rows + ": vector " + j + " lane " + r);
                    }
                }
                for (int i = 0; i < out.length; i++) {
                    if (i < dst || i >= reach) {
                        assertEquals(Float.floatToRawIntBits(GUARD), Float.floatToRawIntBits(out[i]),
                                "stride " + stride + ", rows " + rows + ": written outside at " + i);
                    }
                }
            }
        }
    }

    /**
     * {@code x W^T} on few rows ({@link FewRowsGemm}, which reads {@code W} in place with the rows of {@code x} in the
     * lanes) gives the bits of the one in-order fma chain, as the packed path does: every row count from below its
     * lower bound to above its upper one (one panel, a narrow last panel, several panels, ragged ones), {@code n}
     * ending in 12-, 4- and 1-row blocks of {@code W}, {@code k} short, odd and at its bound, with offsets and leading
     * dimensions wider than the rows; and the same bits whichever columns (rows of {@code W}) share the call.
     */
    @Test
    void fewRowsTransposedProductGivesTheBitsOfOneInOrderFmaChain() {
        Random rnd = new Random(10);
        MatmulOp op = MatmulOp.MATMUL_TRANS_B;
        int n = 2 * 12 + 4 + 3;
        for (int k : new int[] {1, lanes + 3, FewRowsGemm.MAX_K_FOR_MORE_ROWS, FewRowsGemm.MAX_K_FOR_MORE_ROWS + 1}) {
            for (int m = 1; m <= FewRowsGemm.MAX_ROWS + 1; m++) {
                Mat a = op.a(rnd, m, k);
                Mat b = op.b(rnd, n, k);
                Mat c = guarded(m, n, 11, 3);
                op.runRows(vector, c, a, b, 0, m, n, k);
                String what = "m=" + m + " n=" + n + " k=" + k + " (few-rows path: " + FewRowsGemm.applies(m, k) + ")";
                assertBitIdentical(what, op.inOrderFmaChain(a, b, m, n, k), c.region());
                assertOutsideUntouched(what, c);
                if (m == FewRowsGemm.MIN_ROWS || m == FewRowsGemm.ONE_VECTOR_ROWS + 1 || m == FewRowsGemm.MAX_ROWS) {
                    for (int[] cuts : chunkings(rnd, n)) {
                        Mat cut = guarded(m, n, 11, 3);
                        for (int q = 0; q + 1 < cuts.length; q++) {
                            op.runCols(vector, cut, a, b, cuts[q], cuts[q + 1], m, k);
                        }
                        assertBitIdentical(what + " columns cut at " + java.util.Arrays.toString(cuts), c.data,
                                cut.data);
                    }
                }
            }
        }
        assertTrue(FewRowsGemm.applies(FewRowsGemm.MIN_ROWS, 1) && FewRowsGemm.applies(FewRowsGemm.MAX_ROWS,
                FewRowsGemm.MAX_K_FOR_MORE_ROWS) && FewRowsGemm.applies(FewRowsGemm.ONE_VECTOR_ROWS, 4096)
                && !FewRowsGemm.applies(FewRowsGemm.MAX_ROWS, FewRowsGemm.MAX_K_FOR_MORE_ROWS + 1),
                "the shapes above cover both paths");
    }

    /** Cut points (starting at 0, ending at {@code n}): singles, [1, rest], [rest, 1], 3-then-4s, and random ones. */
    private static List<int[]> chunkings(Random rnd, int n) {
        List<int[]> out = new ArrayList<>();
        int[] singles = new int[n + 1];
        for (int i = 0; i <= n; i++) {
            singles[i] = i;
        }
        out.add(singles);
        if (n >= 2) {
            out.add(new int[] {0, 1, n});
            out.add(new int[] {0, n - 1, n});
        }
        List<Integer> shifted = new ArrayList<>(List.of(0));
        for (int c = Math.min(3, n); c < n; c += 4) {
            shifted.add(c);
        }
        shifted.add(n);
        out.add(shifted.stream().mapToInt(Integer::intValue).distinct().toArray());
        for (int t = 0; t < 4; t++) {
            List<Integer> cuts = new ArrayList<>(List.of(0));
            for (int c = 1 + rnd.nextInt(5); c < n; c += 1 + rnd.nextInt(5)) {
                cuts.add(c);
            }
            cuts.add(n);
            out.add(cuts.stream().mapToInt(Integer::intValue).distinct().toArray());
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Vector ops

    @Test
    void dotMatchesScalar() {
        Random rnd = new Random(4);
        for (int n : sizes()) {
            Mat a = randomVector(rnd, n, 3, 1f);
            Mat b = randomVector(rnd, n, 5, 1f);
            Tolerances.DOT.assertClose("n=" + n, SCALAR.dot(a.data, 3, b.data, 5, n),
                    vector.dot(a.data, 3, b.data, 5, n));
        }
    }

    @Test
    void elementwiseOpsMatchScalarAndTouchOnlyTheirRange() {
        Random rnd = new Random(5);
        for (int n : sizes()) {
            String what = "n=" + n;
            Mat a = randomVector(rnd, n, 2, 1f);
            Mat b = randomVector(rnd, n, 3, 1f);
            Mat x6 = randomVector(rnd, n, 4, 6f);
            special(x6);
            Mat yv = randomVector(rnd, n, 1, 1f);
            Mat ys = yv.copy();
            vector.axpy(yv.data, 1, 0.37f, a.data, 2, n);
            SCALAR.axpy(ys.data, 1, 0.37f, a.data, 2, n);
            Tolerances.AXPY.assertClose(what, ys.region(), yv.region());
            assertOutsideUntouched("axpy " + what, yv);

            Mat ov = guarded(1, n, 1, 0);
            Mat os = ov.copy();
            vector.add(ov.data, 1, a.data, 2, b.data, 3, n);
            SCALAR.add(os.data, 1, a.data, 2, b.data, 3, n);
            Tolerances.ADD.assertClose(what, os.region(), ov.region());
            assertOutsideUntouched("add " + what, ov);

            vector.scale(ov.data, 1, a.data, 2, -1.7f, n);
            SCALAR.scale(os.data, 1, a.data, 2, -1.7f, n);
            Tolerances.SCALE.assertClose(what, os.region(), ov.region());
            assertOutsideUntouched("scale " + what, ov);

            vector.relu(ov.data, 1, x6.data, 4, n);
            SCALAR.relu(os.data, 1, x6.data, 4, n);
            Tolerances.RELU.assertClose(what, os.region(), ov.region());
            assertOutsideUntouched("relu " + what, ov);

            vector.gelu(ov.data, 1, x6.data, 4, n);
            SCALAR.gelu(os.data, 1, x6.data, 4, n);
            Tolerances.GELU.assertClose(what, os.region(), ov.region());
            assertOutsideUntouched("gelu " + what, ov);
        }
    }

    /**
     * GELU caps the argument of erf's tail term at {@link Erf#TAIL} so the term never becomes subnormal (slow); the
     * bits must be those of the uncapped formula (A&S 7.1.26 with this class's exp), here recomputed term for term,
     * on a dense sweep of [-40, 40] (the flat parts, where the term underflows, included) and a few extremes.
     */
    @Test
    void geluWithTheCappedTailGivesTheBitsOfTheUncappedFormula() {
        int n = 400_003;
        float[] x = new float[n + 8];
        for (int i = 0; i < n; i++) {
            x[i] = -40f + 80f * i / (n - 1);
        }
        float[] extremes = {Float.MAX_VALUE, -Float.MAX_VALUE, 1e30f, -1e30f, Float.MIN_VALUE, -Float.MIN_VALUE,
            Erf.TAIL * (float) Math.sqrt(2), -Erf.TAIL * (float) Math.sqrt(2), -13.2f, -13.5f};
        System.arraycopy(extremes, 0, x, n - extremes.length, extremes.length);
        float[] out = new float[x.length];
        vector.gelu(out, 0, x, 0, n);
        for (int i = 0; i < n; i++) {
            float v = x[i];
            float z = v * Erf.INV_SQRT2;
            float az = Math.abs(z);
            float t = 1f / (az * Erf.P + 1f);
            float poly = ((((t * Erf.A5 + Erf.A4) * t + Erf.A3) * t + Erf.A2) * t + Erf.A1) * t;
            float y = 1f - poly * VectorKernels.exp(-az * az);
            float want = v * 0.5f * (Math.copySign(y, z) + 1f);
            if (Float.floatToRawIntBits(want) != Float.floatToRawIntBits(out[i])) {
                fail("gelu(" + v + "): want " + want + " but got " + out[i]);
            }
        }
    }

    /** A few values where sign and saturation matter: 0, -0, and far into GELU's and erf's flat parts. */
    private static void special(Mat x) {
        float[] s = {0f, -0f, 30f, -30f, 9f, -9f, 1e-30f, -1e-30f};
        for (int i = 0; i < Math.min(s.length, x.cols); i++) {
            x.data[x.off + i * 7 % x.cols] = s[i];
        }
    }

    @Test
    void elementwiseOpsAllowOutputToAliasInput() {
        Random rnd = new Random(6);
        int n = 2 * lanes + 3;
        Mat a = randomVector(rnd, n, 2, 6f);
        Mat b = randomVector(rnd, n, 2, 1f);
        Mat expected = guarded(1, n, 2, 0);
        Mat inPlace = a.copy();
        vector.add(expected.data, 2, a.data, 2, b.data, 2, n);
        vector.add(inPlace.data, 2, inPlace.data, 2, b.data, 2, n);
        assertBitIdentical("add in place", expected.data, inPlace.data);
        inPlace = a.copy();
        vector.scale(expected.data, 2, a.data, 2, 0.3f, n);
        vector.scale(inPlace.data, 2, inPlace.data, 2, 0.3f, n);
        assertBitIdentical("scale in place", expected.data, inPlace.data);
        inPlace = a.copy();
        vector.relu(expected.data, 2, a.data, 2, n);
        vector.relu(inPlace.data, 2, inPlace.data, 2, n);
        assertBitIdentical("relu in place", expected.data, inPlace.data);
        inPlace = a.copy();
        vector.gelu(expected.data, 2, a.data, 2, n);
        vector.gelu(inPlace.data, 2, inPlace.data, 2, n);
        assertBitIdentical("gelu in place", expected.data, inPlace.data);
    }

    /**
     * An element's bits must not depend on the range the caller passed (ranges are split across threads) nor on
     * whether it lands in the vector body or the scalar tail: the whole range against every other split, down to
     * single elements (all tail).
     */
    @Test
    void elementwiseOpsGiveTheSameBitsInTheVectorBodyAndTheScalarTail() {
        Random rnd = new Random(7);
        int n = 5 * lanes + 3;
        Mat x = randomVector(rnd, n, 0, 6f);
        special(x);
        Mat a = randomVector(rnd, n, 0, 1f);
        for (int[] cuts : chunkings(rnd, n)) {
            String what = "cut at " + java.util.Arrays.toString(cuts);
            float[] full = new float[n];
            float[] split = new float[n];
            vector.gelu(full, 0, x.data, 0, n);
            for (int q = 0; q + 1 < cuts.length; q++) {
                vector.gelu(split, cuts[q], x.data, cuts[q], cuts[q + 1] - cuts[q]);
            }
            assertBitIdentical("gelu " + what, full, split);
            full = a.data.clone();
            split = a.data.clone();
            vector.axpy(full, 0, -0.61f, x.data, 0, n);
            for (int q = 0; q + 1 < cuts.length; q++) {
                vector.axpy(split, cuts[q], -0.61f, x.data, cuts[q], cuts[q + 1] - cuts[q]);
            }
            assertBitIdentical("axpy " + what, full, split);
        }
    }

    @Test
    void addBiasRowsMatchesScalarAndRowSplitsAgree() {
        Random rnd = new Random(8);
        for (int rows : new int[] {0, 1, 3, 9}) {
            for (int cols : sizes()) {
                String what = rows + " x " + cols;
                Mat bias = randomVector(rnd, cols, 2, 1f);
                Mat xv = random(rnd, rows, cols, 6, 0, 1f);
                Mat xs = xv.copy();
                Mat xSplit = xv.copy();
                vector.addBiasRows(xv.data, 6, bias.data, 2, rows, cols);
                SCALAR.addBiasRows(xs.data, 6, bias.data, 2, rows, cols);
                Tolerances.ADD_BIAS_ROWS.assertClose(what, xs.region(), xv.region());
                assertOutsideUntouched("addBiasRows " + what, xv);
                for (int r = 0; r < rows; r++) {
                    vector.addBiasRows(xSplit.data, 6 + r * cols, bias.data, 2, 1, cols);
                }
                assertBitIdentical("addBiasRows row by row " + what, xv.data, xSplit.data);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Softmax and exp

    /**
     * Dropout keeps exactly the elements the scalar twin keeps, with the same {@code x * scale} bits, at every size,
     * offset and first index (also across the sign of the 64-bit index arithmetic), for several rates; and a run
     * split anywhere gives the bits of one call.
     */
    @Test
    void dropoutKeepsTheElementsTheScalarTwinKeeps() {
        Random rnd = new Random(17);
        for (int n : sizes()) {
            for (float p : new float[] {0.1f, 0.5f, 0.95f}) {
                for (long first : new long[] {0L, 5L, (1L << 40) + 3, Long.MAX_VALUE - n}) {
                    Mat x = randomVector(rnd, n, 4, 3f);
                    Mat xs = x.copy();
                    long key = DropoutHash.mix(rnd.nextLong());
                    long threshold = DropoutHash.threshold(p);
                    vector.dropout(x.data, 4, n, first, key, threshold, 1f / (1f - p));
                    SCALAR.dropout(xs.data, 4, n, first, key, threshold, 1f / (1f - p));
                    String what = "dropout n=" + n + " p=" + p + " first=" + first;
                    assertBitIdentical(what, xs.data, x.data);
                    assertOutsideUntouched(what, x);
                }
            }
        }
        int n = 7 * lanes + 5;
        Mat x = randomVector(rnd, n, 0, 3f);
        for (int[] cuts : chunkings(rnd, n)) {
            float[] full = x.data.clone();
            float[] split = x.data.clone();
            vector.dropout(full, 0, n, 11L, 99L, DropoutHash.threshold(0.3f), 1f / 0.7f);
            for (int q = 0; q + 1 < cuts.length; q++) {
                vector.dropout(split, cuts[q], cuts[q + 1] - cuts[q], 11L + cuts[q], 99L, DropoutHash.threshold(0.3f),
                        1f / 0.7f);
            }
            assertBitIdentical("dropout cut at " + java.util.Arrays.toString(cuts), full, split);
        }
    }

    @Test
    void softmaxMatchesScalarIncludingMaskedEntriesAndFullyMaskedRows() {
        Random rnd = new Random(9);
        for (int n : sizes()) {
            for (int variant = 0; variant < 5; variant++) {
                Mat x = randomVector(rnd, n, 4, variant == 1 ? 40f : 3f);
                for (int i = 0; i < n; i++) {
                    boolean masked = switch (variant) {
                        case 2 -> rnd.nextInt(3) == 0;        // some -inf
                        case 3 -> true;                       // fully masked
                        case 4 -> i != n / 2;                 // one survivor
                        default -> false;
                    };
                    if (masked) {
                        x.data[4 + i] = Float.NEGATIVE_INFINITY;
                    }
                }
                Mat xs = x.copy();
                float lse = vector.softmax(x.data, 4, n);
                float scalarLse = SCALAR.softmax(xs.data, 4, n);
                String what = "n=" + n + " variant " + variant;
                Tolerances.SOFTMAX.assertClose(what, xs.region(), x.region());
                Tolerances.LOG_SUM_EXP.assertClose(what + ": the returned log-sum-exp", scalarLse, lse);
                assertOutsideUntouched("softmax " + what, x);
                if (variant == 3) {
                    for (float v : x.region()) {
                        assertEquals(0f, v, "a fully masked row becomes zeros: " + what);
                    }
                }
            }
        }
    }

    /**
     * The Vector API's {@code lanewise(EXP)} and {@code reduceLanes(ADD)} give different bits interpreted and
     * compiled, so VectorKernels has its own exp from exactly rounded lanewise operations: its vector lanes equal its
     * scalar form bit for bit (so the JIT tier cannot matter), and both are within 1 ulp of {@code Math.exp}.
     */
    @Test
    void expLanesEqualTheScalarFormAndAreWithinAnUlpOfMathExp() {
        Random rnd = new Random(10);
        int n = 200_003;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = switch (i % 4) {
                case 0 -> -110f * rnd.nextFloat();
                case 1 -> 88f * rnd.nextFloat();
                case 2 -> (rnd.nextFloat() * 2f - 1f) * 2f;
                default -> -30f * rnd.nextFloat();
            };
        }
        float[] specials = {0f, -0f, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, Float.NaN, -87.33654f,
            -87.3365f, -87.34f, -103.9f, -104f, 88f, 88.37f, Float.MIN_VALUE, -Float.MIN_VALUE, 0.6931472f, 1f};
        System.arraycopy(specials, 0, x, 0, specials.length);
        System.arraycopy(specials, 0, x, n - specials.length, specials.length); // in the scalar tail too
        float[] e = x.clone();
        VectorKernels.expShifted(e, 0, n, 0f);
        double[] reference = new double[n];
        float[] scalarForm = new float[n];
        for (int i = 0; i < n; i++) {
            reference[i] = (float) Math.exp(x[i]);
            scalarForm[i] = VectorKernels.exp(x[i]);
        }
        assertBitIdentical("exp: vector lanes against the scalar form", scalarForm, e);
        Tolerances.EXP.assertClose("exp against (float) Math.exp", reference, e);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // LayerNorm

    @Test
    void layerNormMatchesScalarInPlaceAndRowByRow() {
        Random rnd = new Random(11);
        for (int rows : new int[] {0, 1, 3}) {
            for (int cols : sizes()) {
                String what = rows + " x " + cols;
                float[] gamma = randomVector(rnd, cols, 0, 1f).data;
                float[] beta = randomVector(rnd, cols, 0, 1f).data;
                Mat x = random(rnd, rows, cols, 5, 0, 2f);
                for (int i = 0; i < x.data.length; i++) {
                    if (x.inRegion(i)) {
                        x.data[i] += 3f; // a mean far from 0
                    }
                }
                Mat ov = guarded(rows, cols, 2, 0);
                Mat os = ov.copy();
                vector.layerNorm(ov.data, 2, x.data, 5, gamma, beta, rows, cols, 1e-5f);
                SCALAR.layerNorm(os.data, 2, x.data, 5, gamma, beta, rows, cols, 1e-5f);
                Tolerances.LAYER_NORM.assertClose(what, os.region(), ov.region());
                assertOutsideUntouched("layerNorm " + what, ov);

                Mat inPlace = x.copy();
                vector.layerNorm(inPlace.data, 5, inPlace.data, 5, gamma, beta, rows, cols, 1e-5f);
                assertBitIdentical("layerNorm in place " + what, ov.region(), inPlace.region());

                Mat rowByRow = guarded(rows, cols, 2, 0);
                for (int r = 0; r < rows; r++) {
                    vector.layerNorm(rowByRow.data, 2 + r * cols, x.data, 5 + r * cols, gamma, beta, 1, cols, 1e-5f);
                }
                assertBitIdentical("layerNorm row by row " + what, ov.data, rowByRow.data);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Species, name and JIT independence

    @Test
    void speciesPropertyAndName() {
        assertEquals(FloatVector.SPECIES_128, VectorKernels.speciesFor("128"));
        assertEquals(FloatVector.SPECIES_256, VectorKernels.speciesFor(" 256 "));
        assertEquals(FloatVector.SPECIES_512, VectorKernels.speciesFor("512"));
        assertEquals(FloatVector.SPECIES_PREFERRED, VectorKernels.speciesFor("preferred"));
        assertEquals(FloatVector.SPECIES_PREFERRED, VectorKernels.speciesFor("1024"), "invalid -> preferred");
        assertEquals(FloatVector.SPECIES_PREFERRED, VectorKernels.speciesFor(null), "unset -> preferred");
        assertEquals(VectorKernels.speciesFor(System.getProperty(VectorKernels.SPECIES_PROPERTY)),
                VectorKernels.SPECIES);
        assertEquals("vector(" + VectorKernels.SPECIES.vectorShape() + ")", vector.name());
        assertTrue(vector.name().matches("vector\\(S_(\\d+|Max)_BIT\\)"), vector.name());
    }

    /**
     * The first calls run interpreted (when this test runs first in its JVM), later ones compiled by C2: the bits must
     * not change. Complements the tier-free argument of the body-vs-tail tests.
     */
    @Test
    void bitsDoNotChangeOnceTheJitCompilesTheKernels() {
        Random rnd = new Random(12);
        int n = 2 * lanes + 3;
        Mat a = random(rnd, 3, n, 0, 0, 3f);
        Mat b = random(rnd, 5, n, 0, 0, 1f);
        float[] gamma = randomVector(rnd, n, 0, 1f).data;
        float[] first = null;
        for (int it = 0; it < 20_000; it++) {
            float[] out = new float[3 * 5 + 3 * n + n + 1 + 3 * n];
            vector.matmulTransB(out, 0, 5, a.data, 0, n, b.data, 0, n, 3, 5, n);
            System.arraycopy(a.data, 0, out, 15, 3 * n);
            for (int r = 0; r < 3; r++) {
                vector.softmax(out, 15 + r * n, n);
            }
            vector.gelu(out, 15 + 3 * n, a.data, 0, n);
            out[15 + 4 * n] = vector.dot(a.data, 0, b.data, 0, n);
            vector.layerNorm(out, 16 + 4 * n, a.data, 0, gamma, gamma, 3, n, 1e-5f);
            if (first == null) {
                first = out;
            } else if (it % 1000 == 999 || it < 10) {
                assertBitIdentical("call " + it + " against the first call", first, out);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Tiled attention

    /**
     * The tile products, plain and accumulating, with A row-major and transposed: every element is the one in-order
     * fma chain over k (from 0, or from c's value), written out here with {@code Math.fma}, whatever block (6 x 4
     * vectors, 4 x 4, single rows, single vectors, scalar tail columns) it falls in; and within the scalar twin's
     * tolerance.
     */
    /**
     * The strides tiled attention uses at head dim 64, which the SIMD tile product runs with as constants: B rows 64
     * apart and A read by rows ({@code aps = 1}), 64 apart or any other distance, or transposed from a
     * {@code (k, 64)} tile ({@code aps = 64}, also the 2-vector block's constant: P^T at head dim 32), at the tile
     * sizes and ragged ones; each element still one in-order fma chain.
     */
    @Test
    void tileMatmulsAtTheFixedAttentionStrides() {
        Random rnd = new Random(22);
        for (int m : new int[] {96, 64, 61, 7}) {
            for (int n : new int[] {64, 48, 32, 16}) { // 32: a head of 32 dims, the 2-vector block at 512 bits
                for (int k : new int[] {64, 96, 37}) {
                    for (String layout : new String[] {"A", "A rows 64 apart", "A^T"}) {
                        boolean transposedA = layout.equals("A^T");
                        boolean rows64 = layout.equals("A rows 64 apart");
                        if (transposedA ? m > 64 : rows64 && k > 64) {
                            continue;
                        }
                        Mat a = transposedA ? random(rnd, k, m, 3, 64 - m, 1f)
                                : random(rnd, m, k, 3, rows64 ? 64 - k : 2, 1f);
                        int ars = transposedA ? 1 : a.ld;
                        int aps = transposedA ? 64 : 1;
                        Mat b = random(rnd, k, n, 5, 64 - n, 1f); // rows 64 apart
                        Mat c = random(rnd, m, n, 4, 2, 1f);
                        Mat start = c.copy();
                        String what = "m=" + m + " n=" + n + " k=" + k + " " + layout;
                        vector.tileMatmulAdd(c.data, c.off, c.ld, a.data, a.off, ars, aps, b.data, b.off, b.ld, m, n,
                                k);
                        float[] chain = new float[m * n];
                        for (int i = 0; i < m; i++) {
                            for (int j = 0; j < n; j++) {
                                float sum = start.data[start.off + i * start.ld + j];
                                for (int p = 0; p < k; p++) {
                                    sum = Math.fma(a.data[a.off + i * ars + p * aps], b.data[b.off + p * b.ld + j],
                                            sum);
                                }
                                chain[i * n + j] = sum;
                            }
                        }
                        assertEquals(64, b.ld);
                        assertEquals(rows64 ? 64 : ars, ars);
                        assertBitIdentical("tileMatmulAdd " + what, chain, c.region());
                        assertOutsideUntouched("tileMatmulAdd " + what, c);
                    }
                }
            }
        }
    }

    @Test
    void tileMatmulsGiveOneInOrderFmaChainPerElement() {
        Random rnd = new Random(21);
        int[] dims = new TreeSet<>(List.of(0, 1, 5, 6, 7, 10, 13, lanes - 1, lanes, lanes + 1, 2 * lanes,
                2 * lanes + 3, 4 * lanes, 4 * lanes + 3, 5 * lanes + 1, 6 * lanes + 1)).stream()
                .mapToInt(Integer::intValue).toArray(); // n: groups of 4 vectors, 2, 1 and single columns
        for (int m : dims) {
            for (int n : dims) {
                for (int k : new int[] {0, 1, 7, 64}) {
                    for (boolean transposedA : new boolean[] {false, true}) {
                        Mat a = transposedA ? random(rnd, k, m, 2, 3, 1f) : random(rnd, m, k, 2, 3, 1f);
                        int ars = transposedA ? 1 : a.ld;
                        int aps = transposedA ? a.ld : 1;
                        Mat b = random(rnd, k, n, 5, 1, 1f);
                        Mat c = random(rnd, m, n, 4, 2, 1f);
                        Mat start = c.copy();
                        Mat cs = c.copy();
                        String what = "m=" + m + " n=" + n + " k=" + k + (transposedA ? " A^T" : "");
                        vector.tileMatmulAdd(c.data, c.off, c.ld, a.data, a.off, ars, aps, b.data, b.off, b.ld, m, n,
                                k);
                        SCALAR.tileMatmulAdd(cs.data, cs.off, cs.ld, a.data, a.off, ars, aps, b.data, b.off, b.ld, m,
                                n, k);
                        float[] chain = new float[m * n];
                        float[] fromZero = new float[m * n];
                        for (int i = 0; i < m; i++) {
                            for (int j = 0; j < n; j++) {
                                float sum = start.data[start.off + i * start.ld + j];
                                float zero = 0f;
                                for (int p = 0; p < k; p++) {
                                    float aip = a.data[a.off + i * ars + p * aps];
                                    float bpj = b.data[b.off + p * b.ld + j];
                                    sum = Math.fma(aip, bpj, sum);
                                    zero = Math.fma(aip, bpj, zero);
                                }
                                chain[i * n + j] = sum;
                                fromZero[i * n + j] = zero;
                            }
                        }
                        assertBitIdentical("tileMatmulAdd " + what, chain, c.region());
                        assertOutsideUntouched("tileMatmulAdd " + what, c);
                        Tolerances.MATMUL.assertClose("tileMatmulAdd vs scalar " + what, cs.region(), c.region());
                        vector.tileMatmul(c.data, c.off, c.ld, a.data, a.off, ars, aps, b.data, b.off, b.ld, m, n, k);
                        assertBitIdentical("tileMatmul " + what, fromZero, c.region());
                        assertOutsideUntouched("tileMatmul " + what, c);
                    }
                }
            }
        }
    }
    /**
     * {@code maxColumns} takes four column vectors at a time, then single vectors, then a scalar tail: the same bits
     * as the scalar twin's one pass, at every row count (odd, even, none) and column count (four vectors and more,
     * single vectors, a tail), with signed zeros (a {@code -0} then a {@code +0}: the first stays), NaN (passed over)
     * and {@code -inf} among the entries; and on a column that starts from NaN, and columns of NaN, the values the
     * contract names.
     */
    @Test
    void maxColumnsChainsGiveTheScalarBitsWithSignedZerosAndNaN() {
        Random rnd = new Random(23);
        for (int cols : new int[] {1, lanes, 4 * lanes, 5 * lanes + 1, 8 * lanes + 3}) {
            for (int rows : new int[] {0, 1, 2, 3, 96, 97}) {
                Mat x = random(rnd, rows, cols, 5, 3, 2f);
                for (int r = 0; r < rows; r++) {
                    for (int c = 0; c < cols; c++) {
                        int i = x.off + r * x.ld + c;
                        switch (rnd.nextInt(12)) {
                            case 0 -> x.data[i] = Float.NEGATIVE_INFINITY;
                            case 1 -> x.data[i] = c % 3 == 0 ? 0f : -0f;
                            case 2 -> x.data[i] = c % 7 == 1 ? Float.NaN : x.data[i];
                            default -> { }
                        }
                    }
                }
                for (int c = 0; c < cols && rows >= 2; c += 2) { // -0 on even rows, +0 on odd, all else negative
                    for (int r = 0; r < rows; r++) {
                        x.data[x.off + r * x.ld + c] = r == 0 ? -0f : r == 1 ? 0f : -1f - r;
                    }
                }
                maxColumnsAsTheScalarTwin(x, rows, cols, -5f, "rows=" + rows + " cols=" + cols);
            }
        }
        // the contract's own cases, by both kernels: -0 then +0 keeps -0; NaN entries are passed over; NaN stays
        int cols = 4 * lanes + 3;
        Mat x = random(rnd, 3, cols, 1, 0, 1f);
        for (int c = 0; c < cols; c++) {
            x.data[x.off + c] = c % 2 == 0 ? -0f : Float.NaN;
            x.data[x.off + x.ld + c] = c % 2 == 0 ? 0f : Float.NaN;
            x.data[x.off + 2 * x.ld + c] = c % 2 == 0 ? -1f : Float.NaN;
        }
        float[] max = maxColumnsAsTheScalarTwin(x, 3, cols, Float.NEGATIVE_INFINITY, "contract");
        float[] expected = new float[cols];
        for (int c = 0; c < cols; c++) {
            expected[c] = c % 2 == 0 ? -0f : Float.NEGATIVE_INFINITY;
        }
        assertBitIdentical("maxColumns: -0 then +0 keeps -0, NaN entries passed over", expected, max);
        float[] fromNaN = new float[cols];
        java.util.Arrays.fill(fromNaN, Float.NaN);
        vector.maxColumns(fromNaN, x.data, x.off, x.ld, 3, cols);
        for (int c = 0; c < cols; c++) {
            assertTrue(Float.isNaN(fromNaN[c]), "maxColumns: column " + c + " from NaN stays NaN");
        }
    }

    /**
     * A block transposed and scaled, zero padded to {@code paddedRows}: the element each place should hold, by both
     * kernels, at row counts around the lane count (padding of whole and partial vectors, none, and a padded width
     * below the rows, which pads nothing), column counts below, between and at whole 16-column blocks (the
     * transposition at 16 lanes, gathers for the rest), a negative scale (the padding must stay +0), source rows wider
     * than the block (guards between them that a read would carry into the output) and an output wider than the padded
     * block (its guards must stay).
     */
    @Test
    void transposeScaledWritesTheScaledTransposeThenZeros() {
        Random rnd = new Random(31);
        for (int rows : new int[] {0, 1, lanes - 1, lanes, lanes + 1, 2 * lanes + 3, 64}) {
            for (int paddedRows : new int[] {rows, (rows + 15) & ~15, rows + lanes + 2, Math.max(0, rows - 1)}) {
                for (int cols : new int[] {1, 5, 21, 32}) {
                    Mat src = random(rnd, rows, cols, 7, 1 + 3 * cols, 4f); // rows 1 + 4 cols apart
                    int width = Math.max(rows, paddedRows);
                    Mat out = guarded(cols, width, 2, 3);
                    Mat outScalar = out.copy();
                    float scale = cols == 21 ? -0.17677669f : 0.17677669f; // negative: the padding stays +0
                    vector.transposeScaled(out.data, out.off, out.ld, src.data, src.off, src.ld, rows, paddedRows,
                            cols, scale);
                    SCALAR.transposeScaled(outScalar.data, outScalar.off, outScalar.ld, src.data, src.off, src.ld,
                            rows, paddedRows, cols, scale);
                    float[] expected = new float[cols * width];
                    for (int c = 0; c < cols; c++) {
                        for (int r = 0; r < rows; r++) {
                            expected[c * width + r] = scale * src.data[src.off + r * src.ld + c];
                        }
                    }
                    String what = "transposeScaled rows=" + rows + " paddedRows=" + paddedRows + " cols=" + cols;
                    assertBitIdentical(what, expected, out.region());
                    assertBitIdentical(what + " scalar", expected, outScalar.region());
                    assertOutsideUntouched(what, out);
                    assertOutsideUntouched(what + " scalar", outScalar);
                }
            }
        }
    }

    /**
     * The band mask on a transposed tile: {@code -inf} exactly where a row's key is outside its column's range (empty
     * ranges, ranges ending before or starting after the tile, cutting it), every other entry's bits kept, nothing
     * written outside the tile; the scalar twin the same, at column counts around the lane count and non-zero offsets.
     */
    @Test
    void maskColumnsOutsideBlocksExactlyTheKeysOutsideEachColumnsRange() {
        Random rnd = new Random(24);
        for (int cols : new int[] {0, 1, lanes - 1, lanes, lanes + 1, 4 * lanes, 4 * lanes + 3}) {
            for (int rows : new int[] {0, 1, 6, 97}) {
                int firstKey = 40;
                int[] from = new int[cols];
                int[] to = new int[cols];
                for (int j = 0; j < cols; j++) {
                    from[j] = firstKey - 10 + rnd.nextInt(rows + 20);
                    to[j] = rnd.nextInt(5) == 0 ? from[j] : from[j] + rnd.nextInt(rows + 20);
                }
                Mat x = random(rnd, rows, cols, 3, 5, 2f);
                Mat start = x.copy();
                Mat xs = x.copy();
                vector.maskColumnsOutside(x.data, x.off, x.ld, from, to, firstKey, rows, cols);
                SCALAR.maskColumnsOutside(xs.data, xs.off, xs.ld, from, to, firstKey, rows, cols);
                float[] expected = new float[rows * cols];
                for (int r = 0; r < rows; r++) {
                    for (int j = 0; j < cols; j++) {
                        int key = firstKey + r;
                        expected[r * cols + j] = key < from[j] || key >= to[j] ? Float.NEGATIVE_INFINITY
                                : start.data[start.off + r * start.ld + j];
                    }
                }
                String what = "maskColumnsOutside rows=" + rows + " cols=" + cols;
                assertBitIdentical(what, expected, x.region());
                assertBitIdentical(what + " scalar", expected, xs.region());
                assertOutsideUntouched(what, x);
            }
        }
    }

    /**
     * {@code maxColumns} of {@code x} from running maxima that start at {@code start}, by the vector kernels and the
     * scalar twin: asserts the same bits and returns the vector kernels' maxima.
     */
    private float[] maxColumnsAsTheScalarTwin(Mat x, int rows, int cols, float start, String what) {
        float[] max = new float[cols];
        float[] maxScalar = new float[cols];
        java.util.Arrays.fill(max, start);
        java.util.Arrays.fill(maxScalar, start);
        vector.maxColumns(max, x.data, x.off, x.ld, rows, cols);
        SCALAR.maxColumns(maxScalar, x.data, x.off, x.ld, rows, cols);
        assertBitIdentical("maxColumns " + what, maxScalar, max);
        return max;
    }

    /**
     * The column steps of the online softmax against the scalar twin: running max, exp with column sums, exp alone,
     * the softmax backward; {@code -inf} entries give 0 and a {@code +inf} shift zeroes its column.
     */
    @Test
    void columnKernelsMatchScalarIncludingMaskedEntries() {
        Random rnd = new Random(22);
        for (int cols : new int[] {1, lanes - 1, lanes, lanes + 1, 4 * lanes, 4 * lanes + 3}) {
            for (int rows : new int[] {1, 6, 97}) {
                Mat x = random(rnd, rows, cols, 3, 2, 4f);
                for (int r = 0; r < rows; r++) {
                    for (int c = 0; c < cols; c++) {
                        if (rnd.nextInt(4) == 0 || c == cols - 1) { // the last column fully masked
                            x.data[x.off + r * x.ld + c] = Float.NEGATIVE_INFINITY;
                        }
                    }
                }
                String what = "rows=" + rows + " cols=" + cols;
                float[] max = maxColumnsAsTheScalarTwin(x, rows, cols, -1f, what);
                float[] shift = max.clone();
                shift[cols - 1] = Float.POSITIVE_INFINITY; // a query that sees nothing
                float[] sum = new float[cols];
                float[] sumScalar = new float[cols];
                java.util.Arrays.fill(sum, 0.5f);
                java.util.Arrays.fill(sumScalar, 0.5f);
                Mat p = x.copy();
                Mat ps = x.copy();
                vector.expColumnsSum(p.data, p.off, p.ld, shift, sum, rows, cols);
                SCALAR.expColumnsSum(ps.data, ps.off, ps.ld, shift, sumScalar, rows, cols);
                Tolerances.EXP_COLUMNS.assertClose("expColumnsSum " + what, ps.region(), p.region());
                Tolerances.EXP_COLUMNS.assertClose("expColumnsSum sums " + what, sumScalar, sum);
                assertOutsideUntouched("expColumnsSum " + what, p);
                Mat e = x.copy();
                vector.expColumns(e.data, e.off, e.ld, shift, rows, cols);
                assertBitIdentical("expColumns = expColumnsSum's values " + what, p.region(), e.region());
                for (int r = 0; r < rows; r++) {
                    assertEquals(0f, p.data[p.off + r * p.ld + cols - 1], "masked column " + what);
                }
                Mat dp = random(rnd, rows, cols, 3, 2, 1f);
                Mat dps = dp.copy();
                float[] rowDot = new float[cols];
                for (int c = 0; c < cols; c++) {
                    rowDot[c] = rnd.nextFloat();
                }
                // the same leading dimension for both tiles, as the kernel requires
                vector.softmaxBackwardColumns(dp.data, dp.off, p.data, p.off, p.ld, rowDot, rows, cols);
                SCALAR.softmaxBackwardColumns(dps.data, dps.off, p.data, p.off, p.ld, rowDot, rows, cols);
                assertBitIdentical("softmaxBackwardColumns " + what, dps.region(), dp.region());
            }
        }
    }
}
