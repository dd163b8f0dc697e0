package dev.attention4j.viz;

/** How an axis maps values to positions. */
public enum Scale {
    /** Equal distances for equal differences. */
    LINEAR,
    /** Equal distances for equal ratios (base 10); every value shown must be {@code > 0}. */
    LOG
}
