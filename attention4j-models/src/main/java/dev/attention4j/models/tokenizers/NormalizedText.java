package dev.attention4j.models.tokenizers;

import java.text.Normalizer.Form;
import java.util.Arrays;
import java.util.function.IntPredicate;

/**
 * A piece of input text being normalized: its code points, each with the span of the original Java string
 * (UTF-16 indices) it came from. Every normalization step rewrites the code points and carries the spans along:
 * a code point that expands (U+0130 lowercased, é decomposed) gives its span to every code point it becomes, a
 * deleted code point takes its span with it. Mutable and confined to one encode call.
 */
final class NormalizedText {

    private int[] codePoints;
    private int[] starts; // start of each code point's original span (UTF-16 index)
    private int[] ends;   // end, exclusive
    private int length;

    private NormalizedText(int[] codePoints, int[] starts, int[] ends, int length) {
        this.codePoints = codePoints;
        this.starts = starts;
        this.ends = ends;
        this.length = length;
    }

    /** The code points of {@code text[from, to)}, each spanning its own UTF-16 units. */
    static NormalizedText of(String text, int from, int to) {
        int n = text.codePointCount(from, to);
        int[] cps = new int[n];
        int[] s = new int[n];
        int[] e = new int[n];
        int i = 0;
        for (int at = from; at < to; ) {
            int cp = text.codePointAt(at);
            int next = at + Character.charCount(cp);
            cps[i] = cp;
            s[i] = at;
            e[i] = next;
            i++;
            at = next;
        }
        return new NormalizedText(cps, s, e, n);
    }

    int length() {
        return length;
    }

    int codePointAt(int index) {
        return codePoints[index];
    }

    /** The start of the original span of the code point at {@code index}. */
    int originalStart(int index) {
        return starts[index];
    }

    /** The end (exclusive) of the original span of the code point at {@code index}. */
    int originalEnd(int index) {
        return ends[index];
    }

    /** The code points {@code [from, to)} as a Java string. */
    String substring(int from, int to) {
        return new String(codePoints, from, to - from);
    }

    /** Keeps the code points for which {@code keep} holds. */
    void filter(IntPredicate keep) {
        int w = 0;
        for (int r = 0; r < length; r++) {
            if (keep.test(codePoints[r])) {
                codePoints[w] = codePoints[r];
                starts[w] = starts[r];
                ends[w] = ends[r];
                w++;
            }
        }
        length = w;
    }

    /** Replaces every whitespace code point by a space (BERT's text cleaning, second half). */
    void whitespaceToSpace() {
        for (int i = 0; i < length; i++) {
            if (CharacterClasses.isBertWhitespace(codePoints[i])) {
                codePoints[i] = ' ';
            }
        }
    }

    /** Puts a space before and after every BERT "Chinese character", so each becomes a word of its own. */
    void padChineseCharacters() {
        int count = 0;
        for (int i = 0; i < length; i++) {
            if (CharacterClasses.isBertChinese(codePoints[i])) {
                count++;
            }
        }
        if (count == 0) {
            return;
        }
        Builder out = new Builder(length + 2 * count);
        for (int i = 0; i < length; i++) {
            int cp = codePoints[i];
            if (CharacterClasses.isBertChinese(cp)) {
                out.add(' ', starts[i], ends[i]);
                out.add(cp, starts[i], ends[i]);
                out.add(' ', starts[i], ends[i]);
            } else {
                out.add(cp, starts[i], ends[i]);
            }
        }
        take(out);
    }

    /** Full lowercase mapping, code point by code point (see {@link CharacterClasses#lowercase}). */
    void lowercase() {
        boolean expands = false;
        for (int i = 0; i < length; i++) {
            int lower = CharacterClasses.lowercase(codePoints[i]);
            if (lower == CharacterClasses.TWO_CODE_POINTS) {
                expands = true;
            } else {
                codePoints[i] = lower;
            }
        }
        if (!expands) {
            return;
        }
        Builder out = new Builder(length + 4);
        for (int i = 0; i < length; i++) {
            if (codePoints[i] == 0x130) {
                out.add('i', starts[i], ends[i]);
                out.add(0x307, starts[i], ends[i]);
            } else {
                out.add(codePoints[i], starts[i], ends[i]);
            }
        }
        take(out);
    }

    /**
     * Canonical decomposition (NFD) with spans: each code point is decomposed on its own (the pieces share its
     * span), then every run of adjacent combining marks is put in canonical order, each mark keeping its span.
     */
    void nfd() {
        Builder out = new Builder(length + 8);
        boolean marksAdjacent = false;
        boolean previousIsMark = false;
        for (int i = 0; i < length; i++) {
            int cp = codePoints[i];
            if (cp < 0xC0) { // nothing below U+00C0 decomposes
                out.add(cp, starts[i], ends[i]);
                previousIsMark = false;
                continue;
            }
            String decomposed = java.text.Normalizer.normalize(Character.toString(cp), Form.NFD);
            for (int at = 0; at < decomposed.length(); ) {
                int d = decomposed.codePointAt(at);
                at += Character.charCount(d);
                boolean mark = CharacterClasses.isJdkMark(d);
                marksAdjacent |= mark && previousIsMark;
                previousIsMark = mark;
                out.add(d, starts[i], ends[i]);
            }
        }
        take(out);
        if (marksAdjacent) {
            reorderMarks();
        }
    }

