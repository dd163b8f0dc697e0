package dev.attention4j.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The SIMD twin of {@link ScalarKernels} on the Vector API ({@code jdk.incubator.vector}). Loaded reflectively by
 * {@link KernelChoice} so that the rest of the library never links against the incubator module.
 *
 * <p>Species: {@code static final}, from system property {@code attention4j.vector.species} ({@code preferred}, the
 * default, or {@code 128}, {@code 256}, {@code 512}; anything else means {@code preferred}). {@link #name()} says which
 * one is in use. A species wider than the hardware works but is slow.
 *
 * <p>Every loop is a {@code loopBound} vector body and a scalar tail. Determinism: an output element is computed by
 * the same operations whatever rows (or columns, or element range) the call covers, and whether it falls in the vector
 * body or the scalar tail. For that reason this class avoids the two Vector API operations whose bits depend on the
 * JIT tier (measured on JDK 25: interpreted and C2 code disagree): {@code reduceLanes(ADD)}, whose lane order is
 * unspecified, is replaced by a fixed XOR butterfly ({@link #BUTTERFLY}), and {@code lanewise(EXP)}, which C2 maps to a
 * different library than the interpreter, is replaced by {@link #exp(FloatVector)}, a polynomial built from exactly
 * rounded lanewise operations (within 1 ulp of {@code (float) Math.exp}) with a bit-identical scalar version for tails.
 */
public final class VectorKernels implements Kernels {

    /** System property choosing the species: {@code preferred}, {@code 128}, {@code 256} or {@code 512}. */
    public static final String SPECIES_PROPERTY = "attention4j.vector.species";

    static final VectorSpecies<Float> SPECIES = chooseSpecies();
    static final int LANES = SPECIES.length();
    /** Butterflies and the 4-way fold need a power-of-two lane count in [4, 64]. */
    private static final boolean SUPPORTED = LANES >= 4 && LANES <= 64 && Integer.bitCount(LANES) == 1;

    // Butterfly partners: lane i <-> lane i ^ h. Null where h >= LANES (never used then).
    private static final VectorShuffle<Float> XOR_32 = xorShuffle(32);
    private static final VectorShuffle<Float> XOR_16 = xorShuffle(16);
    private static final VectorShuffle<Float> XOR_8 = xorShuffle(8);
    private static final VectorShuffle<Float> XOR_4 = xorShuffle(4);
    private static final VectorShuffle<Float> XOR_2 = xorShuffle(2);
    private static final VectorShuffle<Float> XOR_1 = xorShuffle(1);
    private static final VectorShuffle<Float> XOR_HALF = xorShuffle(LANES / 2);
    private static final VectorShuffle<Float> XOR_QUARTER = xorShuffle(LANES / 4);
    /**
     * The partners of {@link #addButterfly}{@code (v, LANES / 2)}, in its order: the fixed lane sum (and, with max, the
     * largest lane) is written out where it is needed as {@code for (partner : BUTTERFLY) v = v.add(v.rearrange(
     * partner))}, not called as a helper. A vector passed to a helper that C2 declines to inline is boxed on every
     * call, and C2 does decline small helpers: on a path its profile (possibly stale, after time in tier 2) calls rare
     * ("low call site frequency", seen for dot's sum inside matmulTransB's tail columns) or once a big method has used
     * up its node budget (seen for the sum in softmax's exp pass). Two helpers remain, on paths that run whenever
     * their method does: {@link #sum4} at the end of each matmulTransB micro-kernel, and {@link #exp(FloatVector)} in
     * loops entered only when there are vectors.
     */
    private static final VectorShuffle<Float>[] BUTTERFLY = butterfly();

    /**
     * {@link #broadcastMatmul}'s cache blocking: p in blocks of K_BLOCK, columns in panels of N_PANEL (a 256 KB block
     * of b stays in L2 while all rows pass).
     */
    static final int K_BLOCK = 256;
    static final int N_PANEL = 256;
    /** {@link #matmulTransB}'s column blocks hold about this many floats of b (256 KB). */
    static final int TRANSB_BLOCK_FLOATS = 1 << 16;

    // Lanes whose index has bit LANES/2 (resp. LANES/4) set.
    private static final VectorMask<Float> HALF_BIT = bitMask(LANES / 2);
    private static final VectorMask<Float> QUARTER_BIT = bitMask(LANES / 4);

    // exp: Cody-Waite range reduction x = n ln2 + r, Cephes' expf polynomial on r, 2^n built in the exponent bits.
    private static final float EXP_LO = -87.33654f;   // ~ ln(Float.MIN_NORMAL); below: 0
    private static final float EXP_HI = 88.37626f;    // keeps n <= 127; above: +inf (callers only pass x <= 0)
    private static final float LOG2E = 1.44269504088896341f;
    private static final float ROUND_MAGIC = 12582912f; // 1.5 * 2^23: adding it rounds to an integer in the low bits
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    private static final float E5 = 1.9875691500e-4f;
    private static final float E4 = 1.3981999507e-3f;
    private static final float E3 = 8.3334519073e-3f;
    private static final float E2 = 4.1665795894e-2f;
    private static final float E1 = 1.6666665459e-1f;
    private static final float E0 = 5.0000001201e-1f;

    /**
     * Public no-arg constructor for {@link KernelChoice}. Throws {@link UnsupportedOperationException} when the
     * species has a lane count this class cannot fold (not a power of two in [4, 64]).
     */
    public VectorKernels() {
        if (!SUPPORTED) {
            throw new UnsupportedOperationException("float species " + SPECIES + " has " + LANES
                    + " lanes; VectorKernels needs a power of two from 4 to 64");
        }
    }

    private static VectorSpecies<Float> chooseSpecies() {
        return speciesFor(System.getProperty(SPECIES_PROPERTY, "preferred"));
    }

    /** The species a value of {@link #SPECIES_PROPERTY} selects; anything unrecognised selects the preferred one. */
    static VectorSpecies<Float> speciesFor(String property) {
        return switch (property == null ? "" : property.trim()) {
            case "128" -> FloatVector.SPECIES_128;
            case "256" -> FloatVector.SPECIES_256;
            case "512" -> FloatVector.SPECIES_512;
            default -> FloatVector.SPECIES_PREFERRED;
        };
    }

    private static VectorShuffle<Float> xorShuffle(int h) {
        if (h < 1 || h >= SPECIES.length() || Integer.bitCount(SPECIES.length()) != 1) {
            return null;
        }
        return VectorShuffle.fromOp(SPECIES, i -> i ^ h);
    }

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] butterfly() {
        int steps = Integer.numberOfTrailingZeros(Math.max(1, LANES));
        VectorShuffle<Float>[] partners = new VectorShuffle[steps];
        for (int i = 0; i < steps; i++) {
            partners[i] = xorShuffle(LANES >> (i + 1));
        }
        return partners;
    }

    private static VectorMask<Float> bitMask(int h) {
        boolean[] bits = new boolean[SPECIES.length()];
        for (int i = 0; i < bits.length; i++) {
            bits[i] = h >= 1 && (i & h) != 0;
        }
        return VectorMask.fromArray(SPECIES, bits, 0);
    }

    @Override
    public String name() {
        return "vector(" + SPECIES.vectorShape() + ")";
    }

    @Override
    public String species() {
        return SPECIES.vectorShape() + " (" + SPECIES.length() + " float lanes)";
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Matmuls

    @Override
    public void matmul(float[] c, int cOff, int ldc, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                       int m, int n, int k) {
        // a[i, p] = a[aOff + i * lda + p]
        broadcastMatmul(c, cOff, ldc, a, aOff, lda, 1, b, bOff, ldb, m, n, k);
    }

    @Override
    public void matmulTransA(float[] c, int cOff, int ldc, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             int m, int n, int k) {
        // a is (k x m): a^T[i, p] = a[aOff + p * lda + i]
        broadcastMatmul(c, cOff, ldc, a, aOff, 1, lda, b, bOff, ldb, m, n, k);
    }

    /**
     * {@code c[i, j] = sum_p A[i, p] * b[p, j]} with {@code A[i, p] = a[aOff + i * ars + p * aps]}. Every element is
     * {@code s = 0; for p in 0..k: s = fma(A[i, p], b[p, j], s)}, whether it is computed in a 4-row block or a single
     * row, in a vector lane or in the scalar column tail.
     */
    private static void broadcastMatmul(float[] c, int cOff, int ldc, float[] a, int aOff, int ars, int aps,
                                        float[] b, int bOff, int ldb, int m, int n, int k) {
        // Cache blocking: p in blocks of K_BLOCK, columns in panels of N_PANEL, all rows per (k-block, panel), so a
        // K_BLOCK x N_PANEL block of b stays cached while every row block uses it. A k-block after the first resumes
        // each element's fma chain from the partial sum stored in c, so the operation sequence per element is the
        // same as one unblocked pass (bit-identical).
        if (k == 0) {
            for (int i = 0; i < m; i++) {
                java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
            }
            return;
        }
        for (int p0 = 0; p0 < k; p0 += K_BLOCK) {
            int kl = Math.min(K_BLOCK, k - p0);
            boolean acc = p0 > 0;
            int ap0 = aOff + p0 * aps;
            int bp0 = bOff + p0 * ldb;
            for (int j0 = 0; j0 < n; j0 += N_PANEL) {
                int nl = Math.min(N_PANEL, n - j0);
                int i = 0;
                for (; i + 4 <= m; i += 4) {
                    broadcastRows4(c, cOff + i * ldc + j0, ldc, a, ap0 + i * ars, ars, aps, b, bp0 + j0, ldb, nl, kl,
                            acc);
                }
                for (; i < m; i++) {
                    broadcastRow(c, cOff + i * ldc + j0, a, ap0 + i * ars, aps, b, bp0 + j0, ldb, nl, kl, acc);
                }
            }
        }
    }

    /** Four rows of {@link #broadcastMatmul}: each loaded vector of {@code b} feeds four rows. */
    private static void broadcastRows4(float[] c, int c0, int ldc, float[] a, int a0, int ars, int aps,
                                       float[] b, int bOff, int ldb, int n, int k, boolean acc) {
        int nv = SPECIES.loopBound(n);
        int a1 = a0 + ars;
        int a2 = a1 + ars;
        int a3 = a2 + ars;
        int c1 = c0 + ldc;
        int c2 = c1 + ldc;
        int c3 = c2 + ldc;
        int j = 0;
        for (; j + 4 * LANES <= nv; j += 4 * LANES) {
            rows4x4(c, c0 + j, ldc, a, a0, ars, aps, b, bOff + j, ldb, k, acc);
        }
        for (; j + 2 * LANES <= nv; j += 2 * LANES) {
            FloatVector s00 = FloatVector.zero(SPECIES);
            FloatVector s01 = s00;
            FloatVector s10 = s00;
            FloatVector s11 = s00;
            FloatVector s20 = s00;
            FloatVector s21 = s00;
            FloatVector s30 = s00;
            FloatVector s31 = s00;
            if (acc) {
                s00 = FloatVector.fromArray(SPECIES, c, c0 + j);
                s01 = FloatVector.fromArray(SPECIES, c, c0 + j + LANES);
                s10 = FloatVector.fromArray(SPECIES, c, c1 + j);
                s11 = FloatVector.fromArray(SPECIES, c, c1 + j + LANES);
                s20 = FloatVector.fromArray(SPECIES, c, c2 + j);
                s21 = FloatVector.fromArray(SPECIES, c, c2 + j + LANES);
                s30 = FloatVector.fromArray(SPECIES, c, c3 + j);
                s31 = FloatVector.fromArray(SPECIES, c, c3 + j + LANES);
            }
            for (int p = 0; p < k; p++) {
                int bp = bOff + p * ldb + j;
                FloatVector b0 = FloatVector.fromArray(SPECIES, b, bp);
                FloatVector b1 = FloatVector.fromArray(SPECIES, b, bp + LANES);
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
            s00.intoArray(c, c0 + j);
            s01.intoArray(c, c0 + j + LANES);
            s10.intoArray(c, c1 + j);
            s11.intoArray(c, c1 + j + LANES);
            s20.intoArray(c, c2 + j);
            s21.intoArray(c, c2 + j + LANES);
            s30.intoArray(c, c3 + j);
            s31.intoArray(c, c3 + j + LANES);
        }
        for (; j < nv; j += LANES) {
            FloatVector s0 = FloatVector.zero(SPECIES);
            FloatVector s1 = s0;
            FloatVector s2 = s0;
            FloatVector s3 = s0;
            if (acc) {
                s0 = FloatVector.fromArray(SPECIES, c, c0 + j);
                s1 = FloatVector.fromArray(SPECIES, c, c1 + j);
                s2 = FloatVector.fromArray(SPECIES, c, c2 + j);
                s3 = FloatVector.fromArray(SPECIES, c, c3 + j);
            }
            for (int p = 0; p < k; p++) {
                FloatVector bv = FloatVector.fromArray(SPECIES, b, bOff + p * ldb + j);
                int ap = p * aps;
                s0 = FloatVector.broadcast(SPECIES, a[a0 + ap]).fma(bv, s0);
                s1 = FloatVector.broadcast(SPECIES, a[a1 + ap]).fma(bv, s1);
                s2 = FloatVector.broadcast(SPECIES, a[a2 + ap]).fma(bv, s2);
                s3 = FloatVector.broadcast(SPECIES, a[a3 + ap]).fma(bv, s3);
            }
            s0.intoArray(c, c0 + j);
            s1.intoArray(c, c1 + j);
            s2.intoArray(c, c2 + j);
            s3.intoArray(c, c3 + j);
        }
        for (; j < n; j++) {
            float s0 = acc ? c[c0 + j] : 0f;
            float s1 = acc ? c[c1 + j] : 0f;
            float s2 = acc ? c[c2 + j] : 0f;
            float s3 = acc ? c[c3 + j] : 0f;
            for (int p = 0; p < k; p++) {
                float bv = b[bOff + p * ldb + j];
                int ap = p * aps;
                s0 = Math.fma(a[a0 + ap], bv, s0);
                s1 = Math.fma(a[a1 + ap], bv, s1);
                s2 = Math.fma(a[a2 + ap], bv, s2);
                s3 = Math.fma(a[a3 + ap], bv, s3);
            }
            c[c0 + j] = s0;
            c[c1 + j] = s1;
            c[c2 + j] = s2;
            c[c3 + j] = s3;
        }
    }

    /** Four rows x four vectors of {@link #broadcastRows4} at {@code c0}, {@code b0}: one fma chain per element. */
    private static void rows4x4(float[] c, int c0, int ldc, float[] a, int a0, int ars, int aps,
                                float[] b, int b0, int ldb, int k, boolean acc) {
        int a1 = a0 + ars;
        int a2 = a1 + ars;
        int a3 = a2 + ars;
        int d1 = c0 + ldc;
        int d2 = d1 + ldc;
        int d3 = d2 + ldc;
        FloatVector z = FloatVector.zero(SPECIES);
        FloatVector s00 = acc ? FloatVector.fromArray(SPECIES, c, c0) : z;
        FloatVector s01 = acc ? FloatVector.fromArray(SPECIES, c, c0 + LANES) : z;
        FloatVector s02 = acc ? FloatVector.fromArray(SPECIES, c, c0 + 2 * LANES) : z;
        FloatVector s03 = acc ? FloatVector.fromArray(SPECIES, c, c0 + 3 * LANES) : z;
        FloatVector s10 = acc ? FloatVector.fromArray(SPECIES, c, d1) : z;
        FloatVector s11 = acc ? FloatVector.fromArray(SPECIES, c, d1 + LANES) : z;
        FloatVector s12 = acc ? FloatVector.fromArray(SPECIES, c, d1 + 2 * LANES) : z;
        FloatVector s13 = acc ? FloatVector.fromArray(SPECIES, c, d1 + 3 * LANES) : z;
        FloatVector s20 = acc ? FloatVector.fromArray(SPECIES, c, d2) : z;
        FloatVector s21 = acc ? FloatVector.fromArray(SPECIES, c, d2 + LANES) : z;
        FloatVector s22 = acc ? FloatVector.fromArray(SPECIES, c, d2 + 2 * LANES) : z;
        FloatVector s23 = acc ? FloatVector.fromArray(SPECIES, c, d2 + 3 * LANES) : z;
        FloatVector s30 = acc ? FloatVector.fromArray(SPECIES, c, d3) : z;
        FloatVector s31 = acc ? FloatVector.fromArray(SPECIES, c, d3 + LANES) : z;
        FloatVector s32 = acc ? FloatVector.fromArray(SPECIES, c, d3 + 2 * LANES) : z;
        FloatVector s33 = acc ? FloatVector.fromArray(SPECIES, c, d3 + 3 * LANES) : z;
        for (int p = 0; p < k; p++) {
            int bp = b0 + p * ldb;
            FloatVector b0v = FloatVector.fromArray(SPECIES, b, bp);
            FloatVector b1v = FloatVector.fromArray(SPECIES, b, bp + LANES);
            FloatVector b2v = FloatVector.fromArray(SPECIES, b, bp + 2 * LANES);
            FloatVector b3v = FloatVector.fromArray(SPECIES, b, bp + 3 * LANES);
            int ap = p * aps;
            FloatVector x = FloatVector.broadcast(SPECIES, a[a0 + ap]);
            s00 = x.fma(b0v, s00);
            s01 = x.fma(b1v, s01);
            s02 = x.fma(b2v, s02);
            s03 = x.fma(b3v, s03);
            x = FloatVector.broadcast(SPECIES, a[a1 + ap]);
            s10 = x.fma(b0v, s10);
            s11 = x.fma(b1v, s11);
            s12 = x.fma(b2v, s12);
            s13 = x.fma(b3v, s13);
            x = FloatVector.broadcast(SPECIES, a[a2 + ap]);
            s20 = x.fma(b0v, s20);
            s21 = x.fma(b1v, s21);
            s22 = x.fma(b2v, s22);
            s23 = x.fma(b3v, s23);
            x = FloatVector.broadcast(SPECIES, a[a3 + ap]);
            s30 = x.fma(b0v, s30);
            s31 = x.fma(b1v, s31);
            s32 = x.fma(b2v, s32);
            s33 = x.fma(b3v, s33);
        }
        s00.intoArray(c, c0);
        s01.intoArray(c, c0 + LANES);
        s02.intoArray(c, c0 + 2 * LANES);
        s03.intoArray(c, c0 + 3 * LANES);
        s10.intoArray(c, d1);
        s11.intoArray(c, d1 + LANES);
        s12.intoArray(c, d1 + 2 * LANES);
        s13.intoArray(c, d1 + 3 * LANES);
        s20.intoArray(c, d2);
        s21.intoArray(c, d2 + LANES);
        s22.intoArray(c, d2 + 2 * LANES);
        s23.intoArray(c, d2 + 3 * LANES);
        s30.intoArray(c, d3);
        s31.intoArray(c, d3 + LANES);
        s32.intoArray(c, d3 + 2 * LANES);
        s33.intoArray(c, d3 + 3 * LANES);
    }

    /** One row of {@link #broadcastMatmul}. */
    private static void broadcastRow(float[] c, int c0, float[] a, int a0, int aps,
                                     float[] b, int bOff, int ldb, int n, int k, boolean acc) {
        int nv = SPECIES.loopBound(n);
        int j = 0;
        for (; j + 2 * LANES <= nv; j += 2 * LANES) {
            FloatVector s0 = acc ? FloatVector.fromArray(SPECIES, c, c0 + j) : FloatVector.zero(SPECIES);
            FloatVector s1 = acc ? FloatVector.fromArray(SPECIES, c, c0 + j + LANES) : FloatVector.zero(SPECIES);
            for (int p = 0; p < k; p++) {
                int bp = bOff + p * ldb + j;
                FloatVector x = FloatVector.broadcast(SPECIES, a[a0 + p * aps]);
                s0 = x.fma(FloatVector.fromArray(SPECIES, b, bp), s0);
                s1 = x.fma(FloatVector.fromArray(SPECIES, b, bp + LANES), s1);
            }
            s0.intoArray(c, c0 + j);
            s1.intoArray(c, c0 + j + LANES);
        }
        for (; j < nv; j += LANES) {
            FloatVector s0 = acc ? FloatVector.fromArray(SPECIES, c, c0 + j) : FloatVector.zero(SPECIES);
            for (int p = 0; p < k; p++) {
                s0 = FloatVector.broadcast(SPECIES, a[a0 + p * aps])
                        .fma(FloatVector.fromArray(SPECIES, b, bOff + p * ldb + j), s0);
            }
            s0.intoArray(c, c0 + j);
        }
        for (; j < n; j++) {
            float s0 = acc ? c[c0 + j] : 0f;
            for (int p = 0; p < k; p++) {
                s0 = Math.fma(a[a0 + p * aps], b[bOff + p * ldb + j], s0);
            }
            c[c0 + j] = s0;
        }
    }

    /**
     * Blocks of 2 rows x 4 columns share every loaded vector of {@code a} and {@code b}. Every element is
     * {@link #dot}: lanewise fma over the vector part of {@code k}, the fixed butterfly sum, then scalar fma
     * over the tail of {@code k}, whichever block computes it.
     */
    @Override
    public void matmulTransB(float[] c, int cOff, int ldc, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             int m, int n, int k) {
        // Cache blocking: columns (rows of b) in blocks of about TRANSB_BLOCK_FLOATS / k, a multiple of 4, so one
        // block of b stays cached while every row of a passes. Only the visiting order changes; each element is
        // still computed whole by the same micro-kernel (4-column groups and the n % 4 tail columns are the same).
        int jb = Math.max(4, TRANSB_BLOCK_FLOATS / Math.max(1, k) & ~3);
        int n4 = n & ~3;
        for (int jStart = 0; jStart < n; jStart += jb) {
            int jEnd = Math.min(n, jStart + jb);
            int jEnd4 = Math.min(jEnd, n4);
            int i = 0;
            for (; i + 2 <= m; i += 2) {
                int a0 = aOff + i * lda;
                int c0 = cOff + i * ldc;
                int j = jStart;
                for (; j < jEnd4; j += 4) {
                    transBBlock2x4(c, c0, ldc, a, a0, lda, b, bOff + j * ldb, ldb, j, k);
                }
                for (; j < jEnd; j++) {
                    c[c0 + j] = dot(a, a0, b, bOff + j * ldb, k);
                    c[c0 + ldc + j] = dot(a, a0 + lda, b, bOff + j * ldb, k);
                }
            }
            if (i < m) {
                int a0 = aOff + i * lda;
                int c0 = cOff + i * ldc;
                int j = jStart;
                for (; j < jEnd4; j += 4) {
                    transBBlock1x4(c, c0, a, a0, b, bOff + j * ldb, ldb, j, k);
                }
                for (; j < jEnd; j++) {
                    c[c0 + j] = dot(a, a0, b, bOff + j * ldb, k);
                }
            }
        }
    }

    // The micro-kernels are separate small methods taking only arrays and ints: one big method exceeds C2's inlining
    // budget, and a vector passed across a call that is not inlined is boxed (allocation on every call).

    /** {@code c[r, j + q] = dot(a row r, b row q)} for rows r = 0, 1 at {@code c0}, {@code a0} and q = 0..3 at {@code b0}. */
    private static void transBBlock2x4(float[] c, int c0, int ldc, float[] a, int a0, int lda,
                                       float[] b, int b0, int ldb, int j, int k) {
        int kv = SPECIES.loopBound(k);
        int a1 = a0 + lda;
        int b1 = b0 + ldb;
        int b2 = b1 + ldb;
        int b3 = b2 + ldb;
        FloatVector s00 = FloatVector.zero(SPECIES);
        FloatVector s01 = s00;
        FloatVector s02 = s00;
        FloatVector s03 = s00;
        FloatVector s10 = s00;
        FloatVector s11 = s00;
        FloatVector s12 = s00;
        FloatVector s13 = s00;
        for (int p = 0; p < kv; p += LANES) {
            FloatVector x0 = FloatVector.fromArray(SPECIES, a, a0 + p);
            FloatVector x1 = FloatVector.fromArray(SPECIES, a, a1 + p);
            FloatVector y = FloatVector.fromArray(SPECIES, b, b0 + p);
            s00 = x0.fma(y, s00);
            s10 = x1.fma(y, s10);
            y = FloatVector.fromArray(SPECIES, b, b1 + p);
            s01 = x0.fma(y, s01);
            s11 = x1.fma(y, s11);
            y = FloatVector.fromArray(SPECIES, b, b2 + p);
            s02 = x0.fma(y, s02);
            s12 = x1.fma(y, s12);
            y = FloatVector.fromArray(SPECIES, b, b3 + p);
            s03 = x0.fma(y, s03);
            s13 = x1.fma(y, s13);
        }
        FloatVector r0 = sum4(s00, s01, s02, s03);
        c[c0 + j] = dotTail(r0.lane(0), a, a0, b, b0, kv, k);
        c[c0 + j + 1] = dotTail(r0.lane(LANES / 2), a, a0, b, b1, kv, k);
        c[c0 + j + 2] = dotTail(r0.lane(LANES / 4), a, a0, b, b2, kv, k);
        c[c0 + j + 3] = dotTail(r0.lane(3 * LANES / 4), a, a0, b, b3, kv, k);
        FloatVector r1 = sum4(s10, s11, s12, s13);
        int c1 = c0 + ldc;
        c[c1 + j] = dotTail(r1.lane(0), a, a1, b, b0, kv, k);
        c[c1 + j + 1] = dotTail(r1.lane(LANES / 2), a, a1, b, b1, kv, k);
        c[c1 + j + 2] = dotTail(r1.lane(LANES / 4), a, a1, b, b2, kv, k);
        c[c1 + j + 3] = dotTail(r1.lane(3 * LANES / 4), a, a1, b, b3, kv, k);
    }

    /** One row of {@link #transBBlock2x4}. */
    private static void transBBlock1x4(float[] c, int c0, float[] a, int a0, float[] b, int b0, int ldb, int j, int k) {
        int kv = SPECIES.loopBound(k);
        int b1 = b0 + ldb;
        int b2 = b1 + ldb;
        int b3 = b2 + ldb;
        FloatVector s0 = FloatVector.zero(SPECIES);
        FloatVector s1 = s0;
        FloatVector s2 = s0;
        FloatVector s3 = s0;
        for (int p = 0; p < kv; p += LANES) {
            FloatVector x = FloatVector.fromArray(SPECIES, a, a0 + p);
            s0 = x.fma(FloatVector.fromArray(SPECIES, b, b0 + p), s0);
            s1 = x.fma(FloatVector.fromArray(SPECIES, b, b1 + p), s1);
            s2 = x.fma(FloatVector.fromArray(SPECIES, b, b2 + p), s2);
            s3 = x.fma(FloatVector.fromArray(SPECIES, b, b3 + p), s3);
        }
        FloatVector r = sum4(s0, s1, s2, s3);
        c[c0 + j] = dotTail(r.lane(0), a, a0, b, b0, kv, k);
        c[c0 + j + 1] = dotTail(r.lane(LANES / 2), a, a0, b, b1, kv, k);
        c[c0 + j + 2] = dotTail(r.lane(LANES / 4), a, a0, b, b2, kv, k);
        c[c0 + j + 3] = dotTail(r.lane(3 * LANES / 4), a, a0, b, b3, kv, k);
    }

    /** {@code s = fma(a[ai + p], b[bi + p], s)} for {@code p} in {@code [from, to)}. */
    private static float dotTail(float s, float[] a, int ai, float[] b, int bi, int from, int to) {
        for (int p = from; p < to; p++) {
            s = Math.fma(a[ai + p], b[bi + p], s);
        }
        return s;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Fixed-order horizontal folds

    /**
     * Applies butterfly steps {@code h, h/2, ..., 1} of +: lane i becomes {@code v[i] + v[i ^ h]}. With
     * {@code h = LANES / 2} every lane ends with the sum of the lanes by a fixed pairwise tree, the same bits in every
     * lane since {@code a + b == b + a}, and unlike {@code reduceLanes(ADD)} bits that do not depend on the JIT tier:
     * the kernels' lane sum, which they write out as a loop over {@link #BUTTERFLY} (the same tree with max gives the
     * largest lane).
     */
    private static FloatVector addButterfly(FloatVector v, int h) {
        if (h >= 32) {
            v = v.add(v.rearrange(XOR_32));
        }
        if (h >= 16) {
            v = v.add(v.rearrange(XOR_16));
        }
        if (h >= 8) {
            v = v.add(v.rearrange(XOR_8));
        }
        if (h >= 4) {
            v = v.add(v.rearrange(XOR_4));
        }
        if (h >= 2) {
            v = v.add(v.rearrange(XOR_2));
        }
        if (h >= 1) {
            v = v.add(v.rearrange(XOR_1));
        }
        return v;
    }

    /**
     * The lane sums of four vectors in one vector, at lanes {@code 0} (x), {@code LANES/2} (y), {@code LANES/4} (z),
     * {@code 3*LANES/4} (t): the first two butterfly steps of each are merged with blends, so every sum has exactly the
     * bits the fixed lane sum ({@link #BUTTERFLY}) gives it, for about half the shuffles.
     */
    private static FloatVector sum4(FloatVector x, FloatVector y, FloatVector z, FloatVector t) {
        FloatVector xy = x.add(x.rearrange(XOR_HALF)).blend(y.add(y.rearrange(XOR_HALF)), HALF_BIT);
        FloatVector zt = z.add(z.rearrange(XOR_HALF)).blend(t.add(t.rearrange(XOR_HALF)), HALF_BIT);
        FloatVector w = xy.add(xy.rearrange(XOR_QUARTER)).blend(zt.add(zt.rearrange(XOR_QUARTER)), QUARTER_BIT);
        return addButterfly(w, LANES / 8);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // exp, in vector and scalar form with identical bits per lane

    /** e^x per lane, within 1 ulp of {@code (float) Math.exp}; -inf -> 0, NaN -> NaN, x > 88.376 -> +inf. */
    static FloatVector exp(FloatVector x) {
        FloatVector xc = x.max(EXP_LO).min(EXP_HI);
        FloatVector t = xc.fma(LOG2E, ROUND_MAGIC);
        FloatVector nf = t.sub(ROUND_MAGIC);
        FloatVector r = nf.fma(FloatVector.broadcast(SPECIES, -LN2_HI), xc);
        r = nf.fma(FloatVector.broadcast(SPECIES, -LN2_LO), r);
        FloatVector p = r.fma(E5, E4);
        p = p.fma(r, FloatVector.broadcast(SPECIES, E3));
        p = p.fma(r, FloatVector.broadcast(SPECIES, E2));
        p = p.fma(r, FloatVector.broadcast(SPECIES, E1));
        p = p.fma(r, FloatVector.broadcast(SPECIES, E0));
        FloatVector y = p.fma(r.mul(r), r).add(1f);
        FloatVector pow2 = t.reinterpretAsInts().add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return y.mul(pow2)
                .blend(0f, x.compare(VectorOperators.LT, EXP_LO))
                .blend(Float.POSITIVE_INFINITY, x.compare(VectorOperators.GT, EXP_HI));
    }

    /** The scalar form of {@link #exp(FloatVector)}: the same operations, so the same bits. */
    static float exp(float x) {
        float xc = Math.min(Math.max(x, EXP_LO), EXP_HI);
        float t = Math.fma(xc, LOG2E, ROUND_MAGIC);
        float nf = t - ROUND_MAGIC;
        float r = Math.fma(nf, -LN2_HI, xc);
        r = Math.fma(nf, -LN2_LO, r);
        float p = Math.fma(r, E5, E4);
        p = Math.fma(p, r, E3);
        p = Math.fma(p, r, E2);
        p = Math.fma(p, r, E1);
        p = Math.fma(p, r, E0);
        float y = Math.fma(p, r * r, r) + 1f;
        float pow2 = Float.intBitsToFloat((Float.floatToRawIntBits(t) + 127) << 23);
        float e = y * pow2;
        if (x < EXP_LO) {
            e = 0f;
        }
        if (x > EXP_HI) {
            e = Float.POSITIVE_INFINITY;
        }
        return e;
    }

    /**
     * {@code x[i] = exp(x[i] - shift)} over {@code x[off .. off+n)}; returns the sum of the new values (lane tree over
     * the vector part, then the tail in order).
     */
    static float expShifted(float[] x, int off, int n, float shift) {
        int nv = SPECIES.loopBound(n);
        float sum = nv == 0 ? 0f : expShiftedVectors(x, off, nv, shift); // the lane sum of zeros is 0f too
        for (int i = nv; i < n; i++) {
            float e = exp(x[off + i] - shift);
            x[off + i] = e;
            sum += e;
        }
        return sum;
    }

    /**
     * The vector part of {@link #expShifted}, {@code nv > 0} a multiple of {@code LANES}: the lane sum of the new
     * values. A method of its own, called only when there are vectors, so that its loop is hot in every profile and C2
     * inlines {@link #exp(FloatVector)} into it. With the loop inside a caller compiled while short rows dominated
     * (the loop cold, as in the first steps of decoding), C2 called exp out of line and boxed a vector on every call
     * of the compiled code (see the micro-kernels' note).
     */
    private static float expShiftedVectors(float[] x, int off, int nv, float shift) {
        FloatVector vsum = FloatVector.zero(SPECIES);
        for (int i = 0; i < nv; i += LANES) {
            FloatVector e = exp(FloatVector.fromArray(SPECIES, x, off + i).sub(shift));
            e.intoArray(x, off + i);
            vsum = vsum.add(e);
        }
        for (VectorShuffle<Float> partner : BUTTERFLY) { // the fixed lane sum, written out
            vsum = vsum.add(vsum.rearrange(partner));
        }
        return vsum.lane(0);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Vector ops

    /** Lanewise fma over the vector part, the fixed butterfly sum, then scalar fma over the tail. */
    @Override
    public float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        int nv = SPECIES.loopBound(n);
        FloatVector s = FloatVector.zero(SPECIES);
        for (int i = 0; i < nv; i += LANES) {
            s = FloatVector.fromArray(SPECIES, a, aOff + i).fma(FloatVector.fromArray(SPECIES, b, bOff + i), s);
        }
        for (VectorShuffle<Float> partner : BUTTERFLY) { // the fixed lane sum, written out
            s = s.add(s.rearrange(partner));
        }
        return dotTail(s.lane(0), a, aOff, b, bOff, nv, n);
    }

    /** {@code y[i] = fma(alpha, x[i], y[i])} (one rounding, so within half an ulp of the scalar twin's two). */
    @Override
    public void axpy(float[] y, int yOff, float alpha, float[] x, int xOff, int n) {
        int nv = SPECIES.loopBound(n);
        FloatVector va = FloatVector.broadcast(SPECIES, alpha);
        int i = 0;
        for (; i < nv; i += LANES) {
            FloatVector.fromArray(SPECIES, x, xOff + i)
                    .fma(va, FloatVector.fromArray(SPECIES, y, yOff + i))
                    .intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] = Math.fma(alpha, x[xOff + i], y[yOff + i]);
        }
    }

    @Override
    public void add(float[] out, int outOff, float[] a, int aOff, float[] b, int bOff, int n) {
        int nv = SPECIES.loopBound(n);
        int i = 0;
        for (; i < nv; i += LANES) {
            FloatVector.fromArray(SPECIES, a, aOff + i)
                    .add(FloatVector.fromArray(SPECIES, b, bOff + i))
                    .intoArray(out, outOff + i);
        }
        for (; i < n; i++) {
            out[outOff + i] = a[aOff + i] + b[bOff + i];
        }
    }

    @Override
    public void scale(float[] out, int outOff, float[] x, int xOff, float alpha, int n) {
        int nv = SPECIES.loopBound(n);
        int i = 0;
        for (; i < nv; i += LANES) {
            FloatVector.fromArray(SPECIES, x, xOff + i).mul(alpha).intoArray(out, outOff + i);
        }
        for (; i < n; i++) {
            out[outOff + i] = alpha * x[xOff + i];
        }
    }

    @Override
    public void addBiasRows(float[] x, int xOff, float[] bias, int biasOff, int rows, int cols) {
        int nv = SPECIES.loopBound(cols);
        for (int r = 0; r < rows; r++) {
            int row = xOff + r * cols;
            int c = 0;
            for (; c < nv; c += LANES) {
                FloatVector.fromArray(SPECIES, x, row + c)
                        .add(FloatVector.fromArray(SPECIES, bias, biasOff + c))
                        .intoArray(x, row + c);
            }
            for (; c < cols; c++) {
                x[row + c] += bias[biasOff + c];
            }
        }
    }

    @Override
    public void softmax(float[] x, int off, int n) {
        int nv = SPECIES.loopBound(n);
        FloatVector vmax = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
        int i = 0;
        for (; i < nv; i += LANES) {
            vmax = vmax.max(FloatVector.fromArray(SPECIES, x, off + i));
        }
        for (VectorShuffle<Float> partner : BUTTERFLY) { // the same tree with max
            vmax = vmax.max(vmax.rearrange(partner));
        }
        float max = vmax.lane(0);
        for (; i < n; i++) {
            max = Math.max(max, x[off + i]);
        }
        if (max == Float.NEGATIVE_INFINITY) { // fully masked (or empty) row
            // Scalar on purpose: a rare branch, kept small so that C2 has the node budget to inline the vector
            // helpers of the exp pass into this method (a helper it cannot inline boxes a vector on every call).
            java.util.Arrays.fill(x, off, off + n, 0f);
            return;
        }
        float sum = expShifted(x, off, n, max);
        float inv = 1f / sum;
        for (i = 0; i < nv; i += LANES) {
            FloatVector.fromArray(SPECIES, x, off + i).mul(inv).intoArray(x, off + i);
        }
        for (; i < n; i++) {
            x[off + i] *= inv;
        }
    }

    @Override
    public void layerNorm(float[] out, int outOff, float[] x, int xOff, float[] gamma, float[] beta,
                          int rows, int cols, float eps) {
        int nv = SPECIES.loopBound(cols);
        for (int r = 0; r < rows; r++) {
            int in = xOff + r * cols;
            int o = outOff + r * cols;
            FloatVector acc = FloatVector.zero(SPECIES);
            int c = 0;
            for (; c < nv; c += LANES) {
                acc = acc.add(FloatVector.fromArray(SPECIES, x, in + c));
            }
            for (VectorShuffle<Float> partner : BUTTERFLY) { // the fixed lane sum, written out
                acc = acc.add(acc.rearrange(partner));
            }
            float mean = acc.lane(0);
            for (; c < cols; c++) {
                mean += x[in + c];
            }
            mean /= cols;
            acc = FloatVector.zero(SPECIES);
            for (c = 0; c < nv; c += LANES) {
                FloatVector d = FloatVector.fromArray(SPECIES, x, in + c).sub(mean);
                acc = d.fma(d, acc);
            }
            for (VectorShuffle<Float> partner : BUTTERFLY) {
                acc = acc.add(acc.rearrange(partner));
            }
            float var = acc.lane(0);
            for (; c < cols; c++) {
                float d = x[in + c] - mean;
                var = Math.fma(d, d, var);
            }
            var /= cols;
            float inv = (float) (1.0 / Math.sqrt(var + eps));
            // Same operations as the scalar twin from here: ((x - mean) * inv) * gamma + beta, two roundings.
            for (c = 0; c < nv; c += LANES) {
                FloatVector.fromArray(SPECIES, x, in + c).sub(mean).mul(inv)
                        .mul(FloatVector.fromArray(SPECIES, gamma, c))
                        .add(FloatVector.fromArray(SPECIES, beta, c))
                        .intoArray(out, o + c);
            }
            for (; c < cols; c++) {
                out[o + c] = (x[in + c] - mean) * inv * gamma[c] + beta[c];
            }
        }
    }

    @Override
    public void relu(float[] out, int outOff, float[] x, int xOff, int n) {
        int nv = SPECIES.loopBound(n);
        int i = 0;
        for (; i < nv; i += LANES) {
            FloatVector.fromArray(SPECIES, x, xOff + i).max(0f).intoArray(out, outOff + i);
        }
        for (; i < n; i++) {
            out[outOff + i] = Math.max(0f, x[xOff + i]);
        }
    }

    /** The scalar twin's formula and {@link Erf}'s coefficients term for term; only the exp differs (see class doc). */
    @Override
    public void gelu(float[] out, int outOff, float[] x, int xOff, int n) {
        int nv = SPECIES.loopBound(n);
        if (nv > 0) {
            geluVectors(out, outOff, x, xOff, nv);
        }
        for (int i = nv; i < n; i++) {
            out[outOff + i] = gelu(x[xOff + i]);
        }
    }

    /**
     * The vector part of {@link #gelu(float[], int, float[], int, int)}, {@code nv > 0} a multiple of {@code LANES}:
     * a method of its own for the reason given at {@link #expShiftedVectors}.
     */
    private static void geluVectors(float[] out, int outOff, float[] x, int xOff, int nv) {
        for (int i = 0; i < nv; i += LANES) {
            FloatVector v = FloatVector.fromArray(SPECIES, x, xOff + i);
            FloatVector z = v.mul(Erf.INV_SQRT2);
            FloatVector az = z.abs();
            FloatVector t = FloatVector.broadcast(SPECIES, 1f).div(az.mul(Erf.P).add(1f));
            FloatVector poly = t.mul(Erf.A5).add(Erf.A4).mul(t).add(Erf.A3).mul(t).add(Erf.A2).mul(t).add(Erf.A1)
                    .mul(t);
            FloatVector y = FloatVector.broadcast(SPECIES, 1f).sub(poly.mul(exp(az.neg().mul(az))));
            // copySign(y, z): |y| with the sign bit of z
            FloatVector erf = y.abs().reinterpretAsInts()
                    .or(z.reinterpretAsInts().and(0x80000000))
                    .reinterpretAsFloats();
            v.mul(0.5f).mul(erf.add(1f)).intoArray(out, outOff + i);
        }
    }

    /** The scalar form of one lane of {@link #gelu(float[], int, float[], int, int)}. */
    private static float gelu(float v) {
        float z = v * Erf.INV_SQRT2;
        float az = Math.abs(z);
        float t = 1f / (az * Erf.P + 1f);
        float poly = ((((t * Erf.A5 + Erf.A4) * t + Erf.A3) * t + Erf.A2) * t + Erf.A1) * t;
        float y = 1f - poly * exp(-az * az);
        return v * 0.5f * (Math.copySign(y, z) + 1f);
    }
}
