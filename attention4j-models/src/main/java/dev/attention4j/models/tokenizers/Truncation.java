package dev.attention4j.models.tokenizers;

import java.util.Objects;

/**
 * How long an encoding may be: {@code maxLength} tokens, special tokens included (the post-processor's [CLS] and
 * [SEP] are counted, so the texts get {@code maxLength} minus their number).
 *
 * @param maxLength the most tokens in one encoding, specials included; BERT models take at most 512
 * @param strategy  which text of a pair loses tokens
 * @param stride    HF's overlap for overflowing windows; kept for the file's sake, overflowing tokens are not
 *                  produced
 * @param side      which end is cut
 */
public record Truncation(int maxLength, Strategy strategy, int stride, Side side) {

    /** The longest input a BERT model's position table covers. */
    public static final int BERT_MAX_LENGTH = 512;

    /** Which text of a pair gives up tokens. */
    public enum Strategy {
        /**
         * Both texts may lose tokens, the longer one first: if the shorter fits in half, the longer gets the rest;
         * otherwise each gets half (the second the odd token). HF's {@code LongestFirst}.
         */
        LONGEST_FIRST,
        /** Only the first text loses tokens; an error if that is not enough. */
        ONLY_FIRST,
        /** Only the second text loses tokens; an error if that is not enough or there is no second text. */
        ONLY_SECOND
    }

    public Truncation {
        if (maxLength < 0) {
            throw new IllegalArgumentException("maxLength must be >= 0, got " + maxLength);
        }
        Objects.requireNonNull(strategy, "strategy");
        if (stride < 0) {
            throw new IllegalArgumentException("stride must be >= 0, got " + stride);
        }
        Objects.requireNonNull(side, "side");
    }

    /** {@code maxLength} tokens, longest text first, cut at the end: HF's default and BERT's. */
    public static Truncation longestFirst(int maxLength) {
        return new Truncation(maxLength, Strategy.LONGEST_FIRST, 0, Side.RIGHT);
    }

    /** {@link #longestFirst} at {@link #BERT_MAX_LENGTH}. */
    public static Truncation bert() {
        return longestFirst(BERT_MAX_LENGTH);
    }
}
