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

    private Erf() {
    }

    /** erf(x) for any float; exact at 0 and saturating to +-1. */
    public static float erf(float x) {
        float ax = Math.abs(x);
        float t = 1f / (1f + P * ax);
        float poly = ((((A5 * t + A4) * t + A3) * t + A2) * t + A1) * t;
        float y = 1f - poly * (float) Math.exp(-ax * ax);
        return Math.copySign(y, x);
    }
}
