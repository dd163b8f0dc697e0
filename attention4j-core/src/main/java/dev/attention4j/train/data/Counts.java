package dev.attention4j.train.data;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

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

    static int regularLimit(int maxVocabSize) {
        if (maxVocabSize < Vocabulary.FIRST_REGULAR_ID) {
            throw new IllegalArgumentException("maxVocabSize: expected at least " + Vocabulary.FIRST_REGULAR_ID
                    + " (the specials) but got " + maxVocabSize);
        }
        return maxVocabSize - Vocabulary.FIRST_REGULAR_ID;
    }
}
