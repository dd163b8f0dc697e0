package dev.attention4j.models.tokenizers;

import java.util.List;
import java.util.Objects;

/**
 * The first stage of a tokenizer: rewrites the text (cleaning, case, accents) while keeping track of where each
 * character came from. A closed family named after HF's {@code normalizer.type}; what each member does is on its
 * record.
 */
public sealed interface Normalizer {

    /**
     * BERT's normalizer, in this order: if {@code cleanText}, delete NUL, U+FFFD and BERT's control characters
     * (Cc, Cf, Co except tab/LF/CR) and turn every whitespace character into a space; if
     * {@code handleChineseChars}, put spaces around each CJK ideograph; if {@code stripAccents}, decompose (NFD)
     * and delete non-spacing marks (Mn); if {@code lowercase}, lowercase.
     *
     * <p>In {@code tokenizer.json} a {@code null} {@code strip_accents} means "as {@code lowercase}", which is how
     * the uncased BERT models strip accents and the cased ones keep them; the loader resolves it.
     */
    record BertNormalizer(boolean cleanText, boolean handleChineseChars, boolean stripAccents, boolean lowercase)
            implements Normalizer {

        /** As {@code bert-base-uncased}: clean, split CJK, strip accents, lowercase. */
        public static BertNormalizer uncased() {
            return new BertNormalizer(true, true, true, true);
        }

        /** As {@code bert-base-cased}: clean and split CJK; accents and case kept. */
        public static BertNormalizer cased() {
            return new BertNormalizer(true, true, false, false);
        }
    }

    /** Canonical decomposition (Unicode NFD). */
    record Nfd() implements Normalizer {}

    /** Full Unicode lowercase mapping, character by character (no context: Σ always becomes σ). */
    record Lowercase() implements Normalizer {}

    /** Deletes every combining mark (general category M: Mn, Mc and Me); usually follows {@link Nfd}. */
    record StripAccents() implements Normalizer {}

    /** The normalizers in order. */
    record Sequence(List<Normalizer> normalizers) implements Normalizer {
        public Sequence {
            Objects.requireNonNull(normalizers, "normalizers");
            normalizers = List.copyOf(normalizers);
        }
    }
}
