package dev.attention4j.kernels;

/**
 * The error function, which the JDK lacks. Abramowitz and Stegun 7.1.26 (max absolute error 1.5e-7, below fp32's
 * resolution near 1), evaluated in float so the SIMD twin can use the same coefficients term for term.
 */
final class Erf {

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
    static float erf(float x) {
        float ax = Math.abs(x);
        float t = 1f / (1f + P * ax);
        float poly = ((((A5 * t + A4) * t + A3) * t + A2) * t + A1) * t;
        float y = 1f - poly * (float) Math.exp(-ax * ax);
        return Math.copySign(y, x);
    }
}
