package dev.attention4j.models.tokenizers;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The oracle: HF tokenizers (Rust) through DJL, loaded from the same tokenizer.json as ours. The real files come
 * from the langchain4j embedding jars on the test classpath.
 */
final class HfOracle {

    /** all-MiniLM-L6-v2: bert-base-uncased's vocabulary (30522), lowercase + strip accents. */
    static final String MINILM = "all-minilm-l6-v2-tokenizer.json";
    /** bge-small-zh-v1.5: Chinese BERT vocabulary (21128), cased, accents kept. */
    static final String BGE_ZH = "bge-small-zh-v1.5-tokenizer.json";

    private HfOracle() {}

    /** The resource copied to a file under target/ (both tokenizers read files). */
    static Path file(String resource) {
        try {
            Path dir = Path.of("target", "tokenizer-oracle");
            Files.createDirectories(dir);
            Path file = dir.resolve(resource);
            try (InputStream in = HfOracle.class.getResourceAsStream("/" + resource)) {
                assertThat(in).as("classpath resource %s (from a langchain4j embeddings jar)", resource).isNotNull();
                Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static HuggingFaceTokenizer djl(Path file, Map<String, String> options) {
        try {
            return HuggingFaceTokenizer.newInstance(file, options);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** DJL with neither truncation nor padding: HF's raw pipeline. */
    static HuggingFaceTokenizer djlRaw(Path file) {
        return djl(file, Map.of("truncation", "false", "padding", "false"));
    }

    static PretrainedTokenizer ours(Path file) {
        try {
            return PretrainedTokenizer.fromFile(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Asserts ids, type ids, attention mask, tokens and special-token mask equal; offsets too if asked. */
    static void assertSame(String label, Encoding ours, ai.djl.huggingface.tokenizers.Encoding hf,
                           boolean offsets, String... texts) {
        String what = label + " " + Arrays.toString(escape(texts));
        assertThat(ours.tokens()).as("tokens of %s", what).containsExactly(hf.getTokens());
        assertThat(toLong(ours.ids())).as("ids of %s", what).containsExactly(hf.getIds());
        assertThat(toLong(ours.typeIds())).as("type ids of %s", what).containsExactly(hf.getTypeIds());
        assertThat(toLong(ours.attentionMask())).as("attention mask of %s", what)
                .containsExactly(hf.getAttentionMask());
        assertThat(toLong(ours.specialTokensMask())).as("special tokens mask of %s", what)
                .containsExactly(hf.getSpecialTokenMask());
        if (offsets) {
            CharSpan[] spans = hf.getCharTokenSpans();
            int[] seq = ours.sequenceIds();
            int[] starts = ours.offsetStarts();
            int[] ends = ours.offsetEnds();
            for (int i = 0; i < spans.length; i++) {
                if (spans[i] == null) {
                    assertThat(seq[i]).as("token %d of %s has no offsets in HF", i, what).isEqualTo(-1);
                    continue;
                }
                String text = texts[seq[i]];
                assertThat(new int[] {text.codePointCount(0, starts[i]), text.codePointCount(0, ends[i])})
                        .as("code point offsets of token %d (%s) of %s", i, ours.tokens().get(i), what)
                        .containsExactly(spans[i].getStart(), spans[i].getEnd());
            }
        }
    }

    static long[] toLong(int[] a) {
        return Arrays.stream(a).asLongStream().toArray();
    }

    static String[] escape(String... texts) {
        return Arrays.stream(texts).map(HfOracle::escape).toArray(String[]::new);
    }

    static String escape(String s) {
        if (s.length() > 200) {
            s = s.substring(0, 200) + "...(" + s.length() + " chars)";
        }
        StringBuilder b = new StringBuilder();
        s.codePoints().forEach(cp -> {
            if (cp >= 0x20 && cp < 0x7F) {
                b.appendCodePoint(cp);
            } else {
                b.append(String.format("\\u{%X}", cp));
            }
        });
        return b.toString();
    }

    static List<String> list(String... s) {
        return List.of(s);
    }
}
