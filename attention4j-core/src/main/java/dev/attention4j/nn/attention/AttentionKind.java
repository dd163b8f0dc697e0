package dev.attention4j.nn.attention;

/** Which of the mechanisms a {@link MultiHeadAttention} call is: the call site says, an {@link AttentionSite} records it. */
public enum AttentionKind {
    /** Self-attention, every query may see every (unpadded) key: an encoder layer. */
    SELF,
    /** Masked (causal) self-attention: a decoder's self-attention, query {@code t} sees keys {@code <= t}. */
    MASKED_SELF,
    /** Cross-attention: queries from the target, keys and values from the encoder's memory. */
    CROSS
}
