package dev.attention4j.train.data;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Stream;

/** Turns token counts into a deterministic vocabulary order. */
final class Counts {

    private Counts() {
    }

    /**
     * The keys most frequent first, ties in {@link String#compareTo} order, at most {@code limit} of them.
     */
    static List<String> byFrequency(Map<String, Long> counts, int limit) {
        List<Map.Entry<String, Long>> entries = new ArrayList<>(counts.entrySet());
        entries.sort(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
                .thenComparing(Map.Entry.comparingByKey()));
        List<String> out = new ArrayList<>(Math.min(limit, entries.size()));
        for (int i = 0; i < entries.size() && i < limit; i++) {
            out.add(entries.get(i).getKey());
        }
        return out;
    }

    /**
     * The pieces {@code split} cuts {@code texts} into, most frequent first (ties in {@link String#compareTo} order),
     * as many as fit in {@code maxVocabSize} ids beside the specials.
     */
    static List<String> mostFrequentPieces(Iterable<String> texts, Function<String, Stream<String>> split,
                                           int maxVocabSize) {
        int limit = regularLimit(maxVocabSize);
        Map<String, Long> counts = new HashMap<>();
        for (String text : texts) {
            Objects.requireNonNull(text, "texts: a text is null");
            split.apply(text).forEach(piece -> counts.merge(piece, 1L, Long::sum));
        }
        return byFrequency(counts, limit);
    }

    static int regularLimit(int maxVocabSize) {
        if (maxVocabSize < Vocabulary.FIRST_REGULAR_ID) {
            throw new IllegalArgumentException("maxVocabSize: expected at least " + Vocabulary.FIRST_REGULAR_ID
                    + " (the specials) but got " + maxVocabSize);
        }
        return maxVocabSize - Vocabulary.FIRST_REGULAR_ID;
    }
}
