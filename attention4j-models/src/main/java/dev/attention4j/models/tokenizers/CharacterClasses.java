package dev.attention4j.models.tokenizers;

/**
 * The character classes the HF tokenizers pipeline tests, on code points. BERT's definitions differ from Java's
 * {@link Character} methods on purpose, and each method says how.
 */
final class CharacterClasses {

    private CharacterClasses() {}

    /**
     * Unicode's White_Space property (what Rust's {@code char::is_whitespace} tests): tab, LF, VT, FF, CR, space,
     * NEL, NBSP, U+1680, U+2000..U+200A, U+2028, U+2029, U+202F, U+205F and U+3000. Unlike
     * {@link Character#isWhitespace} it includes the no-break spaces and excludes U+001C..U+001F.
     */
    static boolean isWhitespace(int cp) {
        if (cp <= 0x20) {
            return cp == 0x20 || (cp >= 0x09 && cp <= 0x0D);
        }
        if (cp < 0x85) {
            return false;
        }
        return cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028
                || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
    }

    /**
     * BERT's control characters, which its text cleaning deletes: general category Cc (control), Cf (format, e.g.
     * zero-width joiners and spaces, the BOM, bidi marks) or Co (private use), except tab, LF and CR, which BERT
     * counts as whitespace. Unassigned (Cn) and lone surrogates (Cs) are kept.
     */
    static boolean isBertControl(int cp) {
        if (cp == '\t' || cp == '\n' || cp == '\r') {
            return false;
        }
        int type = Character.getType(cp);
        return type == Character.CONTROL || type == Character.FORMAT || type == Character.PRIVATE_USE;
    }

    /** BERT's whitespace: {@link #isWhitespace} (which already holds tab, LF and CR). */
    static boolean isBertWhitespace(int cp) {
        return isWhitespace(cp);
    }

    /**
     * BERT's punctuation: every ASCII non-alphanumeric printable (33..47, 58..64, 91..96, 123..126, so {@code $ + < = >
     * ^ ` | ~} too, though Unicode calls them symbols) and every Unicode punctuation category (Pc, Pd, Ps, Pe, Pi, Pf,
     * Po).
     */
    static boolean isBertPunctuation(int cp) {
        if (cp < 128) {
            return (cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96)
                    || (cp >= 123 && cp <= 126);
        }
        return switch (Character.getType(cp)) {
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                    Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION,
                    Character.FINAL_QUOTE_PUNCTUATION, Character.OTHER_PUNCTUATION -> true;
            default -> false;
        };
    }

    /**
     * BERT's "Chinese characters", each made a word of its own: the CJK Unified Ideographs block and its extensions
     * A to E, and the compatibility ideographs (BERT's ranges, which leave out Hiragana, Katakana and Hangul, and
     * the extensions added to Unicode after BERT).
     */
    static boolean isBertChinese(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF)
                || (cp >= 0x3400 && cp <= 0x4DBF)
                || (cp >= 0x20000 && cp <= 0x2A6DF)
                || (cp >= 0x2A700 && cp <= 0x2B73F)
                || (cp >= 0x2B740 && cp <= 0x2B81F)
                || (cp >= 0x2B920 && cp <= 0x2CEAF)
                || (cp >= 0xF900 && cp <= 0xFAFF)
                || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }

    /** General category Mn (non-spacing mark): the accents BERT strips after NFD. */
    static boolean isNonSpacingMark(int cp) {
        return Character.getType(cp) == Character.NON_SPACING_MARK;
    }

    /** General category M (Mn, Mc or Me): what the {@code StripAccents} normalizer removes. */
    static boolean isMark(int cp) {
        int type = Character.getType(cp);
        return type == Character.NON_SPACING_MARK || type == Character.COMBINING_SPACING_MARK
                || type == Character.ENCLOSING_MARK;
    }

    /**
     * Full lowercase mapping of one code point, as Rust's {@code char::to_lowercase}: the simple mapping, except
     * U+0130 (capital I with dot above), which becomes "i" + U+0307. No context: a final capital sigma becomes σ,
     * never ς (unlike {@link String#toLowerCase}).
     *
     * @return the lowercase code point, or {@link #TWO_CODE_POINTS} for U+0130
     */
    static int lowercase(int cp) {
        return cp == 0x130 ? TWO_CODE_POINTS : Character.toLowerCase(cp);
    }

    /** Returned by {@link #lowercase} for the one code point whose lowercase is two: i + combining dot above. */
    static final int TWO_CODE_POINTS = -1;
}
