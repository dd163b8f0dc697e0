package dev.attention4j.models.tokenizers;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The components real BERT files do not use (added tokens with lstrip/rstrip/single_word/normalized, the NFD /
 * Lowercase / StripAccents / Sequence normalizers, the Whitespace pre-tokenizers, BertProcessing, left padding and
 * truncation, pad_to_multiple_of), each in a small hand-written tokenizer.json run through HF and through ours.
 */
class SyntheticTokenizerOracleTest {

    private static final String VOCAB = "{\"[UNK]\":0,\"[CLS]\":1,\"[SEP]\":2,\"[PAD]\":3,\"a\":4,\"b\":5,\"ab\":6,"
            + "\"cafe\":7,\"caf\":8,\"##e\":9,\"##é\":10,\"e\":11,\"!\":12,\"?\":13,\"hello\":14,\"world\":15,"
            + "\"##s\":16,\"x\":17,\"##x\":18,\"é\":19,\"hé\":20,\"h\":21,\"σ\":22,\"i\":23,\"##̇\":24,\"..\":25,"
            + "\".\":26,\"##.\":27}";

    private static final List<String> TEXTS = List.of("", "a b ab", "Café CAFÉ cafe\u0301 cafés", "hello, world!",
            "hello<sep>world <sep> x<sep>", "ax <mask>x x <mask> x <MASK> <mask>", "İ Σ σ", "a..b...c", "xxxx xx",
            "a\tb\u00A0c\u3000d", "HELLO World hé Hé", "e\u0301\u0323 o\u0308\u0304", "👍 a 👍🏽 b",
            "<sep><sep> <mask>", "world hello x a b ab cafe caf");

    private static final String ADDED = "[{\"id\":1,\"content\":\"[CLS]\",\"single_word\":false,\"lstrip\":false,"
            + "\"rstrip\":false,\"normalized\":false,\"special\":true},"
            + "{\"id\":2,\"content\":\"[SEP]\",\"single_word\":false,\"lstrip\":false,\"rstrip\":false,"
            + "\"normalized\":false,\"special\":true},"
            + "{\"id\":3,\"content\":\"[PAD]\",\"single_word\":false,\"lstrip\":false,\"rstrip\":false,"
            + "\"normalized\":false,\"special\":true},"
            + "{\"id\":30,\"content\":\"<sep>\",\"single_word\":false,\"lstrip\":true,\"rstrip\":true,"
            + "\"normalized\":false,\"special\":true},"
            + "{\"id\":31,\"content\":\"<mask>\",\"single_word\":true,\"lstrip\":false,\"rstrip\":false,"
            + "\"normalized\":true,\"special\":false},"
            + "{\"id\":32,\"content\":\"wörld\",\"single_word\":false,\"lstrip\":false,\"rstrip\":false,"
            + "\"normalized\":true,\"special\":false}]";

    static Path write(String name, String normalizer, String preTokenizer, String postProcessor, String added,
                      String model) throws IOException {
        String json = "{\"version\":\"1.0\",\"truncation\":null,\"padding\":null,\"added_tokens\":" + added
                + ",\"normalizer\":" + normalizer + ",\"pre_tokenizer\":" + preTokenizer + ",\"post_processor\":"
                + postProcessor + ",\"decoder\":null,\"model\":" + model + "}";
        Path dir = Path.of("target", "tokenizer-oracle");
        Files.createDirectories(dir);
        Path file = dir.resolve(name + ".json");
        Files.writeString(file, json, StandardCharsets.UTF_8);
        return file;
    }

    static String wordPiece(String prefix) {
        return "{\"type\":\"WordPiece\",\"unk_token\":\"[UNK]\",\"continuing_subword_prefix\":\"" + prefix
                + "\",\"max_input_chars_per_word\":8,\"vocab\":" + VOCAB + "}";
    }

    static final String BERT_PROCESSING = "{\"type\":\"BertProcessing\",\"sep\":[\"[SEP]\",2],\"cls\":[\"[CLS]\",1]}";

    private static void compare(String name, Path file) {
        PretrainedTokenizer ours = HfOracle.ours(file).withoutTruncation().withoutPadding();
        try (HuggingFaceTokenizer hf = HfOracle.djlRaw(file)) {
            for (String text : TEXTS) {
                HfOracle.assertSame(name, ours.encode(text), hf.encode(text), true, text);
                HfOracle.assertSame(name, ours.encode(text, "a <sep> b"), hf.encode(text, "a <sep> b"), true, text,
                        "a <sep> b");
            }
        }
    }

    @Test
    void nfdLowercaseStripAccentsWithWhitespacePreTokenizer() throws IOException {
        compare("sequence-whitespace", write("sequence-whitespace",
                "{\"type\":\"Sequence\",\"normalizers\":[{\"type\":\"NFD\"},{\"type\":\"Lowercase\"},"
                        + "{\"type\":\"StripAccents\"}]}",
                "{\"type\":\"Whitespace\"}", BERT_PROCESSING, ADDED, wordPiece("##")));
    }

