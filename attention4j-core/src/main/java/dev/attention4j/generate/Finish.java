package dev.attention4j.generate;

/** Why a hypothesis ended. */
public enum Finish {
    /** It chose a stop token (not included in its tokens). */
    STOP_TOKEN,
    /** It reached {@code maxNewTokens}. */
    MAX_LENGTH
}
