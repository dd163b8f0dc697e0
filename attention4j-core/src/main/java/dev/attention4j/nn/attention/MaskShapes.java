package dev.attention4j.nn.attention;

import dev.attention4j.autograd.ScoreMask;
import dev.attention4j.tensor.Shape;

/** Shape rules for masks and their application to one row of scores. */
final class MaskShapes {

    private MaskShapes() {
    }

    static void requireElementShape(String what, Shape shape) {
        if (shape.rank() != 2 && shape.rank() != 4) {
            throw new IllegalArgumentException(what + ": expected shape (tgtLen, srcLen) or (batchSize|1, numHeads|1, "
                    + "tgtLen, srcLen) but got " + shape + (shape.rank() == 3
                    ? " (PyTorch's 3-D (batchSize * numHeads, tgtLen, srcLen) masks convert with TorchMasks)" : ""));
        }
    }

    /**
     * Checks that {@code mask} fits scores of {@code (batchSize, numHeads, tgtLen, srcLen)}; the message names the
     * mask and both shapes.
     */
    static void validate(Mask mask, int batchSize, int numHeads, int tgtLen, int srcLen) {
        switch (mask) {
            case Mask.None none -> { }
            case Mask.Causal causal -> { }
            case Mask.KeyPadding kp -> {
                if (kp.batchSize() != batchSize || kp.srcLen() != srcLen) {
                    throw new IllegalArgumentException("key padding mask: expected shape (batchSize, srcLen) = ["
                            + batchSize + ", " + srcLen + "] but got [" + kp.batchSize() + ", " + kp.srcLen() + "]");
                }
            }
            case Mask.Bool bool -> requireFits("bool mask", bool.shape(), batchSize, numHeads, tgtLen, srcLen);
            case Mask.Additive add -> requireFits("additive mask", add.bias().shape(), batchSize, numHeads, tgtLen, srcLen);
            case Mask.All all -> all.masks().forEach(m -> validate(m, batchSize, numHeads, tgtLen, srcLen));
        }
    }

    private static void requireFits(String what, Shape shape, int batchSize, int numHeads, int tgtLen, int srcLen) {
        boolean ok = shape.rank() == 2
                ? shape.dim(0) == tgtLen && shape.dim(1) == srcLen
                : (shape.dim(0) == batchSize || shape.dim(0) == 1) && (shape.dim(1) == numHeads || shape.dim(1) == 1)
                && shape.dim(2) == tgtLen && shape.dim(3) == srcLen;
        if (!ok) {
            throw new IllegalArgumentException(what + ": expected shape (tgtLen, srcLen) = [" + tgtLen + ", " + srcLen
                    + "] or (batchSize|1, numHeads|1, tgtLen, srcLen) = [" + batchSize + "|1, " + numHeads + "|1, "
                    + tgtLen + ", " + srcLen + "] but got " + shape);
        }
    }

    /** The flat index of element (b, h, i, 0) of a broadcast element mask of {@code shape}. */
    private static int rowStart(Shape shape, int b, int h, int i) {
        if (shape.rank() == 2) {
            return i * shape.dim(1);
        }
        int bb = shape.dim(0) == 1 ? 0 : b;
        int hh = shape.dim(1) == 1 ? 0 : h;
        return ((bb * shape.dim(1) + hh) * shape.dim(2) + i) * shape.dim(3);
    }

    /** {@code mask} as the row rule {@link dev.attention4j.autograd.AttentionOp} applies: {@link #applyToRow}. */
    static ScoreMask scoreMask(Mask mask) {
        if (mask instanceof Mask.None) {
            return ScoreMask.NONE;
        }
        return (scores, offset, batch, head, query, tgtLen, maskedSrcLen) ->
                applyToRow(mask, scores, offset, batch, head, query, tgtLen, maskedSrcLen);
    }

    /**
     * Applies {@code mask} to the scores of query {@code i} of head {@code h} of sequence {@code b}:
     * {@code scores[off .. off+srcLen)}; blocked entries become {@code -inf}, additive terms add. Entries past
     * {@code srcLen} (extra keys such as PyTorch's {@code bias_k} or zero-attention) are never masked.
     */
    static void applyToRow(Mask mask, float[] scores, int off, int b, int h, int i, int tgtLen, int srcLen) {
        switch (mask) {
            case Mask.None none -> { }
            case Mask.Causal causal -> {
                for (int j = 0; j < srcLen; j++) {
                    if (!causal.keeps(i, j, tgtLen, srcLen)) {
                        scores[off + j] = Float.NEGATIVE_INFINITY;
                    }
                }
            }
            case Mask.KeyPadding kp -> {
                for (int j = 0; j < srcLen; j++) {
                    if (!kp.keeps(b, j)) {
                        scores[off + j] = Float.NEGATIVE_INFINITY;
                    }
                }
            }
            case Mask.Bool bool -> {
                int start = rowStart(bool.shape(), b, h, i);
                for (int j = 0; j < srcLen; j++) {
                    if (!bool.keeps(start + j)) {
                        scores[off + j] = Float.NEGATIVE_INFINITY;
                    }
                }
            }
            case Mask.Additive add -> {
                float[] bias = add.bias().data();
                int start = rowStart(add.bias().shape(), b, h, i);
                for (int j = 0; j < srcLen; j++) {
                    scores[off + j] += bias[start + j];
                }
            }
            case Mask.All all -> {
                for (Mask m : all.masks()) {
                    applyToRow(m, scores, off, b, h, i, tgtLen, srcLen);
                }
            }
        }
    }
}
