package dev.attention4j.train.data;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Character-level byte-pair encoding (Sennrich et al. 2016) with SentencePiece's word-boundary marker.
 *
 * <p>Pre-tokenization: every space becomes {@link #WORD_BOUNDARY} {@code '▁'} (U+2581), one more {@code '▁'} is put in
 * front of the text, and the text is cut into words before each {@code '▁'}; merges never cross a word. So
 * {@code "the cat"} is the words {@code "▁the"} and {@code "▁cat"}, and spaces round-trip exactly (leading, trailing
 * and repeated ones too). Other whitespace is an ordinary character. A literal {@code '▁'} in the text decodes as a
 * space.
 *
 * <p>Vocabulary order: the specials, the alphabet (every code point of the training corpus, most frequent first, ties
 * in {@link String#compareTo} order), then the merged tokens in the order they were first made. {@link #encode}
 * applies the merges in rank order (repeatedly merging every occurrence, left to right, of the adjacent pair with the
 * lowest rank), which reproduces the training segmentation. Code points outside the alphabet encode as UNK and never merge.
 */
public final class BpeTokenizer implements Tokenizer {

    /** The word-boundary marker that stands for a space: {@code '▁'} (U+2581). */
    public static final char WORD_BOUNDARY = '\u2581';

    private final Vocabulary vocabulary;
    private final int alphabetSize;
    private final List<int[]> merges;              // rank -> {left id, right id, result id}
    private final Map<Long, Integer> rankOfPair;   // pair key -> rank

    private BpeTokenizer(Vocabulary vocabulary, int alphabetSize, List<int[]> merges) {
        this.vocabulary = vocabulary;
        this.alphabetSize = alphabetSize;
        this.merges = List.copyOf(merges);
        this.rankOfPair = new HashMap<>();
        for (int rank = 0; rank < merges.size(); rank++) {
            int[] m = merges.get(rank);
            rankOfPair.putIfAbsent(pairKey(m[0], m[1]), rank);
        }
    }

    /**
     * Learns merges on {@code texts} until the vocabulary has {@code vocabSize} ids (specials included) or no pair
     * is left to merge, whichever comes first. Each step merges the pair with the highest count over the corpus
     * (words weighted by frequency, overlapping pairs such as the two {@code "a a"} in {@code "aaa"} both counted);
     * ties go to the pair whose left token, then right token, comes first in {@link String#compareTo} order. A merge
     * whose result is already a token reuses that token's id.
     *
     * @throws IllegalArgumentException if {@code vocabSize} cannot hold the specials and the corpus's alphabet
     */
    public static BpeTokenizer train(Iterable<String> texts, int vocabSize) {
        Map<String, Long> wordCounts = new TreeMap<>();
        Map<String, Long> charCounts = new HashMap<>();
        for (String text : texts) {
            Objects.requireNonNull(text, "texts: a text is null");
            for (String word : words(text)) {
                wordCounts.merge(word, 1L, Long::sum);
            }
        }
        wordCounts.forEach((word, count) -> word.codePoints()
                .forEach(cp -> charCounts.merge(Character.toString(cp), count, Long::sum)));
        List<String> alphabet = Counts.byFrequency(charCounts, Integer.MAX_VALUE);
        if (vocabSize < Vocabulary.FIRST_REGULAR_ID + alphabet.size()) {
            throw new IllegalArgumentException("vocabSize: expected at least " + Vocabulary.FIRST_REGULAR_ID + " + "
                    + alphabet.size() + " (the specials and the corpus's distinct characters) but got " + vocabSize);
        }
        return new Trainer(alphabet, wordCounts).run(vocabSize);
    }

    /**
     * Restores a tokenizer from its {@link #vocabulary()} and {@link #merges()} lines, checking that they agree (the
     * tokens after the alphabet are the merge results in order, and each merge uses tokens made before it).
     */
    public static BpeTokenizer fromMerges(List<String> vocabularyLines, List<String> mergeLines) {
        Vocabulary vocabulary = Vocabulary.fromLines(vocabularyLines);
        LinkedHashSet<String> results = new LinkedHashSet<>();
        List<String[]> pairs = new ArrayList<>(mergeLines.size());
        for (int rank = 0; rank < mergeLines.size(); rank++) {
            String line = mergeLines.get(rank);
            String[] parts = line.split(" ", -1);
            if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
                throw new IllegalArgumentException("merges line " + (rank + 1) + ": expected 'left right' (two "
                        + "escaped tokens and one space) but got '" + line + "'");
            }
            String[] pair;
            try {
                pair = new String[] {Vocabulary.unescape(parts[0]), Vocabulary.unescape(parts[1])};
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("merges line " + (rank + 1) + ": " + e.getMessage(), e);
            }
            pairs.add(pair);
            results.add(pair[0] + pair[1]);
        }
        int alphabetSize = vocabulary.size() - Vocabulary.FIRST_REGULAR_ID - results.size();
        if (alphabetSize < 0) {
            throw new IllegalArgumentException("merges: " + results.size() + " distinct merge results but the "
                    + "vocabulary has only " + (vocabulary.size() - Vocabulary.FIRST_REGULAR_ID) + " regular tokens");
        }
        int firstMerged = Vocabulary.FIRST_REGULAR_ID + alphabetSize;
        for (int id = Vocabulary.FIRST_REGULAR_ID; id < firstMerged; id++) {
            String token = vocabulary.token(id);
            if (token.codePointCount(0, token.length()) != 1) {
                throw new IllegalArgumentException("vocabulary line " + (id + 1) + ": alphabet token '"
                        + Vocabulary.escape(token) + "' is not one code point (or a merge is missing)");
            }
        }
        int id = firstMerged;
        for (String result : results) {
            if (!vocabulary.token(id).equals(result)) {
                throw new IllegalArgumentException("vocabulary line " + (id + 1) + ": expected merge result '"
                        + Vocabulary.escape(result) + "' but got '" + Vocabulary.escape(vocabulary.token(id)) + "'");
            }
            id++;
        }
        List<int[]> merges = new ArrayList<>(pairs.size());
        Set<String> made = new HashSet<>();
        for (int i = Vocabulary.FIRST_REGULAR_ID; i < firstMerged; i++) {
            made.add(vocabulary.token(i));
        }
        for (int rank = 0; rank < pairs.size(); rank++) {
            String[] pair = pairs.get(rank);
            for (String side : pair) {
                if (!made.contains(side)) {
                    throw new IllegalArgumentException("merges line " + (rank + 1) + ": token '"
                            + Vocabulary.escape(side) + "' is not in the alphabet or made by an earlier merge");
                }
            }
            String result = pair[0] + pair[1];
            made.add(result);
            merges.add(new int[] {vocabulary.id(pair[0]), vocabulary.id(pair[1]), vocabulary.id(result)});
        }
        return new BpeTokenizer(vocabulary, alphabetSize, merges);
    }

    /** The words of {@code text} after pre-tokenization (see the class comment); none for the empty text. */
    static List<String> words(String text) {
        List<String> words = new ArrayList<>();
        if (text.isEmpty()) {
            return words;
        }
        String marked = WORD_BOUNDARY + text.replace(' ', WORD_BOUNDARY);
        int start = 0;
        for (int i = 1; i < marked.length(); i++) {
            if (marked.charAt(i) == WORD_BOUNDARY) {
                words.add(marked.substring(start, i));
                start = i;
            }
        }
        words.add(marked.substring(start));
        return words;
    }

    @Override
    public int vocabSize() {
        return vocabulary.size();
    }

    /** Number of single-code-point tokens. */
    public int alphabetSize() {
        return alphabetSize;
    }

    @Override
    public int[] encode(String text) {
        List<Integer> out = new ArrayList<>();
        for (String word : words(text)) {
            int[] symbols = word.codePoints().map(cp -> vocabulary.id(Character.toString(cp))).toArray();
            int length = symbols.length;
            while (length > 1) {
                int bestRank = Integer.MAX_VALUE;
                for (int i = 0; i + 1 < length; i++) {
                    Integer rank = rankOfPair.get(pairKey(symbols[i], symbols[i + 1]));
                    if (rank != null && rank < bestRank) {
                        bestRank = rank;
                    }
                }
                if (bestRank == Integer.MAX_VALUE) {
                    break;
                }
                int[] m = merges.get(bestRank);
                length = mergeAll(symbols, length, m[0], m[1], m[2]);
            }
            for (int i = 0; i < length; i++) {
                out.add(symbols[i]);
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public String decode(int[] ids) {
        String text = String.join("", vocabulary.contentTokens(ids)).replace(WORD_BOUNDARY, ' ');
        return text.startsWith(" ") ? text.substring(1) : text;
    }

    @Override
    public String token(int id) {
        return vocabulary.token(id);
    }

    @Override
    public List<String> vocabulary() {
        return vocabulary.lines();
    }

    /** The merges in rank order as lines {@code "left right"}, both tokens escaped as in {@link #vocabulary()}. */
    public List<String> merges() {
        List<String> lines = new ArrayList<>(merges.size());
        for (int[] m : merges) {
            lines.add(Vocabulary.escape(vocabulary.token(m[0])) + " " + Vocabulary.escape(vocabulary.token(m[1])));
        }
        return List.copyOf(lines);
    }

    private static long pairKey(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    /** Merges every non-overlapping {@code (left, right)} in {@code symbols[0, length)}, left to right, in place. */
    private static int mergeAll(int[] symbols, int length, int left, int right, int result) {
        int out = 0;
        for (int i = 0; i < length; i++) {
            if (i + 1 < length && symbols[i] == left && symbols[i + 1] == right) {
                symbols[out++] = result;
                i++;
            } else {
                symbols[out++] = symbols[i];
            }
        }
        return out;
    }

    /** The learning loop, with incremental pair counts and a priority set of candidate pairs. */
    private static final class Trainer {

        /** A pair's count at the time it was queued; the set is kept in step with {@code counts}. */
        private record Candidate(long count, String left, String right, long key) {
        }

        private static final Comparator<Candidate> BEST_FIRST = Comparator
                .comparingLong(Candidate::count).reversed()
                .thenComparing(Candidate::left)
                .thenComparing(Candidate::right)
                .thenComparingLong(Candidate::key);

        private final List<String> tokens = new ArrayList<>();         // id -> token (specials included)
        private final Map<String, Integer> ids = new HashMap<>();
        private final int alphabetSize;
        private final int[][] words;                                   // word -> symbol ids (live prefix)
        private final int[] lengths;                                   // word -> live length
        private final long[] frequencies;                              // word -> count in the corpus
        private final Map<Long, Long> counts = new HashMap<>();         // pair key -> weighted count
        private final Map<Long, Set<Integer>> wordsWithPair = new HashMap<>(); // may hold stale words
        private final Map<Long, Candidate> queued = new HashMap<>();
        private final TreeSet<Candidate> queue = new TreeSet<>(BEST_FIRST);
        private final List<int[]> merges = new ArrayList<>();

        Trainer(List<String> alphabet, Map<String, Long> wordCounts) {
            tokens.addAll(SPECIAL_TOKENS);
            for (String c : alphabet) {
                ids.put(c, tokens.size());
                tokens.add(c);
            }
            this.alphabetSize = alphabet.size();
            int n = wordCounts.size();
            this.words = new int[n][];
            this.lengths = new int[n];
            this.frequencies = new long[n];
            int w = 0;
            for (Map.Entry<String, Long> e : wordCounts.entrySet()) { // sorted: word indices are deterministic
                words[w] = e.getKey().codePoints().map(cp -> ids.get(Character.toString(cp))).toArray();
                lengths[w] = words[w].length;
                frequencies[w] = e.getValue();
                w++;
            }
            Set<Long> touched = new HashSet<>();
            for (int i = 0; i < n; i++) {
                addPairs(i, +1, touched);
            }
            requeue(touched);
        }

        BpeTokenizer run(int vocabSize) {
            while (tokens.size() < vocabSize && !queue.isEmpty()) {
                Candidate best = queue.first();
                int left = (int) (best.key() >>> 32);
                int right = (int) best.key();
                String merged = best.left() + best.right();
                Integer result = ids.get(merged);
                if (result == null) {
                    result = tokens.size();
                    ids.put(merged, result);
                    tokens.add(merged);
                }
                merges.add(new int[] {left, right, result});
                Set<Long> touched = new HashSet<>();
                for (int w : new TreeSet<>(wordsWithPair.remove(best.key()))) {
                    if (!contains(w, left, right)) {
                        continue; // stale: an earlier merge took this word's occurrences
                    }
                    addPairs(w, -1, touched);
                    lengths[w] = mergeAll(words[w], lengths[w], left, right, result);
                    addPairs(w, +1, touched);
                }
                requeue(touched);
            }
            Vocabulary vocabulary = new Vocabulary(tokens.subList(Vocabulary.FIRST_REGULAR_ID, tokens.size()));
            return new BpeTokenizer(vocabulary, alphabetSize, merges);
        }

        private boolean contains(int w, int left, int right) {
            int[] s = words[w];
            for (int i = 0; i + 1 < lengths[w]; i++) {
                if (s[i] == left && s[i + 1] == right) {
                    return true;
                }
            }
            return false;
        }

        /** Adds ({@code sign = +1}) or removes ({@code -1}) the adjacent pairs of word {@code w} from the counts. */
        private void addPairs(int w, int sign, Set<Long> touched) {
            int[] s = words[w];
            for (int i = 0; i + 1 < lengths[w]; i++) {
                long key = pairKey(s[i], s[i + 1]);
                counts.merge(key, sign * frequencies[w], Long::sum);
                touched.add(key);
                if (sign > 0) {
                    wordsWithPair.computeIfAbsent(key, k -> new HashSet<>()).add(w);
                }
            }
        }

        private void requeue(Set<Long> touched) {
            for (long key : touched) {
                Candidate old = queued.remove(key);
                if (old != null) {
                    queue.remove(old);
                }
                long count = counts.getOrDefault(key, 0L);
                if (count > 0) {
                    Candidate c = new Candidate(count, tokens.get((int) (key >>> 32)), tokens.get((int) key), key);
                    queued.put(key, c);
                    queue.add(c);
                } else {
                    counts.remove(key);
                    wordsWithPair.remove(key);
                }
            }
        }
    }
}
