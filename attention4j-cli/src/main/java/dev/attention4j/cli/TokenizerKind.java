package dev.attention4j.cli;

/** How text becomes tokens: one per code point, one per whitespace-separated word, or learned sub-words. */
enum TokenizerKind {
    /** {@link dev.attention4j.train.data.CharTokenizer}. */
    CHAR,
    /** {@link dev.attention4j.train.data.WordTokenizer}. */
    WORD,
    /** {@link dev.attention4j.train.data.BpeTokenizer}. */
    BPE;

    @Override
    public String toString() {
        return EnumNames.of(this);
    }

    /** {@code --tokenizer char|word|bpe}. */
    static final class Names extends EnumNames<TokenizerKind> {
        Names() {
            super(TokenizerKind.class);
        }
    }
}
