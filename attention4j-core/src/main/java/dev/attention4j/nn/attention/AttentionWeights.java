package dev.attention4j.nn.attention;

/** Which attention weights a call returns alongside its output. */
public enum AttentionWeights {
    /** None: the fastest path. */
    NONE,
    /** Every head's weights, {@code (batchSize, numHeads, tgtLen, srcLen)}. */
    PER_HEAD,
    /** The mean over heads, {@code (batchSize, tgtLen, srcLen)} (PyTorch's default {@code average_attn_weights}). */
    HEAD_AVERAGE
}
