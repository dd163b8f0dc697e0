package dev.attention4j.train.data;

import java.util.List;

/**
 * One token per Unicode code point. The vocabulary is the code points of a training corpus, most frequent first
 * (ties in {@link String#compareTo} order, which is code point order except that
 * supplementary characters sort before U+E000..U+FFFF); any other code point encodes as UNK. Decoding concatenates.
 */
public final class CharTokenizer implements Tokenizer {

    private final Vocabulary vocabulary;

    private CharTokenizer(Vocabulary vocabulary) {
        for (int id = Vocabulary.FIRST_REGULAR_ID; id < vocabulary.size(); id++) {
            String token = vocabulary.token(id);
            if (token.codePointCount(0, token.length()) != 1) {
                throw new IllegalArgumentException("vocabulary: token " + id + " '" + Vocabulary.escape(token)
                        + "' is not one code point");
            }
        }
        this.vocabulary = vocabulary;
    }

    /** Every code point of {@code texts}. */
    public static CharTokenizer train(Iterable<String> texts) {
        return train(texts, Integer.MAX_VALUE);
    }

    /** The most frequent code points of {@code texts}, at most {@code maxVocabSize} ids with the specials. */
    public static CharTokenizer train(Iterable<String> texts, int maxVocabSize) {
        return new CharTokenizer(new Vocabulary(Counts.mostFrequentPieces(texts,
                text -> text.codePoints().mapToObj(Character::toString), maxVocabSize)));
    }

    /** Restores a tokenizer from its {@link #vocabulary()} lines. */
    public static CharTokenizer fromVocabulary(List<String> lines) {
        return new CharTokenizer(Vocabulary.fromLines(lines));
    }

    @Override
    public int vocabSize() {
        return vocabulary.size();
    }

    @Override
    public int[] encode(String text) {
        return text.codePoints().map(cp -> vocabulary.id(Character.toString(cp))).toArray();
    }

    @Override
    public String decode(int[] ids) {
        return String.join("", vocabulary.contentTokens(ids));
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
