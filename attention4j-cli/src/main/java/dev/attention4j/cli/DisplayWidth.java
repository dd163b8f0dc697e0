package dev.attention4j.cli;

/**
 * How many terminal columns a string takes: 2 for East Asian wide and fullwidth characters (CJK ideographs, kana,
 * Hangul, fullwidth forms), 0 for combining marks, 1 otherwise — the ranges of Markus Kuhn's {@code wcwidth}.
 * The JDK has no East Asian Width property, and {@code String.length()} counts "垫子" as 2 when it takes 4 columns.
 */
final class DisplayWidth {

    /** Inclusive code point ranges that take two columns. */
    private static final int[][] WIDE = {
        {0x1100, 0x115F},   // Hangul Jamo initial consonants
        {0x2E80, 0x303E},   // CJK radicals, Kangxi, ideographic description, CJK symbols and punctuation
        {0x3041, 0x33FF},   // kana, bopomofo, Hangul compatibility jamo, CJK compatibility
        {0x3400, 0x4DBF},   // CJK extension A
        {0x4E00, 0x9FFF},   // CJK unified ideographs
        {0xA000, 0xA4CF},   // Yi
        {0xAC00, 0xD7A3},   // Hangul syllables
        {0xF900, 0xFAFF},   // CJK compatibility ideographs
        {0xFE30, 0xFE4F},   // CJK compatibility forms
        {0xFF00, 0xFF60},   // fullwidth forms
        {0xFFE0, 0xFFE6},   // fullwidth signs
        {0x1F300, 0x1F64F}, // pictographs, emoticons
        {0x1F900, 0x1F9FF}, // supplemental symbols and pictographs
        {0x20000, 0x2FFFD}, // CJK extensions B..F
        {0x30000, 0x3FFFD}, // CJK extension G..
    };

    private DisplayWidth() {
    }

    /** The columns {@code s} takes in a monospaced terminal. */
    static int of(String s) {
        int width = 0;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            width += of(cp);
            i += Character.charCount(cp);
        }
        return width;
    }

    /** The columns one code point takes. */
    static int of(int cp) {
        int type = Character.getType(cp);
        if (type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK || type == Character.FORMAT) {
            return 0;
        }
        for (int[] range : WIDE) {
            if (cp >= range[0] && cp <= range[1]) {
                return 2;
            }
        }
        return 1;
    }

    /** {@code s} followed by spaces up to {@code width} columns. */
    static String padRight(String s, int width) {
        return s + " ".repeat(Math.max(0, width - of(s)));
    }

    /** Spaces up to {@code width} columns, then {@code s}. */
    static String padLeft(String s, int width) {
        return " ".repeat(Math.max(0, width - of(s))) + s;
    }
}
