package dev.attention4j.autograd;

/**
 * How {@link AttentionOp}'s query, key, value and output tensors lay their heads out in memory.
 */
public enum AttentionLayout {

    /**
     * Heads side by side within each token: {@code query (batchSize, tgtLen, numHeads * headDim)},
     * {@code key (batchSize, srcLen, numHeads * headDim)}, {@code value (batchSize, srcLen, numHeads * valueHeadDim)},
     * {@code output (batchSize, tgtLen, numHeads * valueHeadDim)}; head {@code h} is columns
     * {@code [h * headDim, (h + 1) * headDim)}. What a multi-head module's projections produce, so it attends with no
     * transposes.
     */
    TOKENS_MAJOR,

    /**
     * Each head contiguous: {@code (batchSize, numHeads, len, dim)} for all four tensors. With a single head an
     * operand may also be {@code (batchSize, len, dim)}; the output then has the query's rank.
     */
    HEADS_MAJOR
}
