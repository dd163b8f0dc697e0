package dev.attention4j.models.tokenizers;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.IntPredicate;

/**
 * The character classes the HF tokenizers pipeline tests, on code points. BERT's definitions differ from Java's
 * {@link Character} methods on purpose, and each method says how.
 *
 * <p>HF's BERT code takes general categories from tables much older than the JDK's (characters added or
 * re-categorized since, such as U+061D or U+166D, are classed differently), so the four category tests here follow
 * the JDK except for the code points listed in {@code hf-unicode-categories.txt}, where they give HF's answer. The
 * list was measured against HF itself, every code point (see UnicodeCategoriesOracleTest), on JDK 25 (Unicode
 * 16.0); an older JDK can differ from HF for characters its Unicode version does not have yet.
 */
final class CharacterClasses {

    private CharacterClasses() {}

    private static final String OVERRIDES = "hf-unicode-categories.txt";

    /** Per class: code points HF puts in it (though the JDK does not), and code points HF leaves out. */
    private record Override(int[] added, int[] removed) {
        boolean apply(int cp, boolean jdk) {
            if (jdk) {
                return Arrays.binarySearch(removed, cp) < 0;
            }
            return Arrays.binarySearch(added, cp) >= 0;
        }
    }

    private static final Override OTHER;
    private static final Override PUNCTUATION;
    private static final Override NONSPACING_MARK;
    private static final Override MARK;

    static {
        Map<String, int[]> lists = readOverrides();
        OTHER = new Override(lists.getOrDefault("OTHER +", new int[0]), lists.getOrDefault("OTHER -", new int[0]));
        PUNCTUATION = new Override(lists.getOrDefault("PUNCTUATION +", new int[0]),
                lists.getOrDefault("PUNCTUATION -", new int[0]));
        NONSPACING_MARK = new Override(lists.getOrDefault("NONSPACING_MARK +", new int[0]),
                lists.getOrDefault("NONSPACING_MARK -", new int[0]));
        MARK = new Override(lists.getOrDefault("MARK +", new int[0]), lists.getOrDefault("MARK -", new int[0]));
    }

    /** Lines "CLASS +|- hex hex ...", sorted into int arrays; '#' starts a comment line. */
    private static Map<String, int[]> readOverrides() {
        Map<String, int[]> lists = new HashMap<>();
        try (InputStream in = CharacterClasses.class.getResourceAsStream(OVERRIDES)) {
            if (in == null) {
                throw new IllegalStateException(OVERRIDES + " is missing from the classpath beside "
                        + CharacterClasses.class.getName() + "; the jar is incomplete");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = reader.readLine()) != null; ) {
                line = line.strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                String[] parts = line.split("\\s+");
                int[] cps = new int[parts.length - 2];
                for (int i = 2; i < parts.length; i++) {
                    cps[i - 2] = Integer.parseInt(parts[i], 16);
                }
                Arrays.sort(cps);
                lists.put(parts[0] + " " + parts[1], cps);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return lists;
    }

    /** The JDK's own answer for a class of the override table, by its name there (for regenerating it). */
    static IntPredicate jdkClass(String name) {
        return switch (name) {
            case "OTHER" -> cp -> isJdkType(cp, Character.CONTROL, Character.FORMAT, Character.PRIVATE_USE);
            case "PUNCTUATION" -> CharacterClasses::isJdkPunctuation;
            case "NONSPACING_MARK" -> cp -> isJdkType(cp, Character.NON_SPACING_MARK);
            case "MARK" -> cp -> isJdkType(cp, Character.NON_SPACING_MARK, Character.COMBINING_SPACING_MARK,
                    Character.ENCLOSING_MARK);
            default -> throw new IllegalArgumentException("no character class named " + name);
        };
    }

    private static boolean isJdkType(int cp, int... types) {
        int type = Character.getType(cp);
        for (int t : types) {
            if (type == t) {
                return true;
            }
        }
        return false;
    }

    private static boolean isJdkPunctuation(int cp) {
        return switch (Character.getType(cp)) {
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                    Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION,
                    Character.FINAL_QUOTE_PUNCTUATION, Character.OTHER_PUNCTUATION -> true;
            default -> false;
        };
    }

    /** General category M as the JDK has it (the marks java.text.Normalizer may reorder). */
    static boolean isJdkMark(int cp) {
        return isJdkType(cp, Character.NON_SPACING_MARK, Character.COMBINING_SPACING_MARK, Character.ENCLOSING_MARK);
    }

    /** General category Cc, Cf or Co, as HF's tables have it. */
    static boolean isOther(int cp) {
        return OTHER.apply(cp, isJdkType(cp, Character.CONTROL, Character.FORMAT, Character.PRIVATE_USE));
    }

    /** General category P* (Pc, Pd, Ps, Pe, Pi, Pf, Po), as HF's tables have it. */
    static boolean isPunctuation(int cp) {
        return PUNCTUATION.apply(cp, isJdkPunctuation(cp));
    }

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
        return isOther(cp);
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
        return isPunctuation(cp);
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

    /** General category Mn (non-spacing mark), as HF's tables have it: the accents BERT strips after NFD. */
    static boolean isNonSpacingMark(int cp) {
        return NONSPACING_MARK.apply(cp, isJdkType(cp, Character.NON_SPACING_MARK));
    }

    /** General category M (Mn, Mc or Me), as HF's tables have it: what {@code StripAccents} removes. */
    static boolean isMark(int cp) {
        return MARK.apply(cp, isJdkType(cp, Character.NON_SPACING_MARK, Character.COMBINING_SPACING_MARK,
                Character.ENCLOSING_MARK));
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
