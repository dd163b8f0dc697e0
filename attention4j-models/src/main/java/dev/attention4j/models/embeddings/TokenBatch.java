package dev.attention4j.models.embeddings;

import java.util.Objects;

/**
 * A batch of token sequences padded to one length, as a BERT-style encoder takes it ({@code input_ids},
 * {@code token_type_ids}, {@code attention_mask}). Padding sits after each sequence's real tokens.
 *
 * @param inputIds      {@code (batchSize, seqLen)} token ids; padding positions hold any valid id (usually 0)
 * @param tokenTypeIds  {@code (batchSize, seqLen)} segment ids (0 for a single sentence)
 * @param attentionMask {@code (batchSize, seqLen)}: {@code true} for real tokens, {@code false} for padding; every
 *                      sequence has at least one real token, and real tokens come first
 */
public record TokenBatch(int[][] inputIds, int[][] tokenTypeIds, boolean[][] attentionMask) {

    public TokenBatch {
        inputIds = copy("inputIds", inputIds);
        int batchSize = inputIds.length;
        int seqLen = inputIds[0].length;
        tokenTypeIds = copy("tokenTypeIds", tokenTypeIds);
        Objects.requireNonNull(attentionMask, "attentionMask");
        if (tokenTypeIds.length != batchSize || tokenTypeIds[0].length != seqLen) {
            throw new IllegalArgumentException("tokenTypeIds: expected (" + batchSize + ", " + seqLen
                    + ") like inputIds but got (" + tokenTypeIds.length + ", " + tokenTypeIds[0].length + ")");
        }
        if (attentionMask.length != batchSize) {
            throw new IllegalArgumentException("attentionMask: expected " + batchSize + " rows like inputIds but got "
                    + attentionMask.length);
        }
        boolean[][] mask = new boolean[batchSize][];
        for (int b = 0; b < batchSize; b++) {
            Objects.requireNonNull(attentionMask[b], "attentionMask has a null row");
            mask[b] = attentionMask[b].clone();
            if (mask[b].length != seqLen) {
                throw new IllegalArgumentException("attentionMask[" + b + "]: expected " + seqLen + " entries like"
                        + " inputIds but got " + mask[b].length);
            }
            int length = 0;
            while (length < seqLen && mask[b][length]) {
                length++;
            }
            if (length == 0) {
                throw new IllegalArgumentException("attentionMask[" + b + "]: expected at least one real token but"
                        + " the sequence is all padding");
            }
            for (int t = length; t < seqLen; t++) {
                if (mask[b][t]) {
                    throw new IllegalArgumentException("attentionMask[" + b + "]: expected real tokens first, then"
                            + " padding, but position " + t + " is real after padding at " + length);
                }
            }
        }
        attentionMask = mask;
    }

    /**
     * Single-segment sequences (token type 0) padded on the right with id {@code padId} to the longest one.
     *
     * @param sequences each with at least one token
     */
    public static TokenBatch padded(int padId, int[]... sequences) {
        Objects.requireNonNull(sequences, "sequences");
        if (sequences.length == 0) {
            throw new IllegalArgumentException("sequences: expected at least one sequence");
        }
        int seqLen = 0;
        for (int b = 0; b < sequences.length; b++) {
            Objects.requireNonNull(sequences[b], "sequences[" + b + "]");
            seqLen = Math.max(seqLen, sequences[b].length);
        }
        int[][] ids = new int[sequences.length][seqLen];
        boolean[][] mask = new boolean[sequences.length][seqLen];
        for (int b = 0; b < sequences.length; b++) {
            java.util.Arrays.fill(ids[b], padId);
            System.arraycopy(sequences[b], 0, ids[b], 0, sequences[b].length);
            java.util.Arrays.fill(mask[b], 0, sequences[b].length, true);
        }
        return new TokenBatch(ids, new int[sequences.length][seqLen], mask);
    }

    /** The number of sequences. */
    public int batchSize() {
        return inputIds.length;
    }

    /** The padded length. */
    public int seqLen() {
        return inputIds[0].length;
    }

    /** The number of real tokens of sequence {@code b}. */
    public int length(int b) {
        int n = 0;
        while (n < attentionMask[b].length && attentionMask[b][n]) {
            n++;
        }
        return n;
    }

    /** A copy. */
    @Override
    public int[][] inputIds() {
        return deepCopy(inputIds);
    }

    /** A copy. */
    @Override
    public int[][] tokenTypeIds() {
        return deepCopy(tokenTypeIds);
    }

    /** A copy. */
    @Override
    public boolean[][] attentionMask() {
        boolean[][] copy = new boolean[attentionMask.length][];
        for (int b = 0; b < copy.length; b++) {
            copy[b] = attentionMask[b].clone();
        }
        return copy;
    }

    /** Whether token {@code t} of sequence {@code b} is real (not padding). */
    public boolean isReal(int b, int t) {
        return attentionMask[b][t];
    }

    private static int[][] copy(String name, int[][] rows) {
        Objects.requireNonNull(rows, name);
        if (rows.length == 0) {
            throw new IllegalArgumentException(name + ": expected at least one sequence");
        }
        int[][] copy = new int[rows.length][];
        for (int b = 0; b < rows.length; b++) {
            Objects.requireNonNull(rows[b], name + " has a null row");
            copy[b] = rows[b].clone();
            if (copy[b].length != copy[0].length) {
                throw new IllegalArgumentException(name + ": expected every sequence to have length "
                        + copy[0].length + " (pad them) but sequence " + b + " has " + copy[b].length);
            }
        }
        if (copy[0].length == 0) {
            throw new IllegalArgumentException(name + ": expected sequences of at least one token");
        }
        return copy;
    }

    private static int[][] deepCopy(int[][] rows) {
        int[][] copy = new int[rows.length][];
        for (int b = 0; b < rows.length; b++) {
            copy[b] = rows[b].clone();
        }
        return copy;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TokenBatch t && java.util.Arrays.deepEquals(inputIds, t.inputIds)
                && java.util.Arrays.deepEquals(tokenTypeIds, t.tokenTypeIds)
                && java.util.Arrays.deepEquals(attentionMask, t.attentionMask);
    }

    @Override
    public int hashCode() {
        return Objects.hash(java.util.Arrays.deepHashCode(inputIds), java.util.Arrays.deepHashCode(tokenTypeIds),
                java.util.Arrays.deepHashCode(attentionMask));
    }

    @Override
    public String toString() {
        return "TokenBatch[batchSize=" + batchSize() + ", seqLen=" + seqLen() + "]";
    }
}
