package dev.attention4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attention4j.models.pretrained.EmbeddingModel;
import dev.attention4j.models.pretrained.EmbeddingModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code attention4j embed} in process: texts from arguments, standard input and a file; JSON lines and CSV that parse
 * back to the library's vectors bit for bit; a progress bar for files; errors exit 2 with a message.
 */
class EmbedCommandTest {

    private static final List<String> TEXTS = List.of("hello world", "Attention, \"quoted\", and commas.", "猫");
    private static EmbeddingModel model;
    private static float[][] expected;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() throws Exception {
        model = EmbeddingModels.load(EmbeddingModels.DEFAULT);
        expected = model.embedder().embed(TEXTS);
    }

    private static List<JsonNode> jsonLines(CliRun run) throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : run.outLines()) {
            lines.add(new ObjectMapper().readTree(line));
        }
        return lines;
    }

    private static void assertJsonlMatches(CliRun run) throws Exception {
        assertThat(run.exitCode()).as(run.err()).isZero();
        List<JsonNode> lines = jsonLines(run);
        assertThat(lines).hasSize(TEXTS.size());
        for (int t = 0; t < TEXTS.size(); t++) {
            assertThat(lines.get(t).get("text").asText()).isEqualTo(TEXTS.get(t));
            JsonNode embedding = lines.get(t).get("embedding");
            assertThat(embedding.size()).isEqualTo(384);
            float[] parsed = new float[embedding.size()];
            for (int i = 0; i < parsed.length; i++) {
                parsed[i] = Float.parseFloat(embedding.get(i).asText());
            }
            assertThat(parsed).as("text %d", t).isEqualTo(expected[t]);
        }
    }

    @Test
    void argumentsGiveJsonLinesOfTheLibrarysVectors() throws Exception {
        assertJsonlMatches(CliRun.of(concat("embed", TEXTS)));
    }

    @Test
    void standardInputGivesTheSame() throws Exception {
        assertJsonlMatches(CliRun.withStdin(String.join("\n", TEXTS) + "\n", "embed"));
        assertJsonlMatches(CliRun.withStdin(String.join("\n", TEXTS) + "\n", "embed", "--input", "-"));
    }

    @Test
    void aFileGivesCsvWithAProgressBar() throws Exception {
        Path input = Files.write(dir.resolve("texts.txt"), TEXTS);
        CliRun run = CliRun.of("embed", "--input", input.toString(), "--format", "csv");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).contains("embed  [####################]  3/3  100%");
        List<String> lines = run.outLines();
        assertThat(lines).hasSize(1 + TEXTS.size());
        assertThat(lines.get(0)).startsWith("text,e0,e1,").endsWith(",e383");
        for (int t = 0; t < TEXTS.size(); t++) {
            String line = lines.get(t + 1);
            String quoted = "\"" + TEXTS.get(t).replace("\"", "\"\"") + "\"";
            assertThat(line).startsWith(quoted + ",");
            String[] cells = line.substring(quoted.length() + 1).split(",");
            float[] parsed = new float[cells.length];
            for (int i = 0; i < cells.length; i++) {
                parsed[i] = Float.parseFloat(cells[i]);
            }
            assertThat(parsed).isEqualTo(expected[t]);
        }
        assertJsonlMatches(CliRun.of("embed", "--input", input.toString()));
    }

    @Test
    void badInputsAndModelsExitTwoWithAMessage() throws Exception {
        CliRun missing = CliRun.of("embed", "--input", dir.resolve("none.txt").toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("error: --input", "none.txt", "no such file");

        CliRun badPath = CliRun.of("embed", "--model", dir.toString(), "x");
        assertThat(badPath.exitCode()).isEqualTo(2);
        assertThat(badPath.err()).contains("error: --model", "not a model directory");

        CliRun unknown = CliRun.of("embed", "--model", "no-such-model", "x");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).contains("unknown model 'no-such-model'", "all-minilm-l6-v2", "e5-small-v2");

        CliRun both = CliRun.of("embed", "--input", "-", "x");
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err()).contains("not both");
    }

    private static String[] concat(String first, List<String> rest) {
        List<String> all = new ArrayList<>();
        all.add(first);
        all.addAll(rest);
        return all.toArray(String[]::new);
    }
}
