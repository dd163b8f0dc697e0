package dev.attention4j.models.tokenizers;

/** Runs the normalizer and pre-tokenizer records: one exhaustive switch per family. */
final class Pipeline {

    private Pipeline() {}

    static void normalize(Normalizer normalizer, NormalizedText text) {
        switch (normalizer) {
            case Normalizer.BertNormalizer bert -> {
                if (bert.cleanText()) {
                    text.filter(cp -> cp != 0 && cp != 0xFFFD && !CharacterClasses.isBertControl(cp));
                    text.whitespaceToSpace();
                }
                if (bert.handleChineseChars()) {
                    text.padChineseCharacters();
                }
                if (bert.stripAccents()) {
                    text.nfd();
                    text.filter(cp -> !CharacterClasses.isNonSpacingMark(cp));
                }
                if (bert.lowercase()) {
                    text.lowercase();
                }
            }
            case Normalizer.Nfd nfd -> text.nfd();
            case Normalizer.Lowercase lowercase -> text.lowercase();
            case Normalizer.StripAccents strip -> text.filter(cp -> !CharacterClasses.isMark(cp));
            case Normalizer.Sequence sequence -> {
                for (Normalizer n : sequence.normalizers()) {
                    normalize(n, text);
                }
            }
        }
    }

    /** Cuts {@code text[from, to)} into words, appending each word's {@code [start, end)} to {@code words}. */
    static void preTokenize(PreTokenizer preTokenizer, NormalizedText text, int from, int to, IntPairs words) {
        switch (preTokenizer) {
            case PreTokenizer.BertPreTokenizer bert -> splitBert(text, from, to, words);
            case PreTokenizer.WhitespaceSplit split -> splitWhitespace(text, from, to, words);
            case PreTokenizer.Whitespace whitespace -> splitWordsAndSymbols(text, from, to, words);
            case PreTokenizer.Sequence sequence -> {
                IntPairs current = new IntPairs();
                current.add(from, to);
                for (PreTokenizer p : sequence.preTokenizers()) {
                    IntPairs next = new IntPairs();
                    for (int w = 0; w < current.size(); w++) {
                        preTokenize(p, text, current.first(w), current.second(w), next);
                    }
                    current = next;
                }
                words.addAll(current);
            }
        }
    }

    private static void splitBert(NormalizedText text, int from, int to, IntPairs words) {
        int wordStart = from;
        for (int i = from; i < to; i++) {
            int cp = text.codePointAt(i);
            if (CharacterClasses.isWhitespace(cp)) {
                words.addNonEmpty(wordStart, i);
                wordStart = i + 1;
            } else if (CharacterClasses.isBertPunctuation(cp)) {
                words.addNonEmpty(wordStart, i);
                words.add(i, i + 1);
                wordStart = i + 1;
            }
        }
        words.addNonEmpty(wordStart, to);
    }

    private static void splitWhitespace(NormalizedText text, int from, int to, IntPairs words) {
        int wordStart = from;
        for (int i = from; i < to; i++) {
            if (CharacterClasses.isWhitespace(text.codePointAt(i))) {
                words.addNonEmpty(wordStart, i);
                wordStart = i + 1;
            }
        }
        words.addNonEmpty(wordStart, to);
    }

    /** {@code \w+|[^\w\s]+}: maximal runs of word characters, and of characters that are neither word nor space. */
    private static void splitWordsAndSymbols(NormalizedText text, int from, int to, IntPairs words) {
        int i = from;
        while (i < to) {
            int kind = kind(text.codePointAt(i));
            if (kind == SPACE) {
                i++;
                continue;
            }
            int start = i;
            while (i < to && kind(text.codePointAt(i)) == kind) {
                i++;
            }
            words.add(start, i);
        }
    }

    private static final int WORD = 0;
    private static final int SPACE = 1;
    private static final int SYMBOL = 2;

    private static int kind(int cp) {
        if (AddedVocabulary.isWordCharacter(cp)) {
            return WORD;
        }
        return CharacterClasses.isWhitespace(cp) ? SPACE : SYMBOL;
    }

    /** Runs the model on one word. */
    static void tokenizeWord(TokenizerModel model, NormalizedText text, int from, int to, EncodingBuilder out) {
        switch (model) {
            case WordPiece wordPiece -> wordPiece.tokenize(text, from, to, out);
        }
    }
}
