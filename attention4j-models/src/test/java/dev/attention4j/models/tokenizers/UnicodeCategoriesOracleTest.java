package dev.attention4j.models.tokenizers;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every code point, through HF itself, for each character class the pipeline tests: HF's BERT code uses Unicode
 * category tables far older than the JDK's, and {@link CharacterClasses} must answer as HF does (its override
 * table, {@code hf-unicode-categories.txt}, holds the difference). Each class is probed with a tiny synthetic
 * tokenizer.json whose output on "a" + c + "b" shows the class of c.
 *
 * <p>{@link #main} regenerates the override table (run it from the IDE or with exec:java on a JDK matching the
 * one the table is for).
 */
class UnicodeCategoriesOracleTest {

    /** A tokenizer.json with vocab {[UNK], a, b, ab}, the given normalizer and pre-tokenizer JSON. */
    static Path probeFile(String name, String normalizer, String preTokenizer) throws IOException {
        String json = "{\"version\":\"1.0\",\"truncation\":null,\"padding\":null,\"added_tokens\":[],"
                + "\"normalizer\":" + normalizer + ",\"pre_tokenizer\":" + preTokenizer + ",\"post_processor\":null,"
                + "\"decoder\":null,\"model\":{\"type\":\"WordPiece\",\"unk_token\":\"[UNK]\","
                + "\"continuing_subword_prefix\":\"##\",\"max_input_chars_per_word\":100,"
                + "\"vocab\":{\"[UNK]\":0,\"a\":1,\"b\":2,\"ab\":3}}}";
        Path dir = Path.of("target", "tokenizer-oracle");
        Files.createDirectories(dir);
        Path file = dir.resolve(name + ".json");
        Files.writeString(file, json, StandardCharsets.UTF_8);
        return file;
    }

    /** One class: how to probe it and how to read HF's answer from the tokens of "a" + c + "b". */
    enum Probe {
        /** Cc/Cf/Co: deleted by BERT's cleaning. */
        OTHER("{\"type\":\"BertNormalizer\",\"clean_text\":true,\"handle_chinese_chars\":false,"
                + "\"strip_accents\":false,\"lowercase\":false}", "{\"type\":\"WhitespaceSplit\"}") {
            @Override
            boolean inClass(int cp, List<String> tokens) {
                return tokens.equals(List.of("ab")) && cp != 0 && cp != 0xFFFD;
            }

            @Override
            boolean applies(int cp) {
                return !CharacterClasses.isWhitespace(cp);
            }
        },
        /** P*: cut out by BERT's pre-tokenizer. */
        PUNCTUATION("null", "{\"type\":\"BertPreTokenizer\"}") {
            @Override
            boolean inClass(int cp, List<String> tokens) {
                return tokens.size() == 3;
            }

            @Override
            boolean applies(int cp) {
                return cp >= 128 && !CharacterClasses.isWhitespace(cp);
            }
        },
        /** Mn: deleted by BERT's accent stripping (after NFD, so only code points NFD leaves alone). */
        NONSPACING_MARK("{\"type\":\"BertNormalizer\",\"clean_text\":false,\"handle_chinese_chars\":false,"
                + "\"strip_accents\":true,\"lowercase\":false}", "{\"type\":\"WhitespaceSplit\"}") {
            @Override
            boolean inClass(int cp, List<String> tokens) {
                return tokens.equals(List.of("ab"));
            }

            @Override
            boolean applies(int cp) {
                return !CharacterClasses.isWhitespace(cp) && nfdStable(cp);
            }
        },
        /** M*: deleted by the StripAccents normalizer. */
        MARK("{\"type\":\"StripAccents\"}", "{\"type\":\"WhitespaceSplit\"}") {
            @Override
            boolean inClass(int cp, List<String> tokens) {
                return tokens.equals(List.of("ab"));
            }

            @Override
            boolean applies(int cp) {
                return !CharacterClasses.isWhitespace(cp);
            }
        };

        final String normalizer;
        final String preTokenizer;

        Probe(String normalizer, String preTokenizer) {
            this.normalizer = normalizer;
            this.preTokenizer = preTokenizer;
        }

        /** HF's answer, from the tokens of "a" + cp + "b". */
        abstract boolean inClass(int cp, List<String> tokens);

