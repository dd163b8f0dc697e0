package dev.attention4j.cli;

import dev.attention4j.models.pretrained.EmbeddingModel;
import dev.attention4j.models.pretrained.EmbeddingModels;
import dev.attention4j.models.retrieval.CorpusIndex;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code attention4j search} in process: top-K lines in order of cosine similarity, scores equal to the cosine of the
 * library's embeddings, line numbers counting empty lines; the cache created, then read (stderr says so, its bytes
 * unchanged), rebuilt when the corpus changes and when damaged; errors exit 2.
 */
class SearchCommandTest {

    private static final List<String> CORPUS = List.of(
            "The cat sat on the mat.",
            "",
            "Paris is the capital of France.",
            "Attention weighs every token against every other token.",
            "   ",
            "Espresso is coffee brewed under pressure.",
            "Mount Everest is the highest mountain on Earth.");
    private static final Pattern HIT = Pattern.compile("\\s*(\\d+)\\. (\\d\\.\\d{4})  line (\\d+): (.*)");
    private static EmbeddingModel model;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() throws Exception {
        model = EmbeddingModels.load(EmbeddingModels.DEFAULT);
    }

    private record Printed(int rank, String score, int line, String text) {}

    private static List<Printed> hits(CliRun run) {
        List<Printed> hits = new ArrayList<>();
        for (String line : run.outLines()) {
            Matcher m = HIT.matcher(line);
            if (m.matches()) {
                hits.add(new Printed(Integer.parseInt(m.group(1)), m.group(2), Integer.parseInt(m.group(3)),
                        m.group(4)));
            }
        }
        return hits;
    }

    @Test
    void printsTheTopKLinesWithTheirCosines() throws Exception {
        Path corpus = Files.write(dir.resolve("corpus.txt"), CORPUS);
        CliRun run = CliRun.of("search", "--corpus", corpus.toString(), "--top", "3", "What is the tallest peak?");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.outLines().get(0)).isEqualTo("query: What is the tallest peak?");
        List<Printed> hits = hits(run);
        assertThat(hits).extracting(Printed::rank).containsExactly(1, 2, 3);
        assertThat(hits.get(0).line()).isEqualTo(7);
        assertThat(hits.get(0).text()).isEqualTo(CORPUS.get(6));

        float[] query = model.embedder().embed("What is the tallest peak?");
        List<Double> all = new ArrayList<>();
        for (int i = 0; i < CORPUS.size(); i++) {
            if (!CORPUS.get(i).isBlank()) {
                all.add(CorpusIndex.cosine(query, model.embedder().embed(CORPUS.get(i))));
            }
        }
        all.sort((a, b) -> Double.compare(b, a));
        for (int k = 0; k < 3; k++) {
            Printed h = hits.get(k);
            assertThat(CORPUS.get(h.line() - 1)).isEqualTo(h.text());
            double cosine = CorpusIndex.cosine(query, model.embedder().embed(h.text()));
            assertThat(h.score()).isEqualTo(String.format(Locale.ROOT, "%.4f", cosine));
            assertThat(h.score()).isEqualTo(String.format(Locale.ROOT, "%.4f", all.get(k)));
        }

        CliRun two = CliRun.of("search", "--corpus", corpus.toString(), "--top", "1", "coffee", "a kitten");
        assertThat(two.exitCode()).as(two.err()).isZero();
        assertThat(hits(two)).extracting(Printed::line).containsExactly(6, 1);
    }

    @Test
    void theCacheIsCreatedThenReadThenRebuiltWhenTheCorpusChangesOrIsDamaged() throws Exception {
        Path corpus = Files.write(dir.resolve("corpus.txt"), CORPUS);
        Path cache = dir.resolve("corpus.txt.embeddings.safetensors");

        CliRun first = CliRun.of("search", "--corpus", corpus.toString(), "coffee");
        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(first.err()).contains("embedded 5 lines; cached in " + cache).contains("[####################]");
        assertThat(cache).exists();
        byte[] bytes = Files.readAllBytes(cache);
        var modified = Files.getLastModifiedTime(cache);

        CliRun second = CliRun.of("search", "--corpus", corpus.toString(), "coffee");
        assertThat(second.exitCode()).as(second.err()).isZero();
        assertThat(second.err()).contains("using cached embeddings from " + cache).doesNotContain("[###");
        assertThat(second.out()).isEqualTo(first.out());
        assertThat(Files.readAllBytes(cache)).isEqualTo(bytes);
        assertThat(Files.getLastModifiedTime(cache)).isEqualTo(modified);

        Files.writeString(corpus, "A new first line about tea.\n", java.nio.file.StandardOpenOption.APPEND);
        CliRun changed = CliRun.of("search", "--corpus", corpus.toString(), "--top", "1", "tea");
        assertThat(changed.exitCode()).as(changed.err()).isZero();
        assertThat(changed.err()).contains("re-embedded 6 lines (the corpus changed)");
        assertThat(hits(changed).get(0).line()).isEqualTo(8);

        Files.writeString(cache, "not a safetensors file");
        CliRun damaged = CliRun.of("search", "--corpus", corpus.toString(), "--top", "1", "tea");
        assertThat(damaged.exitCode()).as(damaged.err()).isZero();
        assertThat(damaged.err()).contains("warning: the cache " + cache + " could not be used");
        assertThat(damaged.out()).isEqualTo(changed.out());
        assertThat(CliRun.of("search", "--corpus", corpus.toString(), "tea").err())
                .contains("using cached embeddings");
    }

    @Test
    void errorsExitTwoWithAMessage() throws Exception {
        CliRun missing = CliRun.of("search", "--corpus", dir.resolve("none.txt").toString(), "q");
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("error: --corpus", "none.txt", "no such file");

        Path corpus = Files.write(dir.resolve("corpus.txt"), CORPUS);
        CliRun badModel = CliRun.of("search", "--corpus", corpus.toString(), "--model",
                dir.resolve("no-model").toString(), "q");
        assertThat(badModel.exitCode()).isEqualTo(2);
        assertThat(badModel.err()).contains("error: --model", "no such file or directory");

        CliRun badTop = CliRun.of("search", "--corpus", corpus.toString(), "--top", "0", "q");
        assertThat(badTop.exitCode()).isEqualTo(2);
        assertThat(badTop.err()).contains("--top");

        assertThat(CliRun.of("search", "--corpus", corpus.toString()).exitCode()).isEqualTo(2); // no QUERY
    }
}
