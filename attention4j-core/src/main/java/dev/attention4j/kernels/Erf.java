package dev.attention4j.kernels;

/**
 * The error function, which the JDK lacks, for GELU and its derivative (public so that GELU's backward uses the very
 * {@code Phi(x)} of the forward). Abramowitz and Stegun 7.1.26 evaluated in float so the SIMD twin can use the same
 * coefficients term for term: absolute error up to 4e-7 (worst near |x| = 0.15), which GELU scales down by x/2. Its
 * relative error near 0 is large (5e-5 at x = 1e-3): do not reuse it where relative accuracy matters.
 */
public final class Erf {

    static final float INV_SQRT2 = 0.70710678118654752f;
    static final float P = 0.3275911f;
    static final float A1 = 0.254829592f;
    static final float A2 = -0.284496736f;
    static final float A3 = 1.421413741f;
    static final float A4 = -1.453152027f;
    static final float A5 = 1.061405429f;
    /**
     * Where the tail term {@code poly(t) * exp(-x^2)} stops mattering: from |x| = 6 on it is below 1e-16, far under
     * half an ulp of 1 (2^-25), so {@code 1 - term} is exactly 1 whether the term is computed at |x| or at 6. Capping
     * the argument of exp there gives the same bits and keeps the term a normal float: past |x| = 9 it would become
     * subnormal, and every float operation on a subnormal takes a microcode assist (a BERT feed-forward net's GELU ran
     * 4x slower on inputs below -13).
     */
    static final float TAIL = 6f;

    private Erf() {
    }

    /** erf(x) for any float; exact at 0 and saturating to +-1. */
    public static float erf(float x) {
        float ax = Math.abs(x);
        float t = 1f / (1f + P * ax);
        float poly = ((((A5 * t + A4) * t + A3) * t + A2) * t + A1) * t;
        float at = Math.min(ax, TAIL);
        float y = 1f - poly * (float) Math.exp(-at * at);
        return Math.copySign(y, x);
    }
}
