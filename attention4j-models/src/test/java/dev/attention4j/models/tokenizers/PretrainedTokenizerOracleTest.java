package dev.attention4j.models.tokenizers;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.util.PairList;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Token ids identical to HF tokenizers (Rust, through DJL) on the real tokenizer.json files of all-MiniLM-L6-v2
 * (uncased English BERT vocabulary) and bge-small-zh-v1.5 (cased Chinese BERT vocabulary): fixed texts, pairs,
 * truncation, padding, batches, and seeded random text from mixed Unicode ranges.
 */
class PretrainedTokenizerOracleTest {

    static final List<String> TEXTS = List.of(
            "",
            " ",
            "Hello, world!",
            "The quick brown fox jumps over the lazy dog.",
            "unaffable unbelievably tokenization antidisestablishmentarianism",
            "我爱自然语言处理。今天天气很好！",
            "BERT模型在2018年发布，它使用WordPiece分词。",
            "日本語のテキスト、カタカナとひらがな。한국어 텍스트입니다.",
            "Mixed: English, 中文, Русский, العربية, עברית, ελληνικά, हिन्दी, ไทย",
            "café naïve Ångström résumé façade coöperate Øresund São Paulo",
            "e\u0301 a\u0300\u0323 o\u0308\u0304 precomposed é vs decomposed e\u0301",
            "İstanbul ΣΟΦΙΑ ΌΣΟΣ straße ﬁnance Ⅻ ｆｕｌｌｗｉｄｔｈ",
            "emoji 👍 👍🏽 👨‍👩‍👧‍👦 🏳️‍🌈 ❤️ 🇫🇷 😀😃😄",
            "tabs\tand\nnewlines\r\nand\u000Bvertical\u000Cfeeds",
            "no\u00A0break\u2007figure\u202Fnarrow\u3000ideographic\u2028line\u2029para",
            "zero\u200Bwidth\u200Cnon\u200Djoiner\uFEFFbom\u2060word",
            "controls\u0000nul\u0001soh\u007Fdel\u0085nel\u00ADsoft\uFFFDreplacement",
            "private \uE000\uF8FF use and unassigned \uFFFF \u0378",
            "punctuation!!! ??? ... --- ;;; ::: \"quoted\" 'single' (paren) [bracket] {brace}",
            "symbols $100 + 5 = <tag> ^caret^ `tick` |pipe| ~tilde~ @at #hash %pct &amp *star _under_",
            "unicode punct ¡Hola! ¿Qué? «guillemets» „Anführung“ 「括弧」 『二重』 【隅付き】 —em– …",
            "numbers 3.14159 1,000,000 2^10 10e-5 ⅔ ² ³ ١٢٣ ٤٥٦ 一二三",
            "[CLS] [SEP] [MASK] [PAD] [UNK] are special; [cls] and [ SEP ] are not; a[SEP]b",
            "URLs https://example.com/path?q=1&x=y#frag and emails someone@example.org",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                    + " and one char longer: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                    + "aaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝐛𝐨𝐥𝐝 math 𠀀𠀁 CJK ext B 𪜀 ext C",
            "Hangul jamo 한 vs ㅎㅏㄴ and compatibility ﾊﾝｶｸ");

    static final List<String> PAIR_SECONDS = List.of("", "What is it?", "这是什么？", "A [SEP] inside.");

    static Path minilmFile;
    static Path bgeZhFile;
    static HuggingFaceTokenizer minilmHf;
    static HuggingFaceTokenizer bgeZhHf;
    static PretrainedTokenizer minilm;
    static PretrainedTokenizer bgeZh;

    @BeforeAll
    static void load() {
        minilmFile = HfOracle.file(HfOracle.MINILM);
        bgeZhFile = HfOracle.file(HfOracle.BGE_ZH);
        minilmHf = HfOracle.djlRaw(minilmFile);
        bgeZhHf = HfOracle.djlRaw(bgeZhFile);
        minilm = HfOracle.ours(minilmFile).withoutTruncation().withoutPadding();
        bgeZh = HfOracle.ours(bgeZhFile).withoutTruncation().withoutPadding();
    }

