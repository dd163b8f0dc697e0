package dev.attention4j.kernels;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The one table of kernel tolerances: {@code |actual - expected| <= atol + rtol * |expected|}. NaN matches only NaN,
 * an infinity only the same infinity. A failure names the op, the first index out of tolerance, both values and the
 * largest difference over the whole comparison.
 *
 * <p>Inputs of the tests that use these are uniform in [-1, 1] (GELU: [-6, 6]), reductions up to 1031 long.
 */
enum Tolerances {

    // --- VectorKernels against ScalarKernels (float against float) ---
    /** fma chains vs multiply-then-add, and (trans B) a lane tree vs a sequential sum, over k up to 1031. */
    MATMUL(2e-5, 1e-5),
    MATMUL_TRANS_A(2e-5, 1e-5),
    MATMUL_TRANS_B(2e-5, 1e-5),
    DOT(2e-5, 1e-5),
    /** fma: one rounding instead of two; the difference is at most about an ulp of {@code alpha * x}. */
    AXPY(2e-7, 2e-7),
    /** The same IEEE operations in both twins: bit-exact up to the sign of zero. */
    ADD(0, 0),
    SCALE(0, 0),
    ADD_BIAS_ROWS(0, 0),
    RELU(0, 0),
    /** exp within 1 ulp of {@code Math.exp}, a differently ordered sum; atol covers exp's flush of subnormals. */
    SOFTMAX(1e-9, 4e-6),
    /** softmax's returned {@code max + log(sum)}: the sums above, then one log and one add rounded to float. */
    LOG_SUM_EXP(2e-6, 1e-6),
    /** Tiled attention's column steps: exp within 1 ulp, the column sums in the same order. */
    EXP_COLUMNS(1e-9, 4e-6),
    /** Mean and variance summed in a different order (and var with fma). */
    LAYER_NORM(1e-5, 1e-5),
    /** Only exp differs (1 ulp), scaled by |x| / 2. */
    GELU(2e-7, 4e-7),
    /** VectorKernels' exp against {@code (float) Math.exp}: 1 ulp; results below MIN_NORMAL are flushed to 0. */
    EXP(Float.MIN_NORMAL, 0x1p-23),

    // --- ScalarKernels against double-precision formulas ---
    REFERENCE_MATMUL(5e-6, 2e-6),
    REFERENCE_DOT(5e-6, 2e-6),
    /** One float rounding of the exact result. */
    REFERENCE_ROUNDED(0, 0x1p-24),
    /** Two float roundings (y + alpha * x). */
    REFERENCE_AXPY(1e-7, 0x1p-23),
    REFERENCE_SOFTMAX(1e-9, 4e-6),
    REFERENCE_LOG_SUM_EXP(2e-6, 1e-6),
    REFERENCE_LAYER_NORM(3e-6, 3e-6),
    /**
     * Abramowitz and Stegun 7.1.26 is within 1.5e-7 in exact arithmetic, but evaluated in float (as Erf does, for the
     * SIMD twin) the cancellation in {@code 1 - poly * exp(-x^2)} near |x| = 0.15 brings it to 3.95e-7 (measured).
     */
    REFERENCE_ERF(4.5e-7, 0),
    /** The erf error scaled by |x| / 2 (|x| <= 6), plus float rounding. */
    REFERENCE_GELU(1e-6, 1e-6);

    final double atol;
    final double rtol;

    Tolerances(double atol, double rtol) {
        this.atol = atol;
        this.rtol = rtol;
    }

    boolean close(double actual, double expected) {
        if (Double.isNaN(expected) || Double.isNaN(actual)) {
            return Double.isNaN(expected) && Double.isNaN(actual);
        }
        if (Double.isInfinite(expected) || Double.isInfinite(actual)) {
            return expected == actual;
        }
        return Math.abs(actual - expected) <= atol + rtol * Math.abs(expected);
    }

    void assertClose(String context, float expected, float actual) {
        assertClose(context, new double[] {expected}, new float[] {actual});
    }

    void assertClose(String context, double expected, float actual) {
        assertClose(context, new double[] {expected}, new float[] {actual});
    }

    void assertClose(String context, float[] expected, float[] actual) {
        double[] e = new double[expected.length];
        for (int i = 0; i < e.length; i++) {
            e[i] = expected[i];
        }
        assertClose(context, e, actual);
    }

    /** Compares two whole buffers element by element. */
    void assertClose(String context, double[] expected, float[] actual) {
        if (expected.length != actual.length) {
            fail(this + " " + context + ": expected " + expected.length + " elements but got " + actual.length);
        }
        int firstBad = -1;
        int bad = 0;
        double maxDiff = 0;
        int maxAt = -1;
        for (int i = 0; i < expected.length; i++) {
            if (!close(actual[i], expected[i])) {
                bad++;
                if (firstBad < 0) {
                    firstBad = i;
                }
            }
            double d = Math.abs(actual[i] - expected[i]);
            if (d > maxDiff) {
                maxDiff = d;
                maxAt = i;
            }
        }
        if (firstBad >= 0) {
            fail(String.format("%s %s: index %d: expected %s but got %s (|diff| %.3g > atol %.3g + rtol %.3g * "
                            + "|expected|); %d of %d elements out of tolerance, max |diff| %.3g at index %d",
                    this, context, firstBad, expected[firstBad], actual[firstBad],
                    Math.abs(actual[firstBad] - expected[firstBad]), atol, rtol, bad, expected.length, maxDiff,
                    maxAt));
        }
    }
}