    @Test
    void lowercaseOnlyWithWhitespaceSplit() throws IOException {
        compare("lowercase-split", write("lowercase-split", "{\"type\":\"Lowercase\"}",
                "{\"type\":\"WhitespaceSplit\"}", BERT_PROCESSING, ADDED, wordPiece("##")));
    }

    @Test
    void casedBertWithPreTokenizerSequenceAndNoPostProcessor() throws IOException {
        compare("cased-sequence", write("cased-sequence",
                "{\"type\":\"BertNormalizer\",\"clean_text\":true,\"handle_chinese_chars\":true,"
                        + "\"strip_accents\":null,\"lowercase\":false}",
                "{\"type\":\"Sequence\",\"pretokenizers\":[{\"type\":\"WhitespaceSplit\"},"
                        + "{\"type\":\"BertPreTokenizer\"}]}", "null", ADDED, wordPiece("##")));
    }

    @Test
    void noNormalizerNoPreTokenizerEmptyPrefix() throws IOException {
        compare("bare", write("bare", "null", "null", BERT_PROCESSING, ADDED, wordPiece("")));
    }

    @Test
    void stripAccentsWithoutLowercase() throws IOException {
        compare("strip-only", write("strip-only",
                "{\"type\":\"BertNormalizer\",\"clean_text\":false,\"handle_chinese_chars\":false,"
                        + "\"strip_accents\":true,\"lowercase\":false}",
                "{\"type\":\"BertPreTokenizer\"}", BERT_PROCESSING, ADDED, wordPiece("##")));
    }

    @Test
    void leftPaddingMultipleOfAndLeftTruncationMatchHf() throws IOException {
        Path file = write("pad-left", "{\"type\":\"Lowercase\"}", "{\"type\":\"BertPreTokenizer\"}",
                BERT_PROCESSING, ADDED, wordPiece("##"));
        // DJL's options cannot say Left, so the file says it: HF reads truncation and padding from the file
        String json = Files.readString(file).replace("\"truncation\":null,\"padding\":null",
                "\"truncation\":{\"direction\":\"Left\",\"max_length\":9,\"strategy\":\"LongestFirst\","
                        + "\"stride\":0},\"padding\":{\"strategy\":\"BatchLongest\",\"direction\":\"Left\","
                        + "\"pad_to_multiple_of\":4,\"pad_id\":3,\"pad_type_id\":1,\"pad_token\":\"[PAD]\"}");
        Files.writeString(file, json);
        PretrainedTokenizer ours = HfOracle.ours(file);
        assertThat(ours.truncation()).contains(new Truncation(9, Truncation.Strategy.LONGEST_FIRST, 0, Side.LEFT));
        assertThat(ours.padding()).contains(new Padding(new Padding.BatchLongest(), Side.LEFT, 4, 3, 1, "[PAD]"));
        try (HuggingFaceTokenizer hf = HuggingFaceTokenizer.newInstance(file, Map.of("padding", "true",
                "truncation", "true", "maxLength", "9"))) {
            List<String> batch = List.of("a b ab x x x x x hello world", "hello", "a");
            List<Encoding> mine = ours.encodeBatch(batch);
            ai.djl.huggingface.tokenizers.Encoding[] theirs = hf.batchEncode(batch);
            for (int i = 0; i < batch.size(); i++) {
                HfOracle.assertSame("left " + i, mine.get(i), theirs[i], false, batch.get(i));
            }
            assertThat(mine.get(1).length()).isEqualTo(12); // 9 rounded up to a multiple of 4
            HfOracle.assertSame("left pair", ours.encode("a b ab x x x", "hello world x x"),
                    hf.encode("a b ab x x x", "hello world x x"), false, "a b ab x x x", "hello world x x");
        }
    }

    @Test
    void randomTextThroughEverySyntheticPipeline() throws IOException {
        Path file = write("random-seq", "{\"type\":\"Sequence\",\"normalizers\":[{\"type\":\"NFD\"},"
                + "{\"type\":\"StripAccents\"},{\"type\":\"Lowercase\"}]}", "{\"type\":\"Whitespace\"}",
                BERT_PROCESSING, ADDED, wordPiece("##"));
        PretrainedTokenizer ours = HfOracle.ours(file).withoutTruncation().withoutPadding();
        SplittableRandom random = new SplittableRandom(11);
        try (HuggingFaceTokenizer hf = HfOracle.djlRaw(file)) {
            for (int i = 0; i < 1000; i++) {
                String text = PretrainedTokenizerOracleTest.randomText(random, random.nextInt(0, 30))
                        + (i % 3 == 0 ? " <mask> " : "") + (i % 5 == 0 ? "<sep>" : "");
                HfOracle.assertSame("random #" + i, ours.encode(text), hf.encode(text), true, text);
            }
        }
    }
}
