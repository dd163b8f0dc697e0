package dev.attention4j.autograd;

/**
 * Which keys each query of {@link AttentionOp} may see, applied to one row of scores before the softmax. The rich,
 * user-facing masks live in {@code nn.attention} and adapt to this interface; the op only needs the row rule.
 *
 * <p>Implementations must be pure functions of their arguments and safe to call from several threads at once:
 * the forward pass calls them for every row, in parallel over heads, and backward calls them again to recompute the
 * scores (nothing of the masked scores is stored).
 */
@FunctionalInterface
public interface ScoreMask {

    /** Every query sees every key. */
    ScoreMask NONE = (scores, offset, batch, head, query, tgtLen, maskedSrcLen) -> { };

    /**
     * Masks the scores of query {@code query} of head {@code head} of sequence {@code batch}: of the row
     * {@code scores[offset .. offset + srcLen)}, only the first {@code maskedSrcLen} entries are subject to the
     * mask; blocked ones become {@code -inf} and additive terms add. Entries past {@code maskedSrcLen} are extra,
     * always-visible keys (PyTorch's {@code bias_k} / {@code add_zero_attn}) and must not be touched.
     *
     * @param tgtLen       the number of queries per sequence (for rules such as a causal diagonal)
     * @param maskedSrcLen the number of keys the mask covers (for the same rules)
     */
    void applyToRow(float[] scores, int offset, int batch, int head, int query, int tgtLen, int maskedSrcLen);

    /**
     * The first key that query {@code query} may see: every key before it is blocked. Tiled attention skips key
     * tiles outside {@code [visibleFrom, visibleTo)} without computing them. The default, 0, claims nothing.
     */
    default int visibleFrom(int batch, int head, int query, int tgtLen, int maskedSrcLen) {
        return 0;
    }

    /** One past the last key query {@code query} may see: every key from it on (up to {@code maskedSrcLen}) is blocked. */
    default int visibleTo(int batch, int head, int query, int tgtLen, int maskedSrcLen) {
        return maskedSrcLen;
    }

    /**
     * Whether this mask is a band: it blocks exactly the keys outside {@link #visibleFrom} .. {@link #visibleTo} and
     * leaves the scores inside unchanged (no additive terms, no holes), for every sequence and head. Tiled attention
     * then never calls {@link #applyToRow}; otherwise it calls it once per query and tile row of queries and reads
     * the band off the result.
     */
    default boolean isBand() {
        return false;
    }
}
