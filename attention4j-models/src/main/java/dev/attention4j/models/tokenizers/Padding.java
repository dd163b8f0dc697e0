package dev.attention4j.models.tokenizers;

import java.util.Objects;

/**
 * How encodings are padded to a common length, with {@code padToken} / {@code padId} / {@code padTypeId} and
 * attention mask 0.
 *
 * @param length          to the longest encoding of the batch, or to a fixed length
 * @param side            where the padding goes
 * @param padToMultipleOf if positive, the padded length is rounded up to a multiple of it (0: no rounding)
 * @param padId           the id of padding tokens, e.g. 0 for BERT's [PAD]
 * @param padTypeId       their token type id
 * @param padToken        their string, e.g. {@code [PAD]}
 */
public record Padding(Length length, Side side, int padToMultipleOf, int padId, int padTypeId, String padToken) {

    /** The length padded to. */
    public sealed interface Length {}

    /** The length of the longest encoding in the batch (a single encoding is left as it is). */
    public record BatchLongest() implements Length {}

    /**
     * Exactly {@code length} tokens; longer encodings are left as they are (padding never truncates).
     *
     * @param length the padded length, >= 1
     */
    public record Fixed(int length) implements Length {
        public Fixed {
            if (length < 1) {
                throw new IllegalArgumentException("length must be >= 1, got " + length);
            }
        }
    }

    public Padding {
        Objects.requireNonNull(length, "length");
        Objects.requireNonNull(side, "side");
        if (padToMultipleOf < 0) {
            throw new IllegalArgumentException("padToMultipleOf must be >= 0, got " + padToMultipleOf);
        }
        if (padId < 0) {
            throw new IllegalArgumentException("padId must be >= 0, got " + padId);
        }
        Objects.requireNonNull(padToken, "padToken");
    }

    /** To the longest of the batch, at the end, with BERT's [PAD] (id 0, type id 0). */
    public static Padding batchLongest() {
        return new Padding(new BatchLongest(), Side.RIGHT, 0, 0, 0, "[PAD]");
    }

    /** To {@code length} tokens, at the end, with BERT's [PAD] (id 0, type id 0). */
    public static Padding fixed(int length) {
        return new Padding(new Fixed(length), Side.RIGHT, 0, 0, 0, "[PAD]");
    }

    /** This padding with another pad token and id (and type id 0). */
    public Padding withPadToken(String token, int id) {
        return new Padding(length, side, padToMultipleOf, id, padTypeId, token);
    }

    /** The padded length of encodings whose longest is {@code longest} tokens. */
    int targetLength(int longest) {
        int target = switch (length) {
            case BatchLongest b -> longest;
            case Fixed f -> f.length();
        };
        if (padToMultipleOf > 0 && target % padToMultipleOf != 0) {
            target += padToMultipleOf - target % padToMultipleOf;
        }
        return target;
    }
}
