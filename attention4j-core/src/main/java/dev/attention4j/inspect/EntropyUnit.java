package dev.attention4j.inspect;

/** The unit of an attention entropy. */
public enum EntropyUnit {
    /** Natural log: {@code H = -sum_j p_j ln p_j}; a uniform row over {@code n} keys has {@code ln n}. */
    NATS,
    /** Base 2: {@code H / ln 2}; a uniform row over {@code n} keys has {@code log2 n}. */
    BITS,
    /**
     * {@code H / ln n} with {@code n} the keys the row attends to, in {@code [0, 1]}: 1 for a uniform row, 0 for a
     * one-hot row, whatever {@code n} is, so a row that a mask lets see 3 keys compares fairly with one that sees 300.
     * A row that sees a single key is 0 (there is no choice to spread).
     */
    NORMALIZED
}