    @AfterAll
    static void close() {
        minilmHf.close();
        bgeZhHf.close();
    }

    static Stream<Arguments> tokenizers() {
        return Stream.of(Arguments.of("all-MiniLM-L6-v2", minilm, minilmHf),
                Arguments.of("bge-small-zh-v1.5", bgeZh, bgeZhHf));
    }

    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("tokenizers")
    void singleTextsMatchHf(String name, PretrainedTokenizer ours, HuggingFaceTokenizer hf) {
        for (String text : TEXTS) {
            HfOracle.assertSame(name, ours.encode(text), hf.encode(text), true, text);
            HfOracle.assertSame(name + " without specials", ours.encodeWithoutSpecialTokens(text),
                    hf.encode(text, false, false), true, text);
        }
    }

    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("tokenizers")
    void pairsMatchHf(String name, PretrainedTokenizer ours, HuggingFaceTokenizer hf) {
        for (String first : TEXTS) {
            for (String second : PAIR_SECONDS) {
                HfOracle.assertSame(name, ours.encode(first, second), hf.encode(first, second), true, first,
                        second);
            }
        }
    }

    @Test
    void aPairIsClsASepBSepWithTypeIdsZeroThenOne() {
        Encoding pair = minilm.encode("A question?", "Its context.");
        assertThat(pair.tokens()).containsExactly("[CLS]", "a", "question", "?", "[SEP]", "its", "context", ".",
                "[SEP]");
        assertThat(pair.typeIds()).containsExactly(0, 0, 0, 0, 0, 1, 1, 1, 1);
        assertThat(pair.sequenceIds()).containsExactly(-1, 0, 0, 0, -1, 1, 1, 1, -1);
        assertThat(pair.attentionMask()).containsOnly(1);
        assertThat("Its context.".substring(pair.offsetStarts()[6], pair.offsetEnds()[6])).isEqualTo("context");
    }

    @Test
    void longInputTruncatedAt512AsHf() {
        String longText = String.join(" ", java.util.Collections.nCopies(400, "tokenization of 中文 text"));
        try (HuggingFaceTokenizer hf = HfOracle.djl(minilmFile, Map.of("truncation", "true", "maxLength", "512",
                "padding", "false"))) {
            PretrainedTokenizer ours = minilm.withTruncation(Truncation.bert());
            Encoding e = ours.encode(longText);
            assertThat(e.length()).isEqualTo(512);
            assertThat(e.tokens().get(511)).isEqualTo("[SEP]");
            HfOracle.assertSame("512", e, hf.encode(longText), true, longText);
            HfOracle.assertSame("512 pair", ours.encode(longText, "short second"),
                    hf.encode(longText, "short second"), true, longText, "short second");
            HfOracle.assertSame("512 pair", ours.encode(longText, longText), hf.encode(longText, longText), true,
                    longText, longText);
        }
    }

    @Test
    void longestFirstPairTruncationMatchesHfForManyLengths() {
        SplittableRandom random = new SplittableRandom(5);
        for (int maxLength : new int[] {3, 4, 5, 8, 13, 32}) {
            try (HuggingFaceTokenizer hf = HfOracle.djl(bgeZhFile, Map.of("truncation", "true", "maxLength",
                    String.valueOf(maxLength), "padding", "false"))) {
                PretrainedTokenizer ours = bgeZh.withTruncation(Truncation.longestFirst(maxLength));
                for (int trial = 0; trial < 20; trial++) {
                    String a = words(random, random.nextInt(0, 25));
                    String b = words(random, random.nextInt(0, 25));
                    HfOracle.assertSame("max " + maxLength, ours.encode(a, b), hf.encode(a, b), true, a, b);
                    HfOracle.assertSame("max " + maxLength, ours.encode(a), hf.encode(a), true, a);
                    assertThat(ours.encode(a, b).length()).isLessThanOrEqualTo(maxLength);
                }
            }
        }
    }

