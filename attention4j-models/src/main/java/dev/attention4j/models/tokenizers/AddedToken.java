package dev.attention4j.models.tokenizers;

import java.util.Objects;

/**
 * A token added on top of the model's vocabulary (BERT's [CLS], [SEP], [PAD], [MASK], [UNK] are added tokens too).
 * Added tokens are found in the text before the model runs: those with {@code normalized = false} in the raw text
 * (so "[CLS]" in a user's text is the special token, and "[cls]" is not), the others in the normalized text.
 *
 * @param id         its id
 * @param content    its text
 * @param singleWord match only where it is not part of a longer word (no word character just before or after)
 * @param lstrip     a match takes the whitespace before it too
 * @param rstrip     a match takes the whitespace after it too
 * @param normalized match in the normalized text rather than the raw text
 * @param special    a special token (not part of the text proper)
 */
public record AddedToken(int id, String content, boolean singleWord, boolean lstrip, boolean rstrip,
                         boolean normalized, boolean special) {

    public AddedToken {
        if (id < 0) {
            throw new IllegalArgumentException("id must be >= 0, got " + id);
        }
        Objects.requireNonNull(content, "content");
        if (content.isEmpty()) {
            throw new IllegalArgumentException("content must not be empty");
        }
    }

    /** A special token matched in the raw text, as BERT's: no stripping, not normalized. */
    public static AddedToken special(int id, String content) {
        return new AddedToken(id, content, false, false, false, false, true);
    }
}
