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
     * and only within a run of adjacent marks, so each run is normalized alone. Spans stay where they are, as in HF:
     * the i-th mark of a reordered run gets the span of the run's i-th mark before reordering.
     */
    private void reorderMarks() {
        for (int i = 0; i < length; ) {
            if (!CharacterClasses.isJdkMark(codePoints[i])) {
                i++;
                continue;
            }
            int end = i + 1;
            while (end < length && CharacterClasses.isJdkMark(codePoints[end])) {
                end++;
            }
            if (end - i > 1) {
                String run = new String(codePoints, i, end - i);
                int[] ordered = java.text.Normalizer.normalize(run, Form.NFD).codePoints().toArray();
                if (ordered.length == end - i) { // reordering never changes the count
                    System.arraycopy(ordered, 0, codePoints, i, ordered.length);
                }
            }
            i = end;
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