    @Test
    void onlyFirstAndOnlySecondMatchHf() {
        String a = words(new SplittableRandom(1), 30);
        String b = words(new SplittableRandom(2), 30);
        for (String strategy : new String[] {"ONLY_FIRST", "ONLY_SECOND"}) {
            try (HuggingFaceTokenizer hf = HfOracle.djl(minilmFile, Map.of("truncation", strategy, "maxLength",
                    "60", "padding", "false"))) {
                PretrainedTokenizer ours = minilm.withTruncation(new Truncation(60,
                        Truncation.Strategy.valueOf(strategy), 0, Side.RIGHT));
                HfOracle.assertSame(strategy, ours.encode(a, b), hf.encode(a, b), true, a, b);
            }
        }
    }

    @Test
    void batchesPadToTheLongestAsHf() {
        List<String> batch = List.of("short", "a somewhat longer sentence, with punctuation!", "",
                "中文句子也在这里", "👍🏽 emoji");
        try (HuggingFaceTokenizer hf = HfOracle.djl(minilmFile, Map.of("truncation", "true", "maxLength", "512",
                "padding", "true"))) {
            PretrainedTokenizer ours = minilm.withTruncation(Truncation.bert()).withPadding(Padding.batchLongest());
            List<Encoding> mine = ours.encodeBatch(batch);
            ai.djl.huggingface.tokenizers.Encoding[] theirs = hf.batchEncode(batch);
            for (int i = 0; i < batch.size(); i++) {
                HfOracle.assertSame("batch " + i, mine.get(i), theirs[i], false, batch.get(i));
                assertThat(mine.get(i).length()).isEqualTo(mine.get(0).length());
            }
            PairList<String, String> pairs = new PairList<>();
            List<PretrainedTokenizer.TextPair> myPairs = new ArrayList<>();
            for (String s : batch) {
                pairs.add(s, "and a second text");
                myPairs.add(new PretrainedTokenizer.TextPair(s, "and a second text"));
            }
            List<Encoding> minePairs = ours.encodePairBatch(myPairs);
            ai.djl.huggingface.tokenizers.Encoding[] theirPairs = hf.batchEncode(pairs);
            for (int i = 0; i < batch.size(); i++) {
                HfOracle.assertSame("pair batch " + i, minePairs.get(i), theirPairs[i], false, batch.get(i));
            }
        }
    }

    @Test
    void fixedPaddingMatchesHf() {
        List<String> batch = List.of("short", "中文", words(new SplittableRandom(3), 40));
        try (HuggingFaceTokenizer hf = HfOracle.djl(bgeZhFile, Map.of("truncation", "true", "maxLength", "24",
                "padding", "MAX_LENGTH"))) {
            PretrainedTokenizer ours = bgeZh.withTruncation(Truncation.longestFirst(24))
                    .withPadding(Padding.fixed(24));
            List<Encoding> mine = ours.encodeBatch(batch);
            ai.djl.huggingface.tokenizers.Encoding[] theirs = hf.batchEncode(batch);
            for (int i = 0; i < batch.size(); i++) {
                HfOracle.assertSame("fixed " + i, mine.get(i), theirs[i], false, batch.get(i));
                assertThat(mine.get(i).length()).isEqualTo(24);
            }
            HfOracle.assertSame("fixed single", ours.encode("x"), hf.encode("x"), false, "x");
        }
    }

