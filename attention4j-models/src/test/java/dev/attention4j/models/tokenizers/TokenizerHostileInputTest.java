package dev.attention4j.models.tokenizers;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Malformed and hostile files are checked exceptions naming file and problem; pathological text stays bounded. */
class TokenizerHostileInputTest {

    @TempDir
    Path dir;

    private Path file(String json) throws IOException {
        Path f = dir.resolve("tokenizer.json");
        Files.writeString(f, json, StandardCharsets.UTF_8);
        return f;
    }

    private static String bert(String model) {
        return "{\"version\":\"1.0\",\"added_tokens\":[],\"normalizer\":{\"type\":\"BertNormalizer\"},"
                + "\"pre_tokenizer\":{\"type\":\"BertPreTokenizer\"},\"post_processor\":null,\"model\":" + model + "}";
    }

    private static final String MODEL = "{\"type\":\"WordPiece\",\"unk_token\":\"[UNK]\",\"vocab\":{\"[UNK]\":0,"
            + "\"a\":1}}";

    private void assertRejected(String json, String... messageParts) throws IOException {
        Path f = file(json);
        assertThatThrownBy(() -> PretrainedTokenizer.fromFile(f))
                .isInstanceOf(TokenizerFormatException.class)
                .hasMessageContaining(f.toString())
                .hasMessageContainingAll(messageParts)
                .satisfies(e -> assertThat(((TokenizerFormatException) e).file()).isEqualTo(f));
    }

    @Test
    void malformedJsonNamesTheByteOffset() throws IOException {
        Path f = file("{\"model\": {\"type\": \"WordPiece\", \"vocab\": {\"a\": 1,, }}}");
        assertThatThrownBy(() -> PretrainedTokenizer.fromFile(f))
                .isInstanceOf(TokenizerFormatException.class)
                .hasMessageContaining("not valid JSON")
                .satisfies(e -> assertThat(((TokenizerFormatException) e).offset()).isBetween(30L, 50L));
        assertRejected("", "the file is empty");
        assertRejected("[1, 2]", "top level must be a JSON object but is an array");
        assertRejected("{\"model\": {\"type\": \"WordPiece\", \"vocab\": {\"a\": 1, \"a\": 2}}}", "Duplicate");
    }

    @Test
    void missingOrMistypedPartsAreNamed() throws IOException {
        assertRejected("{\"normalizer\": null}", "'model' is missing");
        assertRejected(bert("{\"type\":\"WordPiece\",\"unk_token\":\"[UNK]\"}"), "model.vocab is missing");
        assertRejected(bert("{\"type\":\"WordPiece\",\"vocab\":[1,2]}"), "model.vocab must be an object",
                "an array");
        assertRejected(bert("{\"type\":\"WordPiece\",\"unk_token\":\"[UNK]\",\"vocab\":{\"a\":1}}"),
                "model.unk_token '[UNK]' is not in model.vocab (1 tokens)");
        assertRejected(bert("{\"type\":\"WordPiece\",\"vocab\":{\"[UNK]\":-3}}"), "model.vocab['[UNK]']",
                "the number -3");
        assertRejected(bert("{\"type\":\"WordPiece\",\"vocab\":{\"[UNK]\":\"zero\"}}"), "model.vocab['[UNK]']");
        assertRejected(bert("{\"vocab\":{}}"), "model.type is missing");
        assertRejected(bert(MODEL).replace("\"added_tokens\":[]", "\"added_tokens\":[{\"id\":5}]"),
                "added_tokens[0].content is missing");
        assertRejected(bert(MODEL).replace("\"post_processor\":null", "\"post_processor\":{\"type\":"
                + "\"TemplateProcessing\",\"single\":[{\"SpecialToken\":{\"id\":\"[CLS]\",\"type_id\":0}}],"
                + "\"pair\":[],\"special_tokens\":{}}"), "post_processor is inconsistent");
        assertRejected(bert(MODEL).replace("\"version\":\"1.0\"", "\"truncation\":{\"max_length\":10,"
                + "\"strategy\":\"Sideways\"}"), "truncation.strategy 'Sideways'");
    }

