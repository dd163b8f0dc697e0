package dev.attention4j.train.data;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CharAndWordTokenizerTest {

    @Test
    void charVocabularyIsMostFrequentFirstThenByCodePoint() {
        CharTokenizer t = CharTokenizer.train(List.of("abba", "cab"));
        // a: 3, b: 3, c: 1 -> a (4), b (5), c (6)
        assertThat(t.vocabulary()).containsExactly("<pad>", "<s>", "</s>", "<unk>", "a", "b", "c");
        assertThat(t.encode("cab?")).containsExactly(6, 4, 5, Tokenizer.UNK_ID);
        assertThat(CharTokenizer.train(List.of("abba", "cab"), 6).vocabulary()).endsWith("a", "b");
    }

    @Test
    void charTokensAreCodePoints() {
        CharTokenizer t = CharTokenizer.train(List.of("😀x"));
        assertThat(t.vocabSize()).isEqualTo(6);
        assertThat(t.encode("😀😀")).hasSize(2);
        assertThat(t.decode(t.encode("x😀"))).isEqualTo("x😀");
    }

    @Test
    void awkwardCharactersEscapeToSafeLines() {
        String text = "a b\tc\nd\re\\f\u0001g\u2028" + "\uD800"; // ends with a lone surrogate
        CharTokenizer t = CharTokenizer.train(List.of(text));
        List<String> lines = t.vocabulary();
        assertThat(lines).contains("\\s", "\\t", "\\n", "\\r", "\\\\", "\\u0001", "\\u2028", "\\uD800")
                .allMatch(l -> l.equals(l.strip()) && !l.contains("\n") && !l.contains("\r"));
        CharTokenizer restored = CharTokenizer.fromVocabulary(lines);
        assertThat(restored.decode(restored.encode(text))).isEqualTo(text);
        assertThat(restored.encode(text)).isEqualTo(t.encode(text));
    }

    @Test
    void badVocabulariesAreRejected() {
        assertThatThrownBy(() -> CharTokenizer.fromVocabulary(List.of("<pad>", "<s>", "</s>")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("specials");
        assertThatThrownBy(() -> CharTokenizer.fromVocabulary(List.of("<pad>", "<s>", "</s>", "<unk>", "ab")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("token 4").hasMessageContaining(
                        "one code point");
        assertThatThrownBy(() -> CharTokenizer.fromVocabulary(List.of("<pad>", "<s>", "</s>", "<unk>", "a", "a")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("repeats token 4");
        assertThatThrownBy(() -> CharTokenizer.fromVocabulary(List.of("<pad>", "<s>", "</s>", "<unk>", "\\q")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("line 5")
                .hasMessageContaining("unknown escape");
        assertThatThrownBy(() -> CharTokenizer.fromVocabulary(List.of("<pad>", "<s>", "</s>", "<unk>", "\\u12")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("four hex digits");
        assertThatThrownBy(() -> WordTokenizer.fromVocabulary(List.of("<pad>", "<s>", "</s>", "<unk>", "a\\sb")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("whitespace");
    }

    @Test
    void wordsSplitOnAnyWhitespaceAndJoinWithOneSpace() {
        WordTokenizer t = WordTokenizer.train(List.of("b a b", "c\tb  a"));
        // b: 3, a: 2, c: 1
        assertThat(t.vocabulary()).containsExactly("<pad>", "<s>", "</s>", "<unk>", "b", "a", "c");
        assertThat(t.encode("  a\nc  d ")).containsExactly(5, 6, Tokenizer.UNK_ID);
        assertThat(t.decode(t.encode("a \t b"))).isEqualTo("a b");
        assertThat(WordTokenizer.train(List.of("b a b", "c\tb  a"), 5).vocabulary()).endsWith("<unk>", "b");
    }

    @Test
    void specialTextsInTheCorpusAreOrdinaryWords() {
        WordTokenizer t = WordTokenizer.train(List.of("<unk> <pad> x"));
        assertThat(t.vocabSize()).isEqualTo(7);
        assertThat(t.encode("<unk>")).containsExactly(5); // the word, not the special: "<pad>" < "<unk>" < "x"
        assertThat(WordTokenizer.fromVocabulary(t.vocabulary()).encode("<pad> x")).containsExactly(4, 6);
    }
}
