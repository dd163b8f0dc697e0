package dev.attention4j.nn.attention;

import dev.attention4j.tensor.Shape;
import dev.attention4j.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Which keys each query may attend to. One polarity inside attention4j: {@code true} = keep (may attend). Blocked
 * scores become {@code -inf} before the softmax; a query whose every key is blocked gets all-zero weights (and so a
 * zero output), never NaN.
 *
 * <p>Per-element masks ({@link Bool}, {@link Additive}) are {@code (tgtLen, srcLen)} — the same for every sequence
 * and head — or {@code (batchSize | 1, numHeads | 1, tgtLen, srcLen)}, where a dim of 1 broadcasts. Masks combine
 * with {@link #and}. To convert PyTorch's masks (where {@code True} often means blocked), use {@link TorchMasks}.
 */
public sealed interface Mask permits Mask.None, Mask.Causal, Mask.SlidingWindow, Mask.KeyPadding, Mask.Bool,
        Mask.Additive, Mask.All {

    /** Where the causal diagonal sits when there are more keys than queries (or fewer). */
    enum Alignment {
        /** Query {@code i} sees keys {@code j <= i} (PyTorch's {@code is_causal} / {@code causal_upper_left}). */
        UPPER_LEFT,
        /**
         * Query {@code i} sees keys {@code j <= i + srcLen - tgtLen}: the last query sees every key, as when new
         * queries continue a cached prefix ({@code causal_lower_right}).
         */
        LOWER_RIGHT
    }

    /** Every query sees every key. */
    static Mask none() {
        return None.INSTANCE;
    }

    /** Causal with {@link Alignment#UPPER_LEFT}; for square scores the usual "no peeking ahead". */
    static Mask causal() {
        return new Causal(Alignment.UPPER_LEFT);
    }

    /** Causal with an explicit alignment, for when {@code tgtLen != srcLen}. */
    static Mask causal(Alignment alignment) {
        return new Causal(alignment);
    }

    /**
     * Causal local attention with {@link Alignment#UPPER_LEFT}: query {@code i} sees the {@code window} keys ending
     * at its own position, {@code i - window < j <= i} (the sliding window of Longformer's and Mistral's decoders).
     * Tiled attention skips every key tile outside the window, so the cost grows as {@code tgtLen * window}.
     */
    static Mask slidingWindow(int window) {
        return new SlidingWindow(window, Alignment.UPPER_LEFT);
    }

    /** A sliding window whose diagonal is placed by {@code alignment}, for when {@code tgtLen != srcLen}. */
    static Mask slidingWindow(int window, Alignment alignment) {
        return new SlidingWindow(window, alignment);
    }

    /** Keys {@code j < lengths[b]} of sequence {@code b} are real, the rest padding; {@code srcLen} is the padded length. */
    static Mask keyLengths(int srcLen, int... lengths) {
        boolean[][] keep = new boolean[lengths.length][srcLen];
        for (int b = 0; b < lengths.length; b++) {
            if (lengths[b] < 0 || lengths[b] > srcLen) {
                throw new IllegalArgumentException("lengths[" + b + "]: expected a length in [0, " + srcLen + "] but got "
                        + lengths[b]);
            }
            Arrays.fill(keep[b], 0, lengths[b], true);
        }
        return new KeyPadding(keep);
    }

    /** Per-sequence key padding, {@code keep[batch][key]}: true for real tokens. */
    static Mask keyPadding(boolean[][] keep) {
        return new KeyPadding(keep);
    }

    /** An element mask: {@code keep} in row-major order over {@code dims}, {@code (tgtLen, srcLen)} or 4-D. */
    static Mask bool(boolean[] keep, int... dims) {
        return new Bool(Shape.of(dims), keep);
    }

    /** Scores get {@code bias} added (use {@code -inf} to block); {@code (tgtLen, srcLen)} or 4-D. */
    static Mask additive(Tensor bias) {
        return new Additive(bias);
    }

    /** This mask as the row rule {@link dev.attention4j.autograd.AttentionOp} applies (for calling the op directly). */
    default dev.attention4j.autograd.ScoreMask toScoreMask() {
        return MaskShapes.scoreMask(this);
    }

    /** Both masks: a key is kept only if both keep it; additive terms add. */
    default Mask and(Mask other) {
        Objects.requireNonNull(other, "other");
        List<Mask> parts = new ArrayList<>();
        for (Mask m : new Mask[] {this, other}) {
            switch (m) {
                case None n -> { }
                case All all -> parts.addAll(all.masks());
                default -> parts.add(m);
            }
        }
        return parts.isEmpty() ? none() : parts.size() == 1 ? parts.get(0) : new All(List.copyOf(parts));
    }

    /** No masking. */
    record None() implements Mask {
        static final None INSTANCE = new None();
    }

    /** No query sees a later key; {@link Alignment} places the diagonal. */
    record Causal(Alignment alignment) implements Mask {
        public Causal {
            Objects.requireNonNull(alignment, "alignment");
        }

        /** Whether query {@code i} may see key {@code j}. */
        public boolean keeps(int i, int j, int tgtLen, int srcLen) {
            return switch (alignment) {
                case UPPER_LEFT -> j <= i;
                case LOWER_RIGHT -> j <= i + srcLen - tgtLen;
            };
        }
    }

    /**
     * Causal attention limited to the last {@code window} keys: query {@code i} sees key {@code j} when
     * {@code diag - window < j <= diag}, with {@code diag = i} ({@link Alignment#UPPER_LEFT}) or
     * {@code i + srcLen - tgtLen} ({@link Alignment#LOWER_RIGHT}). A window of 1 is the diagonal alone; a window of
     * {@code srcLen} or more is {@link #causal(Alignment)}.
     */
    record SlidingWindow(int window, Alignment alignment) implements Mask {
        public SlidingWindow {
            if (window < 1) {
                throw new IllegalArgumentException("window: expected at least 1 key but got " + window);
            }
            Objects.requireNonNull(alignment, "alignment");
        }

        /** The last key query {@code i} sees (its diagonal); it sees the {@code window} keys ending there. */
        public int lastKey(int i, int tgtLen, int srcLen) {
            return switch (alignment) {
                case UPPER_LEFT -> i;
                case LOWER_RIGHT -> i + srcLen - tgtLen;
            };
        }

        /** Whether query {@code i} may see key {@code j}. */
        public boolean keeps(int i, int j, int tgtLen, int srcLen) {
            int last = lastKey(i, tgtLen, srcLen);
            return j <= last && j > last - window;
        }
    }

    /** Per-sequence key padding: {@code keep[batch][key]}, true for real tokens. */
    record KeyPadding(boolean[][] keep) implements Mask {
        public KeyPadding {
            keep = deepCopy(keep);
        }

        @Override
        public boolean[][] keep() {
            return deepCopy(keep);
        }

        boolean keeps(int batch, int key) {
            return keep[batch][key];
        }

        int batchSize() {
            return keep.length;
        }

        int srcLen() {
            return keep.length == 0 ? 0 : keep[0].length;
        }

        private static boolean[][] deepCopy(boolean[][] keep) {
            Objects.requireNonNull(keep, "keep");
            boolean[][] copy = new boolean[keep.length][];
            for (int b = 0; b < keep.length; b++) {
                copy[b] = keep[b].clone();
                if (copy[b].length != copy[0].length) {
                    throw new IllegalArgumentException("key padding: expected every row to have " + copy[0].length
                            + " keys but row " + b + " has " + copy[b].length);
                }
            }
            return copy;
        }
    }

    /** Per-element keep flags over {@code shape}: {@code (tgtLen, srcLen)} or {@code (batchSize|1, numHeads|1, tgtLen, srcLen)}. */
    record Bool(Shape shape, boolean[] keep) implements Mask {
        public Bool {
            keep = keep.clone();
            MaskShapes.requireElementShape("bool mask", shape);
            if (keep.length != shape.size()) {
                throw new IllegalArgumentException("bool mask: " + keep.length + " flags for shape " + shape
                        + " which needs " + shape.size());
            }
        }

        @Override
        public boolean[] keep() {
            return keep.clone();
        }

        boolean keeps(int flatIndex) {
            return keep[flatIndex];
        }
    }

    /** Added to the scores before the softmax; {@code -inf} blocks. Same shapes as {@link Bool}. */
    record Additive(Tensor bias) implements Mask {
        public Additive {
            Objects.requireNonNull(bias, "bias");
            MaskShapes.requireElementShape("additive mask", bias.shape());
        }
    }

    /** The conjunction of several masks (built by {@link #and}). */
    record All(List<Mask> masks) implements Mask {
        public All {
            masks = List.copyOf(masks);
        }
    }
}
