package dev.attention4j.nn.transformer;

/**
 * Whether a {@link DecoderCache} keeps the memory's cross-attention keys and values between decoding steps.
 */
public enum CrossAttentionCaching {
    /** Project the memory's keys and values once per source and reuse them at every step (the normal choice). */
    PROJECT_ONCE,
    /**
     * Keep only the memory and project its keys and values again at every step: the same numbers, more work. It
     * exists to measure what the cross-attention cache saves.
     */
    PROJECT_EVERY_STEP
}
