package dev.attention4j.models.tokenizers;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What a tokenizer makes of one text or one pair of texts: the arrays a BERT-family model reads, all of length
 * {@code seqLen} (special and padding tokens included).
 *
 * <p>Offsets are UTF-16 indices into the Java string the token came from (the first text or the second, as
 * {@code sequenceIds} says): {@code text.substring(offsetStarts[i], offsetEnds[i])} is token i's source. Special and
 * padding tokens have offsets (0, 0). HF reports offsets in code points, which differ after a character outside the
 * Basic Multilingual Plane (most emoji).
 *
 * <p>Arrays are copied in and out, so an encoding is immutable; equality compares contents.
 *
 * @param ids               token ids, {@code (seqLen)}
 * @param typeIds           token type ids ({@code token_type_ids}): 0 for the first text, 1 for the second
 * @param attentionMask     1 for real tokens, 0 for padding
 * @param specialTokensMask 1 for tokens the post-processor or padding added ([CLS], [SEP], [PAD]), 0 otherwise
 * @param sequenceIds       0 or 1: which text a token came from; -1 for special and padding tokens
 * @param tokens            the tokens' strings (the vocabulary's, e.g. {@code ##ing})
 * @param offsetStarts      start of each token's source in its text (UTF-16 index)
 * @param offsetEnds        end (exclusive) of each token's source
 */
public record Encoding(int[] ids, int[] typeIds, int[] attentionMask, int[] specialTokensMask, int[] sequenceIds,
                       List<String> tokens, int[] offsetStarts, int[] offsetEnds) {

    public Encoding {
        Objects.requireNonNull(ids, "ids");
        int n = ids.length;
        requireLength("typeIds", typeIds, n);
        requireLength("attentionMask", attentionMask, n);
        requireLength("specialTokensMask", specialTokensMask, n);
        requireLength("sequenceIds", sequenceIds, n);
        requireLength("offsetStarts", offsetStarts, n);
        requireLength("offsetEnds", offsetEnds, n);
        Objects.requireNonNull(tokens, "tokens");
        if (tokens.size() != n) {
            throw new IllegalArgumentException("tokens must have " + n + " entries (ids.length), got "
                    + tokens.size());
        }
        ids = ids.clone();
        typeIds = typeIds.clone();
        attentionMask = attentionMask.clone();
        specialTokensMask = specialTokensMask.clone();
        sequenceIds = sequenceIds.clone();
        tokens = List.copyOf(tokens);
        offsetStarts = offsetStarts.clone();
        offsetEnds = offsetEnds.clone();
    }

    private static void requireLength(String name, int[] array, int n) {
        Objects.requireNonNull(array, name);
        if (array.length != n) {
            throw new IllegalArgumentException(name + " must have length " + n + " (ids.length), got "
                    + array.length);
        }
    }

    /** The number of tokens, padding included ({@code seqLen}). */
    public int length() {
        return ids.length;
    }

    @Override
    public int[] ids() {
        return ids.clone();
    }

    @Override
    public int[] typeIds() {
        return typeIds.clone();
    }

    @Override
    public int[] attentionMask() {
        return attentionMask.clone();
    }

    @Override
    public int[] specialTokensMask() {
        return specialTokensMask.clone();
    }

    @Override
    public int[] sequenceIds() {
        return sequenceIds.clone();
    }

    @Override
    public int[] offsetStarts() {
        return offsetStarts.clone();
    }

    @Override
    public int[] offsetEnds() {
        return offsetEnds.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Encoding e && Arrays.equals(ids, e.ids) && Arrays.equals(typeIds, e.typeIds)
                && Arrays.equals(attentionMask, e.attentionMask)
                && Arrays.equals(specialTokensMask, e.specialTokensMask)
                && Arrays.equals(sequenceIds, e.sequenceIds) && tokens.equals(e.tokens)
                && Arrays.equals(offsetStarts, e.offsetStarts) && Arrays.equals(offsetEnds, e.offsetEnds);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(ids), Arrays.hashCode(typeIds), Arrays.hashCode(attentionMask),
                tokens, Arrays.hashCode(offsetStarts), Arrays.hashCode(offsetEnds));
    }

    @Override
    public String toString() {
        return "Encoding[tokens=" + tokens + ", ids=" + Arrays.toString(ids) + ", typeIds="
                + Arrays.toString(typeIds) + ", attentionMask=" + Arrays.toString(attentionMask) + "]";
    }
}
