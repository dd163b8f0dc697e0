package dev.attention4j.kernels;

/**
 * The rule of inverted dropout, one place for the scalar and the SIMD kernels and for code that asks about one element:
 * element {@code index} survives when the top 32 bits of {@code mix(key + index * GOLDEN)} reach
 * {@code threshold = ceil(p * 2^32)}. A pure function of {@code (key, index)}, so masks do not depend on threads or on
 * which kernel ran.
 */
public final class DropoutHash {

    /** The 64-bit golden ratio, spreading consecutive indices before the mix. */
    static final long GOLDEN = 0x9E3779B97F4A7C15L;
    static final long MIX1 = 0xBF58476D1CE4E5B9L;
    static final long MIX2 = 0x94D049BB133111EBL;

    private DropoutHash() {
    }

    /** SplitMix64's finaliser: a fast, well-mixed 64-bit hash (also used to derive child seeds). */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * MIX1;
        z = (z ^ (z >>> 27)) * MIX2;
        return z ^ (z >>> 31);
    }

    /** {@code ceil(p * 2^32)}: the threshold for dropout probability {@code p} in {@code [0, 1]}. */
    public static long threshold(float p) {
        return (long) Math.ceil((double) p * (1L << 32));
    }

    /** Whether element {@code index} survives under {@code key} (a mixed seed) and {@code threshold}. */
    public static boolean kept(long key, long index, long threshold) {
        return (mix(key + index * GOLDEN) >>> 32) >= threshold;
    }
}