    /**
     * Canonical reordering: only combining marks (every character with a non-zero combining class is a mark) move,
     * and only between starters, so each run of adjacent marks is cut at its starters (marks of class 0) and each
     * piece sorted stably by combining class. Spans stay where they are, as in HF: the i-th mark of a reordered
     * piece gets the span of the piece's i-th mark before reordering.
     *
     * <p>The JDK has no public combining-class lookup, and its normalizer reorders by insertion (quadratic on a
     * hostile run of a million marks), so classes are compared through the normalizer on two-mark strings, once
     * per distinct mark, and a long piece is sorted by counting.
     */
    private void reorderMarks() {
        CombiningClasses classes = new CombiningClasses();
        for (int i = 0; i < length; ) {
            if (!CharacterClasses.isJdkMark(codePoints[i]) || classes.isStarter(codePoints[i])) {
                i++;
                continue;
            }
            int end = i + 1;
            while (end < length && CharacterClasses.isJdkMark(codePoints[end])
                    && !classes.isStarter(codePoints[end])) {
                end++;
            }
            if (end - i > 1) {
                classes.sort(codePoints, i, end);
            }
            i = end;
        }
    }

    /** Combining-class order of marks, learnt from java.text.Normalizer; one per reordering pass. */
    private static final class CombiningClasses {
        /** U+0345 has class 240, the highest: any mark of a lower non-zero class moves before it. */
        private static final int HIGHEST = 0x345;
        private final java.util.Map<Integer, Boolean> starters = new java.util.HashMap<>();

        boolean isStarter(int mark) {
            return starters.computeIfAbsent(mark, m -> m != HIGHEST && nfd(HIGHEST, m)[0] == HIGHEST);
        }

        private static int[] nfd(int first, int second) {
            String pair = new StringBuilder().appendCodePoint(first).appendCodePoint(second).toString();
            return java.text.Normalizer.normalize(pair, Form.NFD).codePoints().toArray();
        }

        /** Negative, zero or positive as {@code a}'s class is below, equal to or above {@code b}'s. */
        private static int compare(int a, int b) {
            if (a == b) {
                return 0;
            }
            if (nfd(a, b)[0] == b) {
                return 1;
            }
            return nfd(b, a)[0] == a ? -1 : 0;
        }

        /** Stable sort of non-starter marks {@code cps[from, to)} by combining class. */
        void sort(int[] cps, int from, int to) {
            int[] distinct = Arrays.stream(cps, from, to).distinct().toArray();
            if (distinct.length == 1) {
                return;
            }
            Integer[] order = Arrays.stream(distinct).boxed().toArray(Integer[]::new);
            Arrays.sort(order, CombiningClasses::compare);
            java.util.Map<Integer, Integer> rank = new java.util.HashMap<>();
            int r = 0;
            for (int k = 0; k < order.length; k++) {
                if (k > 0 && compare(order[k - 1], order[k]) != 0) {
                    r++;
                }
                rank.put(order[k], r);
            }
            int[] counts = new int[r + 2];
            for (int k = from; k < to; k++) {
                counts[rank.get(cps[k]) + 1]++;
            }
            for (int k = 1; k < counts.length; k++) {
                counts[k] += counts[k - 1];
            }
            int[] sorted = new int[to - from];
            for (int k = from; k < to; k++) {
                sorted[counts[rank.get(cps[k])]++] = cps[k];
            }
            System.arraycopy(sorted, 0, cps, from, sorted.length);
        }
    }

    private void take(Builder b) {
        codePoints = b.codePoints;
        starts = b.starts;
        ends = b.ends;
        length = b.length;
    }

    /** A growing list of (code point, span). */
    private static final class Builder {
        int[] codePoints;
        int[] starts;
        int[] ends;
        int length;

        Builder(int capacity) {
            codePoints = new int[Math.max(capacity, 4)];
            starts = new int[codePoints.length];
            ends = new int[codePoints.length];
        }

        void add(int cp, int start, int end) {
            if (length == codePoints.length) {
                int grown = codePoints.length * 2;
                codePoints = Arrays.copyOf(codePoints, grown);
                starts = Arrays.copyOf(starts, grown);
                ends = Arrays.copyOf(ends, grown);
            }
            codePoints[length] = cp;
            starts[length] = start;
            ends[length] = end;
            length++;
        }
    }
}
