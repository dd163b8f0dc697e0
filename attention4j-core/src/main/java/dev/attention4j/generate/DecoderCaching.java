package dev.attention4j.generate;

/**
 * How much of the decoder's work is kept between steps. Every choice gives the same tokens (up to summation order);
 * the lesser ones exist to measure what the caches save.
 */
public enum DecoderCaching {
    /** Self-attention keys and values grow by one token per step; the memory's cross-attention keys and values are
     *  projected once per source. A step costs O(prefix) attention and O(1) everything else. */
    FULL,
    /** The self-attention cache only: the memory's keys and values are projected again at every step (as FULL for a
     *  decoder-only model, which has no memory). */
    SELF_ATTENTION_ONLY,
    /** No cache: the decoder reruns on the whole prefix at every step, O(prefix) for everything. */
    NONE
}