    @Test
    void unknownComponentTypesAreRefusedByName() throws IOException {
        assertRejected(bert("{\"type\":\"BPE\",\"vocab\":{},\"merges\":[]}"), "model.type 'BPE' is not supported",
                "WordPiece");
        assertRejected(bert(MODEL).replace("{\"type\":\"BertNormalizer\"}", "{\"type\":\"Precompiled\"}"),
                "normalizer.type 'Precompiled' is not supported");
        assertRejected(bert(MODEL).replace("{\"type\":\"BertNormalizer\"}", "{\"type\":\"Sequence\","
                + "\"normalizers\":[{\"type\":\"NFD\"},{\"type\":\"NFKC\"}]}"),
                "normalizer.normalizers[1].type 'NFKC' is not supported");
        assertRejected(bert(MODEL).replace("{\"type\":\"BertPreTokenizer\"}", "{\"type\":\"ByteLevel\"}"),
                "pre_tokenizer.type 'ByteLevel' is not supported");
        assertRejected(bert(MODEL).replace("\"post_processor\":null", "\"post_processor\":{\"type\":"
                + "\"RobertaProcessing\"}"), "post_processor.type 'RobertaProcessing' is not supported");
    }

    @Test
    void hugeFilesAreRefusedBeforeReading() throws IOException {
        Path f = dir.resolve("huge.json");
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(TokenizerJson.MAX_FILE_BYTES + 1); // sparse: costs no disk
        }
        assertThatThrownBy(() -> PretrainedTokenizer.fromFile(f)).isInstanceOf(TokenizerFormatException.class)
                .hasMessageContaining("more than the " + TokenizerJson.MAX_FILE_BYTES);
        assertThatThrownBy(() -> PretrainedTokenizer.fromFile(dir.resolve("absent.json")))
                .isInstanceOf(TokenizerFormatException.class).hasMessageContaining("does not exist");
    }

    @Test
    @Timeout(20)
    void pathologicalTextStaysBounded() {
        PretrainedTokenizer tokenizer = HfOracle.ours(HfOracle.file(HfOracle.MINILM)).withoutTruncation()
                .withoutPadding();
        int megabyte = 1 << 20;
        // one word of a million letters: WordPiece gives up at max_input_chars_per_word (100) at once
        Encoding word = tokenizer.encode("a".repeat(megabyte));
        assertThat(word.tokens()).containsExactly("[CLS]", "[UNK]", "[SEP]");
        assertThat(word.offsetEnds()[1]).isEqualTo(megabyte);
        // a million emoji (two chars each) without a space: one word, one [UNK]
        assertThat(tokenizer.encode("😀".repeat(megabyte / 2)).length()).isEqualTo(3);
        // words of 100 letters that match no piece past the first: each costs at most 100 x longest entry steps
        String hard = ("q" + "x".repeat(99) + " ").repeat(megabyte / 100);
        assertThat(tokenizer.encode(hard).length()).isGreaterThan(megabyte / 100);
        // a million punctuation marks, a million ideographs, a million combining marks (NFD reorders runs)
        assertThat(tokenizer.encode("!".repeat(megabyte)).length()).isEqualTo(megabyte + 2);
        assertThat(tokenizer.encode("中".repeat(megabyte)).length()).isEqualTo(megabyte + 2);
        assertThat(tokenizer.encode("a" + "\u0301\u0323\u0360\u302F".repeat(megabyte / 4)).tokens())
                .containsExactly("[CLS]", "[UNK]", "[SEP]");
        // and the same truncated to BERT's 512
        assertThat(tokenizer.withTruncation(Truncation.bert()).encode("!".repeat(megabyte)).length())
                .isEqualTo(512);
    }

    @Test
    void oneTokenizerServesManyThreadsAlike() throws Exception {
        PretrainedTokenizer tokenizer = HfOracle.ours(HfOracle.file(HfOracle.BGE_ZH));
        List<String> texts = new ArrayList<>();
        java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        for (int i = 0; i < 400; i++) {
            texts.add(PretrainedTokenizerOracleTest.randomText(random, 30));
        }
        List<Encoding> expected = tokenizer.encodeBatch(texts);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<Encoding>>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                futures.add(pool.submit(() -> tokenizer.encodeBatch(texts)));
            }
            for (Future<List<Encoding>> f : futures) {
                assertThat(f.get()).isEqualTo(expected);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
