package dev.attention4j.train.data;

/**
 * How big a {@link Batcher} batch may be: at most {@code batchSize} sentences and at most {@code maxTokens} padded
 * tokens, where a batch's padded tokens are {@code batchSize * max(srcLen, tgtLen)} (the longer padded side, target
 * counted with its BOS/EOS; see {@link Batch#paddedTokens()}).
 */
public record BatchLimits(int batchSize, int maxTokens) {

    public BatchLimits {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize: expected batchSize >= 1 but got " + batchSize);
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens: expected maxTokens >= 1 but got " + maxTokens);
        }
    }

    /** At most {@code batchSize} sentences, whatever their length. */
    public static BatchLimits sentences(int batchSize) {
        return new BatchLimits(batchSize, Integer.MAX_VALUE);
    }
}
