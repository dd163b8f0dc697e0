package dev.attention4j.train.data;

import java.util.ArrayList;
import java.util.List;

/**
 * One token per whitespace-separated word ({@link Character#isWhitespace}). The vocabulary is the words of a
 * training corpus, most frequent first (ties in {@link String#compareTo} order); any other word encodes as UNK.
 * Decoding joins the words with single spaces, so runs of whitespace do not round-trip.
 */
public final class WordTokenizer implements Tokenizer {

    private final Vocabulary vocabulary;

    private WordTokenizer(Vocabulary vocabulary) {
        for (int id = Vocabulary.FIRST_REGULAR_ID; id < vocabulary.size(); id++) {
            if (vocabulary.token(id).codePoints().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("vocabulary: token " + id + " '"
                        + Vocabulary.escape(vocabulary.token(id)) + "' contains whitespace");
            }
        }
        this.vocabulary = vocabulary;
    }

    /** Every word of {@code texts}. */
    public static WordTokenizer train(Iterable<String> texts) {
        return train(texts, Integer.MAX_VALUE);
    }

    /** The most frequent words of {@code texts}, at most {@code maxVocabSize} ids with the specials. */
    public static WordTokenizer train(Iterable<String> texts, int maxVocabSize) {
        return new WordTokenizer(new Vocabulary(Counts.mostFrequentPieces(texts, text -> words(text).stream(),
                maxVocabSize)));
    }

    /** Restores a tokenizer from its {@link #vocabulary()} lines. */
    public static WordTokenizer fromVocabulary(List<String> lines) {
        return new WordTokenizer(Vocabulary.fromLines(lines));
    }

    /** The whitespace-separated words of {@code text}, in order. */
    static List<String> words(String text) {
        List<String> words = new ArrayList<>();
        int start = -1;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            if (Character.isWhitespace(cp)) {
                if (start >= 0) {
                    words.add(text.substring(start, i));
                    start = -1;
                }
            } else if (start < 0) {
                start = i;
            }
            i += Character.charCount(cp);
        }
        if (start >= 0) {
            words.add(text.substring(start));
        }
        return words;
    }

    @Override
    public int vocabSize() {
        return vocabulary.size();
    }

    @Override
    public int[] encode(String text) {
        return words(text).stream().mapToInt(vocabulary::id).toArray();
    }

    @Override
    public String decode(int[] ids) {
        return String.join(" ", vocabulary.contentTokens(ids));
    }

    @Override
    public String token(int id) {
        return vocabulary.token(id);
    }

    @Override
    public List<String> vocabulary() {
        return vocabulary.lines();
    }
}
