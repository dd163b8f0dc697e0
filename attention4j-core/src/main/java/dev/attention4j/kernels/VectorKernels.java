package dev.attention4j.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
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
 * different library than the interpreter, is replaced by {@link #expInPlace}, a polynomial built from exactly
 * rounded lanewise operations (within 1 ulp of {@code (float) Math.exp}) with a bit-identical scalar version for tails.
 */
public final class VectorKernels implements Kernels {

    /** System property choosing the species: {@code preferred}, {@code 128}, {@code 256} or {@code 512}. */
    public static final String SPECIES_PROPERTY = "attention4j.vector.species";

    static final VectorSpecies<Float> SPECIES = chooseSpecies();
    static final int LANES = SPECIES.length();
    /** Butterflies and the 4-way fold need a power-of-two lane count in [4, 64]. */
    private static final boolean SUPPORTED = LANES >= 4 && LANES <= 64 && Integer.bitCount(LANES) == 1;

    /**
     * The partners of the fixed lane sum, in order: butterfly steps {@code LANES/2, ..., 2, 1} of +, lane i becoming
     * {@code v[i] + v[i ^ h]}, so every lane ends with the sum by one fixed pairwise tree (the same bits in every lane
     * since {@code a + b == b + a}, and unlike {@code reduceLanes(ADD)} bits that do not depend on the JIT tier); the
     * same tree with max gives the largest lane. The sum is written out where it is needed as
     * {@code for (partner : BUTTERFLY) v = v.add(v.rearrange(partner))}, not called as a helper. A vector passed to a helper that C2 declines to inline is boxed on every
     * call, and C2 does decline small helpers: on a path its profile (possibly stale, after time in tier 2) calls rare
     * ("low call site frequency", seen for dot's sum inside the old matmulTransB's tail columns) or once a big method
     * has used up its node budget (seen for the sum in softmax's exp pass). The one shared vector helper,
     * {@link #expInPlace}, therefore works on the array: no vector crosses a method boundary.
     */
    private static final VectorShuffle<Float>[] BUTTERFLY = butterfly();

    /** Ints of the same lane count, for the band mask's visible ranges (a mask of one casts to the other). */
    private static final VectorSpecies<Integer> INT_SPECIES = VectorSpecies.of(int.class, SPECIES.vectorShape());

    /** Longs of the same vector size, for dropout's 64-bit hash: two long vectors per float vector. */
    private static final VectorSpecies<Long> LONG_SPECIES = VectorSpecies.of(long.class, SPECIES.vectorShape());
    private static final int LONG_LANES = LONG_SPECIES.length();
    /** {@code 0, 1, ..., LONG_LANES - 1}. */
    private static final long[] LONG_IOTA = java.util.stream.LongStream.range(0, LONG_LANES).toArray();

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

    /**
     * The species a value of {@link #SPECIES_PROPERTY} selects; anything unrecognised selects the preferred one, capped
     * at 512 bits (wider SVE vectors run 512-bit species): the packed GEMM's 2-vector register blocks must fit the
     * 32-column panels its weights are kept in ({@link RowPanels#ROWS}).
     */
    static VectorSpecies<Float> speciesFor(String property) {
        return switch (property == null ? "" : property.trim()) {
            case "128" -> FloatVector.SPECIES_128;
            case "256" -> FloatVector.SPECIES_256;
            case "512" -> FloatVector.SPECIES_512;
            default -> FloatVector.SPECIES_PREFERRED.length() > FloatVector.SPECIES_512.length()
                    ? FloatVector.SPECIES_512 : FloatVector.SPECIES_PREFERRED;
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
        // A[i, p] = a[aOff + i * lda + p], B[p, j] = b[bOff + p * ldb + j]
        PackedGemm.gemm(c, cOff, ldc, a, aOff, lda, 1, b, bOff, ldb, 1, m, n, k);
    }

    @Override
    public void matmulTransA(float[] c, int cOff, int ldc, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             int m, int n, int k) {
        // a is (k x m): A[i, p] = a^T[i, p] = a[aOff + p * lda + i]
        PackedGemm.gemm(c, cOff, ldc, a, aOff, 1, lda, b, bOff, ldb, 1, m, n, k);
    }

    /** {@code B[p, j] = b^T[p, j] = b[bOff + j * ldb + p]}: the packing of B does the transpose. */
    @Override
    public void matmulTransB(float[] c, int cOff, int ldc, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             int m, int n, int k) {
        PackedGemm.gemm(c, cOff, ldc, a, aOff, lda, 1, b, bOff, 1, ldb, m, n, k);
    }

    @Override
    public void matmulTransBPanels(float[] c, int cOff, int ldc, float[] a, int aOff, int lda, float[] packed,
                                   int pOff, int m, int n, int k) {
        if (PackedGemm.emptyProduct(c, cOff, ldc, m, n, k)) {
            return;
        }
        PackedGemm.gemmPanels(c, cOff, ldc, a, aOff, lda, packed, pOff, m, n, k); // W read where it lies
    }

    // ---------------------------------------------------------------------------------------------------------------
    // exp, in vector and scalar form with identical bits per lane

    /**
     * {@code x[i .. i + LANES) = e^x} per lane, in place, within 1 ulp of {@code (float) Math.exp}; -inf -> 0, NaN ->
     * NaN, x > 88.376 -> +inf. It reads and writes the array, never takes or returns a vector: a vector passed to or
     * returned from a helper that C2 does not inline is boxed on every call, and C2 did decline this one — measured:
     * when the helper that loops over it ran in tier 2 while the C2 queue was long, C2 later inlined that loop into
     * softmax with its tier-2 profile (no call-site counts), judged this call cold and left it out of line, and every
     * decoding step allocated ~1.8 KB from then on. Callers store the argument, call, and load the result: the same
     * float values, so the same bits, wherever it is inlined.
     */
    static void expInPlace(float[] x, int i) {
        FloatVector v = FloatVector.fromArray(SPECIES, x, i);
        // min(max(v, EXP_LO), EXP_HI) by compares and blends: the same values as Java's max and min for these
        // constants (neither a zero nor NaN; a NaN v stays NaN), two instructions each instead of about six
        FloatVector lo = v.blend(EXP_LO, v.compare(VectorOperators.LT, EXP_LO));
        FloatVector xc = lo.blend(EXP_HI, lo.compare(VectorOperators.GT, EXP_HI));
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
        y.mul(pow2)
                .blend(0f, v.compare(VectorOperators.LT, EXP_LO))
                .blend(Float.POSITIVE_INFINITY, v.compare(VectorOperators.GT, EXP_HI))
                .intoArray(x, i);
    }

    /** The scalar form of {@link #expInPlace}: the same operations, so the same bits. */
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
     * values. A method of its own, called only when there are vectors, so that its loop is hot in the profiles of
     * its callers: with the loop inside a caller compiled while short rows dominated (the loop cold, as in the first
     * steps of decoding), C2 compiled the loop's vectors poorly (see the micro-kernels' note).
     */
    private static float expShiftedVectors(float[] x, int off, int nv, float shift) {
        FloatVector vsum = FloatVector.zero(SPECIES);
        for (int i = 0; i < nv; i += LANES) {
            FloatVector.fromArray(SPECIES, x, off + i).sub(shift).intoArray(x, off + i);
            expInPlace(x, off + i);
            vsum = vsum.add(FloatVector.fromArray(SPECIES, x, off + i));
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

    /** {@code s = fma(a[ai + p], b[bi + p], s)} for {@code p} in {@code [from, to)}. */
    private static float dotTail(float s, float[] a, int ai, float[] b, int bi, int from, int to) {
        for (int p = from; p < to; p++) {
            s = Math.fma(a[ai + p], b[bi + p], s);
        }
        return s;
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

    /**
     * {@link DropoutHash#kept}'s hash on two long vectors per float vector (the 64-bit multiplies wrap as Java's do),
     * their two masks joined into one float mask: the same elements kept, and the same {@code x * scale}, as the
     * scalar twin.
     */
    @Override
    public void dropout(float[] x, int off, int n, long firstIndex, long key, long threshold, float scale) {
        int nv = SPECIES.loopBound(n); // LONG_LANES is LANES / 2 at every supported shape
        LongVector iota = LongVector.fromArray(LONG_SPECIES, LONG_IOTA, 0);
        for (int i = 0; i < nv; i += LANES) {
            long index = firstIndex + i;
            LongVector z0 = iota.add(index).mul(DropoutHash.GOLDEN).add(key);
            LongVector z1 = iota.add(index + LONG_LANES).mul(DropoutHash.GOLDEN).add(key);
            z0 = z0.lanewise(VectorOperators.XOR, z0.lanewise(VectorOperators.LSHR, 30)).mul(DropoutHash.MIX1);
            z1 = z1.lanewise(VectorOperators.XOR, z1.lanewise(VectorOperators.LSHR, 30)).mul(DropoutHash.MIX1);
            z0 = z0.lanewise(VectorOperators.XOR, z0.lanewise(VectorOperators.LSHR, 27)).mul(DropoutHash.MIX2);
            z1 = z1.lanewise(VectorOperators.XOR, z1.lanewise(VectorOperators.LSHR, 27)).mul(DropoutHash.MIX2);
            z0 = z0.lanewise(VectorOperators.XOR, z0.lanewise(VectorOperators.LSHR, 31));
            z1 = z1.lanewise(VectorOperators.XOR, z1.lanewise(VectorOperators.LSHR, 31));
            long keep = z0.lanewise(VectorOperators.LSHR, 32).compare(VectorOperators.GE, threshold).toLong()
                    | z1.lanewise(VectorOperators.LSHR, 32).compare(VectorOperators.GE, threshold).toLong()
                    << LONG_LANES;
            VectorMask<Float> kept = VectorMask.fromLong(SPECIES, keep);
            FloatVector.zero(SPECIES)
                    .blend(FloatVector.fromArray(SPECIES, x, off + i).mul(scale), kept)
                    .intoArray(x, off + i);
        }
        ScalarKernels.INSTANCE.dropout(x, off + nv, n - nv, firstIndex + nv, key, threshold, scale); // the tail
    }

    @Override
    public float softmax(float[] x, int off, int n) {
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
            return Float.NEGATIVE_INFINITY;
        }
        float sum = expShifted(x, off, n, max);
        float inv = 1f / sum;
        for (i = 0; i < nv; i += LANES) {
            FloatVector.fromArray(SPECIES, x, off + i).mul(inv).intoArray(x, off + i);
        }
        for (; i < n; i++) {
            x[off + i] *= inv;
        }
        return max + (float) Math.log(sum);
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

    /**
     * {@code max(0, x)} with Java's rules ({@code -0 -> +0}, NaN stays) as {@code x <= 0 ? +0 : x}: a compare and a
     * blend, the same value in every case, where C2 spends about six instructions on {@code max}.
     */
    @Override
    public void relu(float[] out, int outOff, float[] x, int xOff, int n) {
        int nv = SPECIES.loopBound(n);
        int i = 0;
        FloatVector zero = FloatVector.zero(SPECIES);
        for (; i < nv; i += LANES) {
            FloatVector v = FloatVector.fromArray(SPECIES, x, xOff + i);
            v.blend(zero, v.compare(VectorOperators.LE, zero)).intoArray(out, outOff + i);
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
     * a method of its own for the reason given at {@link #expShiftedVectors}. {@link #expInPlace}'s operations are
     * written out in the loop, on a register rather than through a store and reload, and the constants are broadcast
     * once per call, as in {@link #expColumnsSumVectors}; without exp's clamps and their blends, which change nothing
     * here: its argument {@code -min(|z|, TAIL)^2} lies in {@code [-TAIL^2, 0]} (or is NaN, which the clamps pass on
     * too). The same bits as through {@code expInPlace}; measured on one thread, 240 x 1536 floats: 13.6-14.1 ->
     * 9.5-9.8 ns per vector.
     */
    private static void geluVectors(float[] out, int outOff, float[] x, int xOff, int nv) {
        FloatVector one = FloatVector.broadcast(SPECIES, 1f);
        FloatVector half = FloatVector.broadcast(SPECIES, 0.5f);
        FloatVector invSqrt2 = FloatVector.broadcast(SPECIES, Erf.INV_SQRT2);
        FloatVector erfP = FloatVector.broadcast(SPECIES, Erf.P);
        FloatVector a5 = FloatVector.broadcast(SPECIES, Erf.A5);
        FloatVector a4 = FloatVector.broadcast(SPECIES, Erf.A4);
        FloatVector a3 = FloatVector.broadcast(SPECIES, Erf.A3);
        FloatVector a2 = FloatVector.broadcast(SPECIES, Erf.A2);
        FloatVector a1 = FloatVector.broadcast(SPECIES, Erf.A1);
        FloatVector tail = FloatVector.broadcast(SPECIES, Erf.TAIL);
        FloatVector log2e = FloatVector.broadcast(SPECIES, LOG2E);
        FloatVector magic = FloatVector.broadcast(SPECIES, ROUND_MAGIC);
        FloatVector minusLn2Hi = FloatVector.broadcast(SPECIES, -LN2_HI);
        FloatVector minusLn2Lo = FloatVector.broadcast(SPECIES, -LN2_LO);
        FloatVector e5 = FloatVector.broadcast(SPECIES, E5);
        FloatVector e4 = FloatVector.broadcast(SPECIES, E4);
        FloatVector e3 = FloatVector.broadcast(SPECIES, E3);
        FloatVector e2 = FloatVector.broadcast(SPECIES, E2);
        FloatVector e1 = FloatVector.broadcast(SPECIES, E1);
        FloatVector e0 = FloatVector.broadcast(SPECIES, E0);
        for (int i = 0; i < nv; i += LANES) {
            FloatVector v = FloatVector.fromArray(SPECIES, x, xOff + i);
            FloatVector z = v.mul(invSqrt2);
            FloatVector az = z.abs();
            FloatVector t = one.div(az.mul(erfP).add(one));
            FloatVector poly = t.mul(a5).add(a4).mul(t).add(a3).mul(t).add(a2).mul(t).add(a1).mul(t);
            // min(az, tail): az is >= +0 or NaN, where a compare and a blend give Java's min (NaN stays) in two
            // instructions instead of about six; no subnormal tail term (see Erf.TAIL)
            FloatVector at = az.blend(tail, az.compare(VectorOperators.GT, tail));
            // exp(-at * at), expInPlace's operations
            FloatVector w = at.neg().mul(at);
            FloatVector tw = w.fma(log2e, magic);
            FloatVector nf = tw.sub(magic);
            FloatVector r = nf.fma(minusLn2Hi, w);
            r = nf.fma(minusLn2Lo, r);
            FloatVector p = r.fma(e5, e4);
            p = p.fma(r, e3);
            p = p.fma(r, e2);
            p = p.fma(r, e1);
            p = p.fma(r, e0);
            FloatVector pow2 = tw.reinterpretAsInts().add(127).lanewise(VectorOperators.LSHL, 23)
                    .reinterpretAsFloats();
            FloatVector ex = p.fma(r.mul(r), r).add(one).mul(pow2);
            FloatVector y = one.sub(poly.mul(ex));
            // copySign(y, z): |y| with the sign bit of z
            FloatVector erf = y.abs().reinterpretAsInts()
                    .or(z.reinterpretAsInts().and(0x80000000))
                    .reinterpretAsFloats();
            v.mul(half).mul(erf.add(one)).intoArray(out, outOff + i); // out may be x: v is already loaded
        }
    }

    /** The scalar form of one lane of {@link #gelu(float[], int, float[], int, int)}. */
    private static float gelu(float v) {
        float z = v * Erf.INV_SQRT2;
        float az = Math.abs(z);
        float t = 1f / (az * Erf.P + 1f);
        float poly = ((((t * Erf.A5 + Erf.A4) * t + Erf.A3) * t + Erf.A2) * t + Erf.A1) * t;
        float at = Math.min(az, Erf.TAIL);
        float y = 1f - poly * exp(-at * at);
        return v * 0.5f * (Math.copySign(y, z) + 1f);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Tiled attention

    @Override
    public void tileMatmul(float[] c, int cOff, int ldc, float[] a, int aOff, int ars, int aps, float[] b, int bOff,
                           int ldb, int m, int n, int k) {
        TileGemm.tile(c, cOff, ldc, a, aOff, ars, aps, b, bOff, ldb, m, n, k, false);
    }

    @Override
    public void tileMatmulAdd(float[] c, int cOff, int ldc, float[] a, int aOff, int ars, int aps, float[] b,
                              int bOff, int ldb, int m, int n, int k) {
        TileGemm.tile(c, cOff, ldc, a, aOff, ars, aps, b, bOff, ldb, m, n, k, true);
    }

    /**
     * Per thread, for {@link #transposeScaled}: gather offsets {@code l * stride} for every lane, then the same for the
     * lanes of a last partial vector (0, an index in range, past its rows), then the stride they were made for.
     */
    private static final ThreadLocal<int[]> GATHER_ROWS = ThreadLocal.withInitial(() -> new int[2 * LANES + 1]);

    /**
     * At 16 lanes, blocks of 16 rows by 16 columns transposed in registers ({@link LaneTranspose}) and then scaled;
     * otherwise (and for the last columns) a vector of {@code LANES} rows of one column at a time, gathered, scaled and
     * stored contiguously; a last partial vector gathers its rows under a mask (the other lanes hold the padding's
     * zero) through offsets kept in range, as the JDK checks the indices of masked-off lanes too. The rows past the
     * last (padding) are zero either way, never scaled. The scalar loop it replaces moved one element per step:
     * a quarter of tiled attention's time on sentences of 29 tokens.
     */
    @Override
    public void transposeScaled(float[] out, int outOff, int ldo, float[] src, int srcOff, int srcRowStride, int rows,
                                int paddedRows, int cols, float scale) {
        int[] offsets = GATHER_ROWS.get();
        if (offsets[2 * LANES] != srcRowStride) {
            for (int l = 0; l < LANES; l++) {
                offsets[l] = l * srcRowStride;
            }
            offsets[2 * LANES] = srcRowStride;
        }
        int whole = rows / LANES * LANES;
        int tail = rows - whole;
        for (int l = 0; l < LANES; l++) {
            offsets[LANES + l] = l < tail ? l * srcRowStride : 0;
        }
        VectorMask<Float> tailRows = SPECIES.indexInRange(0, tail);
        int width = Math.max(rows, paddedRows);
        boolean maskedTail = tail > 0 && whole + LANES <= width; // the last rows and padding in one masked vector
        int done = maskedTail ? whole + LANES : whole;
        int c = 0;
        if (LaneTranspose.APPLIES) { // 16 columns at a time by a transposition (see LaneTranspose), then scaled
            for (; c + LANES <= cols; c += LANES) {
                // whole vectors unmasked, apart from the tail: one loop with a mask per block took 9.2-9.3 against 8.15
                // us for 12 heads of 16 tokens
                for (int r = 0; r < whole; r += LANES) {
                    int o = outOff + c * ldo + r;
                    LaneTranspose.rowsToLanes(out, o, ldo, src, srcOff + r * srcRowStride + c, srcRowStride, LANES);
                    for (int j = 0; j < LANES; j++) {
                        FloatVector.fromArray(SPECIES, out, o + j * ldo).mul(scale).intoArray(out, o + j * ldo);
                    }
                }
                if (maskedTail) { // the padding's lanes stay zero, unscaled
                    int o = outOff + c * ldo + whole;
                    LaneTranspose.rowsToLanes(out, o, ldo, src, srcOff + whole * srcRowStride + c, srcRowStride, tail);
                    for (int j = 0; j < LANES; j++) {
                        FloatVector.fromArray(SPECIES, out, o + j * ldo).mul(scale, tailRows)
                                .intoArray(out, o + j * ldo);
                    }
                }
            }
        }
        for (; c < cols; c++) {
            int o = outOff + c * ldo;
            for (int r = 0; r < whole; r += LANES) {
                FloatVector.fromArray(SPECIES, src, srcOff + r * srcRowStride + c, offsets, 0).mul(scale)
                        .intoArray(out, o + r);
            }
            if (maskedTail) {
                FloatVector.fromArray(SPECIES, src, srcOff + whole * srcRowStride + c, offsets, LANES, tailRows)
                        .mul(scale, tailRows).intoArray(out, o + whole);
            }
        }
        if (done < width) { // rows and padding past the last whole vector: the scalar twin, all columns
            ScalarKernels.INSTANCE.transposeScaled(out, outOff + done, ldo, src, srcOff + done * srcRowStride,
                    srcRowStride, Math.max(0, rows - done), width - done, cols, scale);
        }
    }

    /**
     * A column vector at a time: its ranges loaded once, then per row two compares against the row's key and a blend
     * of {@code -inf} (the scalar loop it replaces wrote one column-strided entry at a time: ~3 ms of bench attention's
     * causal forward at n = 4096, one thread); tail columns as the scalar twin.
     */
    @Override
    public void maskColumnsOutside(float[] x, int xOff, int ldx, int[] from, int[] to, int firstKey, int rows,
                                   int cols) {
        int nv = SPECIES.loopBound(cols);
        for (int j = 0; j < nv; j += LANES) {
            IntVector lo = IntVector.fromArray(INT_SPECIES, from, j);
            IntVector hi = IntVector.fromArray(INT_SPECIES, to, j);
            for (int r = 0; r < rows; r++) {
                int key = firstKey + r;
                VectorMask<Float> outside = lo.compare(VectorOperators.GT, key)
                        .or(hi.compare(VectorOperators.LE, key)).cast(SPECIES);
                int i = xOff + r * ldx + j;
                FloatVector.fromArray(SPECIES, x, i).blend(Float.NEGATIVE_INFINITY, outside).intoArray(x, i);
            }
        }
        for (int r = 0; r < rows; r++) {
            int key = firstKey + r;
            int row = xOff + r * ldx;
            for (int j = nv; j < cols; j++) {
                if (key < from[j] || key >= to[j]) {
                    x[row + j] = Float.NEGATIVE_INFINITY;
                }
            }
        }
    }

    /**
     * Four column vectors at a time (four independent chains), then single vectors, then a scalar tail, each element
     * by {@code m = m < x ? x : m} in row order as the scalar twin does: a compare and a blend, where Java's
     * {@code max} (NaN and signed-zero rules) costs C2 about six instructions. On a 96 x 64 score tile: 195-212 ns
     * against 471 for {@code max} in eight chains (one thread, the tile in L1).
     */
    @Override
    public void maxColumns(float[] max, float[] x, int xOff, int ldx, int rows, int cols) {
        int nv = SPECIES.loopBound(cols);
        int j = 0;
        for (; j + 4 * LANES <= nv; j += 4 * LANES) {
            FloatVector e0 = FloatVector.fromArray(SPECIES, max, j);
            FloatVector e1 = FloatVector.fromArray(SPECIES, max, j + LANES);
            FloatVector e2 = FloatVector.fromArray(SPECIES, max, j + 2 * LANES);
            FloatVector e3 = FloatVector.fromArray(SPECIES, max, j + 3 * LANES);
            for (int r = 0; r < rows; r++) {
                int i = xOff + r * ldx + j;
                FloatVector v0 = FloatVector.fromArray(SPECIES, x, i);
                FloatVector v1 = FloatVector.fromArray(SPECIES, x, i + LANES);
                FloatVector v2 = FloatVector.fromArray(SPECIES, x, i + 2 * LANES);
                FloatVector v3 = FloatVector.fromArray(SPECIES, x, i + 3 * LANES);
                e0 = e0.blend(v0, e0.compare(VectorOperators.LT, v0));
                e1 = e1.blend(v1, e1.compare(VectorOperators.LT, v1));
                e2 = e2.blend(v2, e2.compare(VectorOperators.LT, v2));
                e3 = e3.blend(v3, e3.compare(VectorOperators.LT, v3));
            }
            e0.intoArray(max, j);
            e1.intoArray(max, j + LANES);
            e2.intoArray(max, j + 2 * LANES);
            e3.intoArray(max, j + 3 * LANES);
        }
        for (; j < nv; j += LANES) {
            FloatVector e = FloatVector.fromArray(SPECIES, max, j);
            for (int r = 0; r < rows; r++) {
                FloatVector v = FloatVector.fromArray(SPECIES, x, xOff + r * ldx + j);
                e = e.blend(v, e.compare(VectorOperators.LT, v));
            }
            e.intoArray(max, j);
        }
        for (; j < cols; j++) {
            float m = max[j];
            for (int r = 0; r < rows; r++) {
                float v = x[xOff + r * ldx + j];
                m = m < v ? v : m;
            }
            max[j] = m;
        }
    }

    /**
     * Lanes by {@link #expColumnsSumVectors}, tail columns by {@link #exp}: the same bits in either, as both compute
     * {@link #expInPlace}'s operations (the upper clamp aside, a no-op on the arguments {@code <= 0} the contract
     * allows).
     */
    @Override
    public void expColumnsSum(float[] x, int xOff, int ldx, float[] shift, float[] sum, int rows, int cols) {
        int nv = SPECIES.loopBound(cols);
        if (nv > 0) {
            expColumnsSumVectors(x, xOff, ldx, shift, sum, rows, nv);
        }
        for (int j = nv; j < cols; j++) {
            float s = sum[j];
            for (int r = 0; r < rows; r++) {
                int i = xOff + r * ldx + j;
                float e = exp(x[i] - shift[j]);
                x[i] = e;
                s += e;
            }
            sum[j] = s;
        }
    }

    /**
     * The vector columns of {@link #expColumnsSum}; a method of its own for the reason at {@link #expShiftedVectors}.
     * {@link #expInPlace}'s operations written out in the loop, the argument, the exponential and the sum kept in
     * registers (no store and reload per step, as calling the shared helper needs), the constants broadcast once per
     * call, and without the upper clamp: {@code x <= shift} makes every argument {@code <= 0} (or NaN), where the clamp
     * and its blend change nothing. About a third faster than through {@code expInPlace} (measured on 96 x 64 tiles);
     * same bits. Nor is the argument clamped from below: wherever the clamp would act ({@code x < EXP_LO}) the blend
     * puts 0 in place of whatever the polynomial made of the unclamped argument, and elsewhere it is the identity.
     * Java's {@code max} (NaN and signed-zero rules) costs C2 six instructions, about a quarter of the loop's vector
     * work: 18 -> 12-13 cycles per vector on a 96 x 64 tile, same bits. With {@code sum} null, the exponentials alone
     * ({@link #expColumns}).
     */
    private static void expColumnsSumVectors(float[] x, int xOff, int ldx, float[] shift, float[] sum, int rows,
                                             int nv) {
        // expInPlace's constants, broadcast once per call (locals, not a helper: see BUTTERFLY)
        FloatVector lo = FloatVector.broadcast(SPECIES, EXP_LO);
        FloatVector log2e = FloatVector.broadcast(SPECIES, LOG2E);
        FloatVector magic = FloatVector.broadcast(SPECIES, ROUND_MAGIC);
        FloatVector minusLn2Hi = FloatVector.broadcast(SPECIES, -LN2_HI);
        FloatVector minusLn2Lo = FloatVector.broadcast(SPECIES, -LN2_LO);
        FloatVector e5 = FloatVector.broadcast(SPECIES, E5);
        FloatVector e4 = FloatVector.broadcast(SPECIES, E4);
        FloatVector e3 = FloatVector.broadcast(SPECIES, E3);
        FloatVector e2 = FloatVector.broadcast(SPECIES, E2);
        FloatVector e1 = FloatVector.broadcast(SPECIES, E1);
        FloatVector e0 = FloatVector.broadcast(SPECIES, E0);
        FloatVector one = FloatVector.broadcast(SPECIES, 1f);
        FloatVector zero = FloatVector.zero(SPECIES);
        boolean sums = sum != null;
        for (int j = 0; j < nv; j += LANES) {
            FloatVector sh = FloatVector.fromArray(SPECIES, shift, j);
            FloatVector s = sums ? FloatVector.fromArray(SPECIES, sum, j) : zero;
            for (int r = 0; r < rows; r++) {
                int i = xOff + r * ldx + j;
                FloatVector v = FloatVector.fromArray(SPECIES, x, i).sub(sh);
                FloatVector t = v.fma(log2e, magic);
                FloatVector nf = t.sub(magic);
                FloatVector rr = nf.fma(minusLn2Hi, v);
                rr = nf.fma(minusLn2Lo, rr);
                FloatVector p = rr.fma(e5, e4);
                p = p.fma(rr, e3);
                p = p.fma(rr, e2);
                p = p.fma(rr, e1);
                p = p.fma(rr, e0);
                FloatVector y = p.fma(rr.mul(rr), rr).add(one);
                FloatVector pow2 = t.reinterpretAsInts().add(127).lanewise(VectorOperators.LSHL, 23)
                        .reinterpretAsFloats();
                FloatVector e = y.mul(pow2).blend(zero, v.compare(VectorOperators.LT, lo));
                e.intoArray(x, i);
                if (sums) {
                    s = s.add(e);
                }
            }
            if (sums) {
                s.intoArray(sum, j);
            }
        }
    }

    @Override
    public void expColumns(float[] x, int xOff, int ldx, float[] shift, int rows, int cols) {
        int nv = SPECIES.loopBound(cols);
        if (nv > 0) {
            expColumnsSumVectors(x, xOff, ldx, shift, null, rows, nv);
        }
        for (int j = nv; j < cols; j++) {
            for (int r = 0; r < rows; r++) {
                int i = xOff + r * ldx + j;
                x[i] = exp(x[i] - shift[j]);
            }
        }
    }

    @Override
    public void softmaxBackwardColumns(float[] dp, int dpOff, float[] p, int pOff, int ld, float[] rowDot, int rows,
                                       int cols) {
        int nv = SPECIES.loopBound(cols);
        for (int j = 0; j < nv; j += LANES) {
            FloatVector dot = FloatVector.fromArray(SPECIES, rowDot, j);
            for (int r = 0; r < rows; r++) {
                int d = dpOff + r * ld + j;
                FloatVector.fromArray(SPECIES, p, pOff + r * ld + j)
                        .mul(FloatVector.fromArray(SPECIES, dp, d).sub(dot))
                        .intoArray(dp, d);
            }
        }
        for (int j = nv; j < cols; j++) {
            for (int r = 0; r < rows; r++) {
                int d = dpOff + r * ld + j;
                dp[d] = p[pOff + r * ld + j] * (dp[d] - rowDot[j]);
            }
        }
    }
}
