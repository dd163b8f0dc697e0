package dev.attention4j.train.data;

import java.util.List;

/**
 * A padded mini-batch for teacher forcing. With {@code tgtLen} = the longest target + 1:
 *
 * <pre>
 * src        (batchSize, srcLen)   source ids, then PAD
 * tgtIn      (batchSize, tgtLen)   BOS, target ids, then PAD        (the decoder input)
 * tgtOut     (batchSize, tgtLen)   target ids, EOS, then PAD        (the labels)
 * srcLengths (batchSize)           real source tokens per row
 * tgtLengths (batchSize)           real tgtIn / tgtOut tokens per row: target length + 1
 * tokens                           sum of tgtLengths: the labels a loss averages over
 * </pre>
 *
 * PAD is {@link Tokenizer#PAD_ID} = 0. Padding masks come from the lengths ({@code Mask.keyLengths} in
 * {@code nn.attention}). The arrays are shared, not copied; equality is by reference.
 */
public record Batch(int[][] src, int[][] tgtIn, int[][] tgtOut, int[] srcLengths, int[] tgtLengths, int tokens) {

    public Batch {
        int batchSize = src.length;
        if (tgtIn.length != batchSize || tgtOut.length != batchSize || srcLengths.length != batchSize
                || tgtLengths.length != batchSize) {
            throw new IllegalArgumentException("Batch: expected batchSize " + batchSize + " (src) everywhere but got "
                    + "tgtIn " + tgtIn.length + ", tgtOut " + tgtOut.length + ", srcLengths " + srcLengths.length
                    + ", tgtLengths " + tgtLengths.length);
        }
    }

    /** Pads {@code examples} (at least one) into a batch. */
    public static Batch of(List<EncodedExample> examples) {
        int batchSize = examples.size();
        if (batchSize == 0) {
            throw new IllegalArgumentException("examples: expected at least one example but got none");
        }
        int srcLen = 0;
        int tgtLen = 0;
        for (EncodedExample e : examples) {
            srcLen = Math.max(srcLen, e.src().length);
            tgtLen = Math.max(tgtLen, e.tgt().length + 1);
        }
        int[][] src = new int[batchSize][srcLen];     // (batchSize, srcLen), PAD = 0
        int[][] tgtIn = new int[batchSize][tgtLen];   // (batchSize, tgtLen)
        int[][] tgtOut = new int[batchSize][tgtLen];  // (batchSize, tgtLen)
        int[] srcLengths = new int[batchSize];
        int[] tgtLengths = new int[batchSize];
        int tokens = 0;
        for (int b = 0; b < batchSize; b++) {
            EncodedExample e = examples.get(b);
            int n = e.tgt().length;
            System.arraycopy(e.src(), 0, src[b], 0, e.src().length);
            tgtIn[b][0] = Tokenizer.BOS_ID;
            System.arraycopy(e.tgt(), 0, tgtIn[b], 1, n);
            System.arraycopy(e.tgt(), 0, tgtOut[b], 0, n);
            tgtOut[b][n] = Tokenizer.EOS_ID;
            srcLengths[b] = e.src().length;
            tgtLengths[b] = n + 1;
            tokens += n + 1;
        }
        return new Batch(src, tgtIn, tgtOut, srcLengths, tgtLengths, tokens);
    }

    public int batchSize() {
        return src.length;
    }

    /** The padded source length. */
    public int srcLen() {
        return src.length == 0 ? 0 : src[0].length;
    }

    /** The padded target length (of both {@code tgtIn} and {@code tgtOut}). */
    public int tgtLen() {
        return tgtIn.length == 0 ? 0 : tgtIn[0].length;
    }

    /** Padded tokens, the quantity {@link BatchLimits#maxTokens()} bounds: {@code batchSize * max(srcLen, tgtLen)}. */
    public int paddedTokens() {
        return batchSize() * Math.max(srcLen(), tgtLen());
    }
}
