package dev.attention4j.models.tokenizers;

import java.util.List;
import java.util.Objects;

/**
 * The second stage of a tokenizer: cuts the normalized text into words, which the model then tokenizes one by one
 * (no token ever spans two words). A closed family named after HF's {@code pre_tokenizer.type}.
 */
public sealed interface PreTokenizer {

    /**
     * BERT's: split on whitespace (dropped), then make every punctuation character a word of its own (BERT's
     * punctuation: ASCII {@code !"#$%&'()*+,-./:;<=>?@[\]^_`{|}~} and Unicode categories P*).
     */
    record BertPreTokenizer() implements PreTokenizer {}

    /** Split on whitespace (dropped). */
    record WhitespaceSplit() implements PreTokenizer {}

    /**
     * Words are runs of word characters or runs of other non-space characters (the regular expression
     * {@code \w+|[^\w\s]+} with Unicode classes); whitespace is dropped.
     */
    record Whitespace() implements PreTokenizer {}

    /** The pre-tokenizers in order, each cutting the words of the one before. */
    record Sequence(List<PreTokenizer> preTokenizers) implements PreTokenizer {
        public Sequence {
            Objects.requireNonNull(preTokenizers, "preTokenizers");
            preTokenizers = List.copyOf(preTokenizers);
        }
    }
}
