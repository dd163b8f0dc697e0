package dev.attention4j.train.data;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every {@link Tokenizer} through one suite. */
class TokenizerContractTest {

    /** Words separated by single spaces, so that even the word tokenizer round-trips them. */
    static final List<String> CORPUS = List.of(
            "the cat sat on the mat",
            "naïve café, 北京 欢迎 你",
            "emoji 😀 and a back\\slash",
            "the dog sat on the log");

    /** A tokenizer, and how to save it as lines and restore it from them. */
    record Case(String name, Tokenizer tokenizer, Function<Tokenizer, List<List<String>>> save,
            Function<List<List<String>>, Tokenizer> restore) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> tokenizers() {
        return Stream.of(
                new Case("char", CharTokenizer.train(CORPUS), t -> List.of(t.vocabulary()),
                        lines -> CharTokenizer.fromVocabulary(lines.get(0))),
                new Case("word", WordTokenizer.train(CORPUS), t -> List.of(t.vocabulary()),
                        lines -> WordTokenizer.fromVocabulary(lines.get(0))),
                new Case("bpe", BpeTokenizer.train(CORPUS, 60),
                        t -> List.of(t.vocabulary(), ((BpeTokenizer) t).merges()),
                        lines -> BpeTokenizer.fromMerges(lines.get(0), lines.get(1))));
    }

    @ParameterizedTest
    @MethodSource("tokenizers")
    void specialsHaveFixedIds(Case c) {
        Tokenizer t = c.tokenizer();
        assertThat(new int[] {t.pad(), t.bos(), t.eos(), t.unk()}).containsExactly(0, 1, 2, 3);
        assertThat(IntStream.range(0, 4).mapToObj(t::token).toList()).containsExactly("<pad>", "<s>", "</s>", "<unk>");
        assertThat(t.vocabulary()).hasSize(t.vocabSize()).startsWith("<pad>", "<s>", "</s>", "<unk>");
    }

    @ParameterizedTest
    @MethodSource("tokenizers")
    void trainingTextRoundTripsWithoutSpecials(Case c) {
        for (String text : CORPUS) {
            int[] ids = c.tokenizer().encode(text);
            assertThat(ids).as(text).isNotEmpty();
            assertThat(Arrays.stream(ids).boxed().toList()).as(text)
                    .allMatch(id -> id >= 4 && id < c.tokenizer().vocabSize());
            assertThat(c.tokenizer().decode(ids)).isEqualTo(text);
        }
    }

    @ParameterizedTest
    @MethodSource("tokenizers")
    void unknownTextIsUnk(Case c) {
        int[] ids = c.tokenizer().encode("the Zebra");
        assertThat(ids).contains(Tokenizer.UNK_ID);
        assertThat(c.tokenizer().decode(ids)).contains("<unk>");
        assertThat(c.tokenizer().encode("")).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("tokenizers")
    void decodeStopsAtEosAndSkipsPadAndBos(Case c) {
        Tokenizer t = c.tokenizer();
        int[] cat = t.encode("the cat");
        int[] dog = t.encode("the dog");
        int[] ids = concat(new int[] {Tokenizer.BOS_ID}, cat, new int[] {Tokenizer.PAD_ID, Tokenizer.EOS_ID}, dog,
                new int[] {Tokenizer.PAD_ID, Tokenizer.PAD_ID});
        assertThat(t.decode(ids)).isEqualTo("the cat");
        assertThat(t.decode(new int[] {Tokenizer.EOS_ID})).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("tokenizers")
    void badIdsAreNamed(Case c) {
        Tokenizer t = c.tokenizer();
        int n = t.vocabSize();
        assertThatThrownBy(() -> t.decode(new int[] {4, n})).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ids[1]").hasMessageContaining(String.valueOf(n));
        assertThatThrownBy(() -> t.token(-1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
    }

    /** Saved as text lines in a UTF-8 file and read back: same vocabulary, same ids. */
    @ParameterizedTest
    @MethodSource("tokenizers")
    void savedLinesRestoreTheSameTokenizer(Case c, @TempDir Path dir) throws IOException {
        List<List<String>> saved = c.save().apply(c.tokenizer());
        List<List<String>> read = new java.util.ArrayList<>();
        for (int i = 0; i < saved.size(); i++) {
            Path file = dir.resolve("part" + i + ".txt");
            Files.write(file, saved.get(i), StandardCharsets.UTF_8);
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            assertThat(lines).hasSameSizeAs(saved.get(i)).allMatch(l -> !l.isEmpty() && l.equals(l.strip()));
            read.add(lines);
        }
        Tokenizer restored = c.restore().apply(read);
        assertThat(restored.vocabulary()).isEqualTo(c.tokenizer().vocabulary());
        for (String text : Stream.concat(CORPUS.stream(), Stream.of("the Zebra", "cat on café")).toList()) {
            assertThat(restored.encode(text)).as(text).isEqualTo(c.tokenizer().encode(text));
        }
    }

    @ParameterizedTest
    @MethodSource("tokenizers")
    void trainingIsDeterministic(Case c) {
        Tokenizer again = tokenizers().filter(x -> x.name().equals(c.name())).findFirst().orElseThrow().tokenizer();
        assertThat(again.vocabulary()).isEqualTo(c.tokenizer().vocabulary());
    }

    static int[] concat(int[]... parts) {
        return Arrays.stream(parts).flatMapToInt(Arrays::stream).toArray();
    }
}
