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
            case Mask.SlidingWindow window -> { }
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

    /**
     * {@code mask} as the row rule {@link dev.attention4j.autograd.AttentionOp} applies: {@link #applyToRow}, with
     * the visible key range of each query and whether the mask is a band (none, causal, sliding window, key padding
     * whose every sequence is a prefix of real tokens, and conjunctions of these), so tiled attention can skip
     * blocked key tiles without looking at the scores.
     */
    static ScoreMask scoreMask(Mask mask) {
        if (mask instanceof Mask.None) {
            return ScoreMask.NONE;
        }
        return new Rule(mask, isBand(mask), realLengths(mask));
    }

    /**
     * The row rule of a mask; {@code band} as {@link ScoreMask#isBand()}; {@code realLengths[b]} the leading real
     * keys of sequence {@code b} under every key padding mask in {@code mask}, or null when it has none.
     */
    private record Rule(Mask mask, boolean band, int[] realLengths) implements ScoreMask {

        @Override
        public void applyToRow(float[] scores, int offset, int batch, int head, int query, int tgtLen,
                               int maskedSrcLen) {
            MaskShapes.applyToRow(mask, scores, offset, batch, head, query, tgtLen, maskedSrcLen);
        }

        @Override
        public int visibleFrom(int batch, int head, int query, int tgtLen, int maskedSrcLen) {
            return MaskShapes.visibleFrom(mask, query, tgtLen, maskedSrcLen);
        }

        @Override
        public int visibleTo(int batch, int head, int query, int tgtLen, int maskedSrcLen) {
            int to = visibleToBeforePadding(mask, query, tgtLen, maskedSrcLen);
            return realLengths == null ? to : Math.min(to, realLengths[batch]);
        }

        @Override
        public boolean isBand() {
            return band;
        }
    }

    /** Whether {@code mask} blocks exactly the keys outside {@link #visibleFrom} .. {@link #visibleTo}. */
    private static boolean isBand(Mask mask) {
        return switch (mask) {
            case Mask.None none -> true;
            case Mask.Causal causal -> true;
            case Mask.SlidingWindow window -> true;
            case Mask.KeyPadding kp -> {
                for (int b = 0; b < kp.batchSize(); b++) {
                    int length = realPrefix(kp, b);
                    for (int j = length; j < kp.srcLen(); j++) {
                        if (kp.keeps(b, j)) {
                            yield false; // a real token after padding: not one range
                        }
                    }
                }
                yield true;
            }
            case Mask.Bool bool -> false;
            case Mask.Additive add -> false;
            case Mask.All all -> all.masks().stream().allMatch(MaskShapes::isBand);
        };
    }

    /** The number of leading real tokens of sequence {@code b}. */
    private static int realPrefix(Mask.KeyPadding kp, int b) {
        int length = 0;
        while (length < kp.srcLen() && kp.keeps(b, length)) {
            length++;
        }
        return length;
    }

    /** The first key query {@code i} may see: every key before it is blocked. */
    private static int visibleFrom(Mask mask, int i, int tgtLen, int srcLen) {
        return switch (mask) {
            case Mask.SlidingWindow window -> Math.max(0, window.lastKey(i, tgtLen, srcLen) - window.window() + 1);
            case Mask.All all -> {
                int from = 0;
                for (Mask m : all.masks()) {
                    from = Math.max(from, visibleFrom(m, i, tgtLen, srcLen));
                }
                yield from;
            }
            default -> 0;
        };
    }

    /**
     * The leading real keys of each sequence under every key padding mask in {@code mask} (the smallest), or null when
     * it has none.
     */
    private static int[] realLengths(Mask mask) {
        return switch (mask) {
            case Mask.KeyPadding kp -> {
                int[] lengths = new int[kp.batchSize()];
                for (int b = 0; b < lengths.length; b++) {
                    lengths[b] = realPrefix(kp, b);
                }
                yield lengths;
            }
            case Mask.All all -> {
                int[] lengths = null;
                for (Mask m : all.masks()) {
                    int[] part = realLengths(m);
                    if (lengths == null) {
                        lengths = part;
                    } else if (part != null) {
                        for (int b = 0; b < lengths.length; b++) {
                            lengths[b] = Math.min(lengths[b], part[b]);
                        }
                    }
                }
                yield lengths;
            }
            default -> null;
        };
    }

    /**
     * One past the last key query {@code i} may see under the causal and window parts of {@code mask} (for a band
     * mask, exactly, once capped by the key padding's {@link #realLengths}).
     */
    private static int visibleToBeforePadding(Mask mask, int i, int tgtLen, int srcLen) {
        return switch (mask) {
            case Mask.Causal causal -> Math.min(srcLen, Math.max(0, switch (causal.alignment()) {
                case UPPER_LEFT -> i + 1;
                case LOWER_RIGHT -> i + srcLen - tgtLen + 1;
            }));
            case Mask.SlidingWindow window -> Math.min(srcLen, Math.max(0, window.lastKey(i, tgtLen, srcLen) + 1));
            case Mask.All all -> {
                int to = srcLen;
                for (Mask m : all.masks()) {
                    to = Math.min(to, visibleToBeforePadding(m, i, tgtLen, srcLen));
                }
                yield to;
            }
            default -> srcLen;
        };
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
            case Mask.SlidingWindow window -> {
                for (int j = 0; j < srcLen; j++) {
                    if (!window.keeps(i, j, tgtLen, srcLen)) {
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
