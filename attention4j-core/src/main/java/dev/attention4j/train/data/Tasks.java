package dev.attention4j.train.data;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Built-in synthetic tasks, seeded and deterministic (same seed, same list, on every JVM), and the held-out
 * {@link #split}. The string tasks write no spaces: use a {@link CharTokenizer} (or {@link BpeTokenizer}) for them.
 */
public final class Tasks {

    /** The alphabet of {@link #copy(long, int)} and {@link #reverse(long, int)}. */
    public static final String DEFAULT_ALPHABET = "abcdefghij";
    public static final int DEFAULT_MIN_LENGTH = 1;
    public static final int DEFAULT_MAX_LENGTH = 20;

    private Tasks() {
    }

    /** {@code count} random strings over {@link #DEFAULT_ALPHABET}, lengths 1..20, each its own target. */
    public static List<Example> copy(long seed, int count) {
        return copy(seed, count, DEFAULT_ALPHABET, DEFAULT_MIN_LENGTH, DEFAULT_MAX_LENGTH);
    }

    /**
     * {@code count} strings of code points drawn uniformly from {@code alphabet}, lengths uniform in
     * {@code [minLength, maxLength]}; target = source.
     */
    public static List<Example> copy(long seed, int count, String alphabet, int minLength, int maxLength) {
        List<Example> out = new ArrayList<>(count);
        for (String s : randomStrings(seed, count, alphabet, minLength, maxLength)) {
            out.add(new Example(s, s));
        }
        return out;
    }

    /** {@code count} random strings over {@link #DEFAULT_ALPHABET}, lengths 1..20; target = the source reversed. */
    public static List<Example> reverse(long seed, int count) {
        return reverse(seed, count, DEFAULT_ALPHABET, DEFAULT_MIN_LENGTH, DEFAULT_MAX_LENGTH);
    }

    /** As {@link #copy(long, int, String, int, int)} with the target reversed (by code point). */
    public static List<Example> reverse(long seed, int count, String alphabet, int minLength, int maxLength) {
        List<Example> out = new ArrayList<>(count);
        for (String s : randomStrings(seed, count, alphabet, minLength, maxLength)) {
            int[] cps = s.codePoints().toArray();
            StringBuilder reversed = new StringBuilder(s.length());
            for (int i = cps.length - 1; i >= 0; i--) {
                reversed.appendCodePoint(cps[i]);
            }
            out.add(new Example(s, reversed.toString()));
        }
        return out;
    }

    /**
     * English number words to Chinese numerals ({@link NumberWords#english}, {@link NumberWords#chinese}), e.g.
     * {@code "two thousand and five" -> "二千零五"}. Three kinds of draw, so that no reading goes unseen:
     * <ul>
     *   <li>1 in 10: a number below 1000, uniformly (every small number is seen many times: "zero", "twelve",
     *       "sixteen" are irregular words);</li>
     *   <li>1 in 10: a round number {@code d * 10^k} (k in 1..7), half of them with a small tail
     *       ({@code 1 000 001}, {@code 3 000 200}): long runs of zeros are where 零 and 万 are hardest;</li>
     *   <li>otherwise a digit count uniformly in 1..8, then a number with that many digits uniformly.</li>
     * </ul>
     * Numbers repeat; {@link #split} removes duplicates.
     */
    public static List<Example> numbers(long seed, int count) {
        checkCount(count);
        SplittableRandom random = new SplittableRandom(seed);
        List<Example> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long n = switch (random.nextInt(10)) {
                case 0 -> random.nextInt(1000);
                case 1 -> {
                    int k = 1 + random.nextInt(7);
                    long round = (1 + random.nextInt(9)) * pow10(k);
                    yield random.nextBoolean() ? round : round + random.nextLong(pow10(random.nextInt(k)));
                }
                default -> {
                    int digits = 1 + random.nextInt(8);
                    yield digits == 1 ? random.nextInt(10) : random.nextLong(pow10(digits - 1), pow10(digits));
                }
            };
            out.add(new Example(NumberWords.english(n), NumberWords.chinese(n)));
        }
        return out;
    }

    /**
     * Splits {@code examples} into train and validation so that no source text is in both: the distinct sources are
     * shuffled with {@code seed} and {@code round(validFraction * distinctSources)} of them go to validation, with
     * every example that has one of them. Training keeps repeated examples (repeats are how a task weights what must
     * not be missed, such as the irregular small numbers); validation holds each distinct example once, so metrics
     * are not skewed by repeats. Both lists keep the input order.
     */
    public static Split split(List<Example> examples, double validFraction, long seed) {
        if (!(validFraction >= 0 && validFraction <= 1)) {
            throw new IllegalArgumentException("validFraction: expected a fraction in [0, 1] but got "
                    + validFraction);
        }
        List<Example> distinct = List.copyOf(new LinkedHashSet<>(examples));
        List<String> sources = new ArrayList<>(new LinkedHashSet<>(distinct.stream().map(Example::source).toList()));
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = sources.size() - 1; i > 0; i--) { // Fisher-Yates
            int j = random.nextInt(i + 1);
            sources.set(j, sources.set(i, sources.get(j)));
        }
        int validCount = (int) Math.round(validFraction * sources.size());
        Set<String> validSources = new HashSet<>(sources.subList(0, validCount));
        List<Example> train = new ArrayList<>();
        for (Example e : examples) { // repeats stay: they are how a task weights what must not be missed
            if (!validSources.contains(e.source())) {
                train.add(e);
            }
        }
        List<Example> valid = new ArrayList<>();
        for (Example e : distinct) { // each held-out example once, so a metric is not skewed by repeats
            if (validSources.contains(e.source())) {
                valid.add(e);
            }
        }
        return new Split(train, valid);
    }

    private static List<String> randomStrings(long seed, int count, String alphabet, int minLength, int maxLength) {
        checkCount(count);
        int[] symbols = alphabet.codePoints().toArray();
        if (symbols.length == 0) {
            throw new IllegalArgumentException("alphabet: expected at least one character but got an empty string");
        }
        if (minLength < 0 || maxLength < minLength) {
            throw new IllegalArgumentException("minLength, maxLength: expected 0 <= minLength <= maxLength but got "
                    + minLength + " and " + maxLength);
        }
        SplittableRandom random = new SplittableRandom(seed);
        List<String> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int length = minLength + random.nextInt(maxLength - minLength + 1);
            StringBuilder sb = new StringBuilder(length);
            for (int k = 0; k < length; k++) {
                sb.appendCodePoint(symbols[random.nextInt(symbols.length)]);
            }
            out.add(sb.toString());
        }
        return out;
    }

    private static void checkCount(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("count: expected count >= 0 but got " + count);
        }
    }

    private static long pow10(int e) {
        long p = 1;
        for (int i = 0; i < e; i++) {
            p *= 10;
        }
        return p;
    }
}
