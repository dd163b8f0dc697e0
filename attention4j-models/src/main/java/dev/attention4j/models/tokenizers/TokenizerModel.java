package dev.attention4j.models.tokenizers;

import java.util.Optional;

/**
 * The third stage of a tokenizer: turns one word into tokens from a vocabulary. A closed family named after HF's
 * {@code model.type}; today {@link WordPiece} (BERT and its descendants). Byte-level BPE and Unigram will join it.
 */
public sealed interface TokenizerModel permits WordPiece {

    /** The number of entries in the vocabulary (added tokens not included). */
    int vocabSize();

    /** The id of {@code token} in the vocabulary. */
    Optional<Integer> tokenToId(String token);

    /** The token with id {@code id}. */
    Optional<String> idToToken(int id);
}