        /** Whether the probe can tell this code point's class. */
        abstract boolean applies(int cp);

        static boolean nfdStable(int cp) {
            String s = Character.toString(cp);
            return java.text.Normalizer.normalize(s, java.text.Normalizer.Form.NFD).equals(s);
        }
    }

    static IntPredicate ours(Probe probe) {
        return switch (probe) {
            case OTHER -> CharacterClasses::isOther;
            case PUNCTUATION -> CharacterClasses::isPunctuation;
            case NONSPACING_MARK -> CharacterClasses::isNonSpacingMark;
            case MARK -> CharacterClasses::isMark;
        };
    }

    /** The code points where HF's class differs from {@code predicate}'s; chunks of probes, then one by one. */
    static List<Integer> differences(Probe probe, IntPredicate predicate) throws IOException {
        List<Integer> differ = new ArrayList<>();
        try (HuggingFaceTokenizer hf = HfOracle.djlRaw(probeFile("probe-" + probe, probe.normalizer,
                probe.preTokenizer))) {
            int chunk = 512;
            for (int base = 0; base <= Character.MAX_CODE_POINT; base += chunk) {
                List<Integer> cps = new ArrayList<>();
                StringBuilder text = new StringBuilder();
                List<String> expected = new ArrayList<>();
                for (int cp = base; cp < base + chunk && cp <= Character.MAX_CODE_POINT; cp++) {
                    if (Character.getType(cp) == Character.SURROGATE || !probe.applies(cp) || cp == 'a'
                            || cp == 'b') {
                        continue;
                    }
                    cps.add(cp);
                    text.append('a').appendCodePoint(cp).append("b ");
                    expected.addAll(expectedTokens(probe, predicate.test(cp)));
                }
                if (cps.isEmpty()) {
                    continue;
                }
                if (Arrays.asList(hf.encode(text.toString()).getTokens()).equals(expected)) {
                    continue;
                }
                for (int cp : cps) {
                    List<String> tokens = Arrays.asList(hf.encode("a" + Character.toString(cp) + "b").getTokens());
                    if (probe.inClass(cp, tokens) != predicate.test(cp)) {
                        differ.add(cp);
                    }
                }
            }
        }
        return differ;
    }

    private static List<String> expectedTokens(Probe probe, boolean inClass) {
        return switch (probe) {
            case OTHER, NONSPACING_MARK, MARK -> inClass ? List.of("ab") : List.of("[UNK]");
            case PUNCTUATION -> inClass ? List.of("a", "[UNK]", "b") : List.of("[UNK]");
        };
    }

    @Test
    void otherCategoriesAsHf() throws IOException {
        assertThat(differences(Probe.OTHER, CharacterClasses::isOther)).as("code points where BERT's control"
                + " class (Cc, Cf, Co) differs from HF's").isEmpty();
    }

    @Test
    void punctuationAsHf() throws IOException {
        assertThat(differences(Probe.PUNCTUATION, CharacterClasses::isPunctuation)).as("code points where"
                + " punctuation (P*) differs from HF's").isEmpty();
    }

    @Test
    void nonSpacingMarksAsHf() throws IOException {
        assertThat(differences(Probe.NONSPACING_MARK, CharacterClasses::isNonSpacingMark)).as("code points where"
                + " Mn differs from HF's").isEmpty();
    }

    @Test
    void marksAsHf() throws IOException {
        assertThat(differences(Probe.MARK, CharacterClasses::isMark)).as("code points where M* differs from"
                + " HF's").isEmpty();
    }

    /** Prints the override table: HF's class against the JDK's, for every code point where they differ. */
    public static void main(String[] args) throws IOException {
        StringBuilder out = new StringBuilder();
        for (Probe probe : Probe.values()) {
            IntPredicate jdk = CharacterClasses.jdkClass(probe.name());
            List<Integer> differ = differences(probe, jdk);
            StringBuilder plus = new StringBuilder(probe.name() + " +");
            StringBuilder minus = new StringBuilder(probe.name() + " -");
            for (int cp : differ) {
                (jdk.test(cp) ? minus : plus).append(String.format(" %04X", cp));
            }
            out.append(plus).append('\n').append(minus).append('\n');
        }
        System.out.print(out);
    }
}