    @Test
    void theFilesOwnTruncationAndPaddingAreHonoured() {
        // all-MiniLM's file says: truncate LongestFirst at 128, pad to Fixed 128 (HF's Tokenizer.from_file does both)
        PretrainedTokenizer asFile = HfOracle.ours(minilmFile);
        assertThat(asFile.truncation()).contains(Truncation.longestFirst(128));
        assertThat(asFile.padding()).contains(Padding.fixed(128));
        Encoding e = asFile.encode("hello");
        assertThat(e.length()).isEqualTo(128);
        assertThat(e.attentionMask()[2]).isEqualTo(1);
        assertThat(e.attentionMask()[3]).isZero();
        // bge-small-zh's has none: BERT's 512 and padding to the batch's longest
        PretrainedTokenizer zh = HfOracle.ours(bgeZhFile);
        assertThat(zh.truncation()).contains(Truncation.bert());
        assertThat(zh.padding()).contains(Padding.batchLongest());
    }

    /** Seeded random strings from mixed Unicode ranges: ids, type ids and tokens identical, singles and pairs. */
    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("tokenizers")
    void randomMixedUnicodeMatchesHf(String name, PretrainedTokenizer ours, HuggingFaceTokenizer hf) {
        SplittableRandom random = new SplittableRandom(20240601L + name.hashCode());
        int n = 3000;
        List<String> texts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            texts.add(randomText(random, random.nextInt(0, 40)));
        }
        List<Encoding> mine = ours.encodeBatch(texts);
        ai.djl.huggingface.tokenizers.Encoding[] theirs = hf.batchEncode(texts);
        for (int i = 0; i < n; i++) {
            HfOracle.assertSame(name + " random #" + i, mine.get(i), theirs[i], true, texts.get(i));
        }
        for (int i = 0; i + 1 < 600; i += 2) {
            HfOracle.assertSame(name + " random pair #" + i, ours.encode(texts.get(i), texts.get(i + 1)),
                    hf.encode(texts.get(i), texts.get(i + 1)), true, texts.get(i), texts.get(i + 1));
        }
    }

    /** Code point ranges random text draws from, with weights toward what real text holds. */
    private static final int[][] RANGES = {
        {0x20, 0x7E}, {0x20, 0x7E}, {0x20, 0x7E}, {0x00, 0x1F}, {0x7F, 0xFF}, {0x100, 0x24F}, {0x300, 0x36F},
        {0x370, 0x3FF}, {0x400, 0x4FF}, {0x590, 0x6FF}, {0x900, 0x97F}, {0xE00, 0xE7F}, {0x1100, 0x11FF},
        {0x1E00, 0x1EFF}, {0x2000, 0x206F}, {0x2070, 0x2BFF}, {0x3000, 0x30FF}, {0x3400, 0x4DBF},
        {0x4E00, 0x9FFF}, {0x4E00, 0x9FFF}, {0xAC00, 0xD7A3}, {0xE000, 0xE0FF}, {0xF900, 0xFAFF},
        {0xFE00, 0xFE0F}, {0xFF00, 0xFFEF}, {0xFFF0, 0xFFFF}, {0x1D400, 0x1D7FF}, {0x1F300, 0x1FAFF},
        {0x1F3FB, 0x1F3FF}, {0x20000, 0x2A6DF}, {0x2B820, 0x2CEAF}, {0x30000, 0x3134F}, {0xE0000, 0xE007F},
        {0x10000, 0x10FFFF}};

    static String randomText(SplittableRandom random, int codePoints) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < codePoints; i++) {
            int r = random.nextInt(10);
            if (r == 0) {
                b.append(' ');
            } else if (r == 1) {
                b.append("\u200D"); // zero-width joiner, as inside emoji sequences
            } else {
                int[] range = RANGES[random.nextInt(RANGES.length)];
                int cp = random.nextInt(range[0], range[1] + 1);
                if (cp >= 0xD800 && cp <= 0xDFFF) {
                    cp = 'x';
                }
                b.appendCodePoint(cp);
            }
        }
        return b.toString();
    }

    private static final String[] WORDS = {"the", "tokenizer", "splits", "words", "into", "pieces", "中文", "分词",
        "unbelievable", "!", "café", "👍"};

    static String words(SplittableRandom random, int count) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                b.append(' ');
            }
            b.append(WORDS[random.nextInt(WORDS.length)]);
        }
        return b.toString();
    }
}
