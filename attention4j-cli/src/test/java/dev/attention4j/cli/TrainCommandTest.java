package dev.attention4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attention4j.kernels.Parallel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs {@code attention4j train} in process on the test-only {@code --tiny} preset: each run takes a second or two. */
class TrainCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> METRICS_KEYS = List.of("step", "elapsed_seconds", "loss", "token_accuracy",
            "exact_match", "bleu");

    @TempDir
    Path temp;

    private static CliRun train(Path out, String... args) {
        List<String> all = new ArrayList<>(List.of("train", "--out", out.toString()));
        all.addAll(List.of(args));
        return CliRun.of(all.toArray(String[]::new));
    }

    /** The copy task, tiny, seed 7, validated every 10 steps, plus {@code more}. */
    private static CliRun copy(Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("--task", "copy", "--tiny", "--seed", "7", "--eval-every", "10"));
        args.addAll(List.of(more));
        return train(out, args.toArray(String[]::new));
    }

    @Test
    void aNewRunWritesConfigMetricsChartsAndCheckpoints() throws IOException {
        Path out = temp.resolve("run");
        CliRun run = copy(out, "--steps", "20");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).isEmpty();

        JsonNode config = JSON.readTree(out.resolve("config.json").toFile());
        assertThat(config.get("format").asText()).isEqualTo("attention4j-train");
        assertThat(config.get("format_version").asInt()).isEqualTo(1);
        assertThat(config.get("task").asText()).isEqualTo("copy");
        assertThat(config.get("data").isNull()).isTrue();
        assertThat(config.get("seed").asLong()).isEqualTo(7);
        JsonNode preset = config.get("preset");
        assertThat(preset.at("/model/model_dim").asInt()).isEqualTo(16);
        assertThat(preset.at("/model/activation").asText()).isEqualTo("gelu");
        assertThat(preset.at("/optimization/batch_size").asInt()).isEqualTo(64);
        assertThat(preset.at("/optimization/warmup_steps").asInt()).isEqualTo(400);
        assertThat(preset.at("/optimization/label_smoothing").asDouble()).isEqualTo(0.1, within());
        assertThat(preset.at("/data/strings/alphabet").asText()).isEqualTo("abcdefghij");
        assertThat(preset.at("/length/steps").asLong()).isEqualTo(20);
        assertThat(preset.at("/length/eval_every").asInt()).isEqualTo(10);
        assertThat(config.get("max_len").asInt()).isEqualTo(64);
        for (String side : List.of("source_tokenizer", "target_tokenizer")) {
            assertThat(config.at("/" + side + "/kind").asText()).isEqualTo("char");
            assertThat(texts(config.at("/" + side + "/vocabulary"))).startsWith("<pad>", "<s>", "</s>", "<unk>")
                    .contains("a", "j").hasSize(14);
        }

        List<String> metrics = Files.readAllLines(out.resolve("metrics.jsonl"));
        assertThat(metrics).hasSize(2);
        for (int i = 0; i < 2; i++) {
            JsonNode line = JSON.readTree(metrics.get(i));
            assertThat(names(line)).containsExactlyElementsOf(METRICS_KEYS);
            assertThat(line.get("step").asLong()).isEqualTo(10L * (i + 1));
        }

        for (String png : List.of("loss.png", "accuracy.png")) {
            BufferedImage image = ImageIO.read(out.resolve(png).toFile());
            assertThat(image).as(png).isNotNull();
            assertThat(image.getWidth()).isEqualTo(TrainingCharts.WIDTH);
            assertThat(run.out()).as("prints where " + png + " is").contains(out.resolve(png).toString());
        }
        assertThat(out.resolve("checkpoints/step-000000010/weights.safetensors")).isRegularFile();
        assertThat(out.resolve("checkpoints/step-000000020/weights.safetensors")).isRegularFile();

        assertThat(run.out()).contains("task copy", "parameters", "threads", "kernels", "20/20  100%",
                "best exact match");
        // training keeps repeated examples, validation holds each once: 400 tiny examples minus the held-out ones
        assertThat(run.out()).containsPattern("\\b3[5-9]\\d training / 19 validation examples");
        assertThat(run.outLines()).filteredOn(l -> l.startsWith("valid  step "))
                .hasSize(2)
                .allMatch(l -> l.matches("valid  step \\d+  loss \\d+\\.\\d{3}  tok-acc \\d\\.\\d{3}"
                        + "  exact \\d\\.\\d{3}  bleu \\d+\\.\\d"));
    }

    @Test
    void aSecondRunIntoTheSameDirectoryIsRefusedAndTouchesNothing() throws IOException {
        Path out = temp.resolve("run");
        assertThat(copy(out, "--steps", "10").exitCode()).isZero();
        Map<String, String> before = snapshot(out);

        CliRun again = copy(out, "--steps", "10");
        assertThat(again.exitCode()).isEqualTo(2);
        assertThat(again.err()).isEqualTo("error: " + out.resolve("checkpoints") + " already holds a checkpoint at "
                + "step 10; pass --resume to continue it or --force to start over" + System.lineSeparator());
        assertThat(again.out()).isEmpty();
        assertThat(snapshot(out)).isEqualTo(before);
    }

    @Test
    void resumeContinuesToTheTotalStepsAndMatchesAnUninterruptedRun() throws IOException {
        Path out = temp.resolve("run");
        assertThat(copy(out, "--steps", "20").exitCode()).isZero();

        CliRun resumed = train(out, "--task", "copy", "--resume", "--steps", "30"); // seed, tiny, eval-every: stored
        assertThat(resumed.exitCode()).as(resumed.err()).isZero();
        assertThat(resumed.out()).contains("resuming  from the checkpoint at step 20").contains("30/30  100%");
        List<String> metrics = Files.readAllLines(out.resolve("metrics.jsonl"));
        assertThat(metrics).hasSize(3);
        assertThat(JSON.readTree(metrics.get(2)).get("step").asLong()).isEqualTo(30);
        assertThat(out.resolve("checkpoints/step-000000030")).isDirectory();
        JsonNode config = JSON.readTree(out.resolve("config.json").toFile());
        assertThat(config.at("/preset/length/steps").asLong()).isEqualTo(30);

        Path whole = temp.resolve("whole");
        assertThat(copy(whole, "--steps", "30").exitCode()).isZero();
        List<String> uninterrupted = Files.readAllLines(whole.resolve("metrics.jsonl"));
        for (String key : List.of("loss", "token_accuracy", "exact_match", "bleu")) {
            assertThat(JSON.readTree(metrics.get(2)).get(key)).as(key)
                    .isEqualTo(JSON.readTree(uninterrupted.get(2)).get(key));
        }
    }

    @Test
    void theSameRunAtOneAndTwoThreads() throws IOException {
        int before = Parallel.threads();
        try {
            Path one = temp.resolve("one");
            Path two = temp.resolve("two");
            assertThat(copy(one, "--steps", "10", "--threads", "1").exitCode()).isZero();
            assertThat(copy(two, "--steps", "10", "--threads", "2").exitCode()).isZero();
            JsonNode a = JSON.readTree(Files.readAllLines(one.resolve("metrics.jsonl")).get(0));
            JsonNode b = JSON.readTree(Files.readAllLines(two.resolve("metrics.jsonl")).get(0));
            for (String key : List.of("loss", "token_accuracy", "exact_match", "bleu")) {
                assertThat(a.get(key)).as(key).isEqualTo(b.get(key));
            }
            assertThat(one.resolve("checkpoints/step-000000010/weights.safetensors"))
                    .hasSameBinaryContentAs(two.resolve("checkpoints/step-000000010/weights.safetensors"));
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void resumeRefusesADifferentSeedAndTouchesNothing() throws IOException {
        Path out = temp.resolve("run");
        assertThat(copy(out, "--steps", "10").exitCode()).isZero();
        Map<String, String> before = snapshot(out);

        CliRun run = train(out, "--task", "copy", "--resume", "--seed", "8", "--steps", "20");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--seed 8 differs from 7 in " + out.resolve("config.json"));
        assertThat(snapshot(out)).isEqualTo(before);

        CliRun otherTask = train(out, "--task", "reverse", "--resume", "--steps", "20");
        assertThat(otherTask.exitCode()).isEqualTo(2);
        assertThat(otherTask.err())
                .contains("--task reverse differs from --task copy in " + out.resolve("config.json"));
        assertThat(snapshot(out)).isEqualTo(before);
    }

    @Test
    void resumeWithNothingToResumeIsAnError() {
        CliRun run = copy(temp.resolve("empty"), "--resume");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("error: ").contains("no run to resume");
    }

    @Test
    void forceStartsOver() throws IOException {
        Path out = temp.resolve("run");
        assertThat(copy(out, "--steps", "20").exitCode()).isZero();
        Files.writeString(out.resolve("notes.txt"), "mine");

        CliRun forced = copy(out, "--steps", "10", "--force");
        assertThat(forced.exitCode()).as(forced.err()).isZero();
        assertThat(Files.readAllLines(out.resolve("metrics.jsonl"))).hasSize(1);
        try (Stream<Path> steps = Files.list(out.resolve("checkpoints"))) {
            assertThat(steps.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("LATEST",
                    "step-000000010");
        }
        assertThat(out.resolve("notes.txt")).hasContent("mine");
    }

    @Test
    void aMalformedTsvNamesFileAndLineAndWritesNothing() throws IOException {
        Path tsv = temp.resolve("bad.tsv");
        Files.writeString(tsv, "one\t一\ntwo\t二\nthree 三\n", StandardCharsets.UTF_8);
        Path out = temp.resolve("run");
        CliRun run = train(out, "--data", tsv.toString(), "--tiny", "--steps", "5");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("error: " + tsv + ":3: missing tab").doesNotContain("Exception", "\tat ");
        assertThat(out).doesNotExist();
    }

    @Test
    void aMissingDataFileIsAnError() {
        Path missing = temp.resolve("missing.tsv");
        CliRun run = train(temp.resolve("run"), "--data", missing.toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("error: --data " + missing + ": no such file" + System.lineSeparator());
    }

    @Test
    void aTsvTrainsWithBpe() throws IOException {
        Path tsv = temp.resolve("tiny.tsv");
        StringBuilder lines = new StringBuilder();
        String[] en = {"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"};
        String[] zh = {"一", "二", "三", "四", "五", "六", "七", "八", "九", "十"};
        for (int i = 0; i < en.length; i++) {
            for (int j = 0; j < en.length; j++) {
                lines.append(en[i]).append(' ').append(en[j]).append('\t').append(zh[i]).append(zh[j]).append('\n');
            }
        }
        Files.writeString(tsv, lines, StandardCharsets.UTF_8);
        Path out = temp.resolve("run");
        CliRun run = train(out, "--data", tsv.toString(), "--tokenizer", "bpe", "--vocab-size", "40", "--tiny",
                "--steps", "4", "--eval-every", "2", "--batch-size", "16");
        assertThat(run.exitCode()).as(run.err()).isZero();

        JsonNode config = JSON.readTree(out.resolve("config.json").toFile());
        assertThat(config.get("task").isNull()).isTrue();
        assertThat(config.at("/data/path").asText()).isEqualTo(tsv.toString());
        assertThat(config.at("/data/size").asLong()).isEqualTo(Files.size(tsv));
        assertThat(config.at("/data/sha256").asText()).matches("[0-9a-f]{64}");
        assertThat(config.at("/preset/data/vocab_size").asInt()).isEqualTo(40);
        assertThat(config.at("/source_tokenizer/kind").asText()).isEqualTo("bpe");
        assertThat(config.at("/source_tokenizer/vocabulary").size()).isEqualTo(40);
        assertThat(config.at("/source_tokenizer/merges").size()).isPositive();
        assertThat(Files.readAllLines(out.resolve("metrics.jsonl"))).hasSize(2);

        Files.writeString(tsv, "changed\t变\n", java.nio.file.StandardOpenOption.APPEND);
        CliRun resumed = train(out, "--data", tsv.toString(), "--resume", "--steps", "6");
        assertThat(resumed.exitCode()).isEqualTo(2);
        assertThat(resumed.err()).contains(tsv + " has changed since the run began");
    }

    @Test
    void theNumbersTaskUsesWordsForEnglishAndCharactersForChinese() throws IOException {
        Path out = temp.resolve("run");
        CliRun run = train(out, "--task", "numbers", "--tiny", "--steps", "2");
        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode config = JSON.readTree(out.resolve("config.json").toFile());
        assertThat(config.at("/source_tokenizer/kind").asText()).isEqualTo("word");
        assertThat(texts(config.at("/source_tokenizer/vocabulary"))).contains("thousand");
        assertThat(config.at("/target_tokenizer/kind").asText()).isEqualTo("char");
        assertThat(texts(config.at("/target_tokenizer/vocabulary"))).contains("千");
    }

    @Test
    void anUnknownTaskListsTheValidOnes() {
        CliRun run = train(temp.resolve("run"), "--task", "sort");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--task", "expected one of [numbers, copy, reverse] but got 'sort'");
    }

    @Test
    void badFlagsAreUsageErrors() {
        Path out = temp.resolve("run");
        assertThat(train(out).err()).contains("Missing required argument");
        assertThat(train(out, "--task", "copy", "--data", "x.tsv").err()).contains("mutually exclusive");
        assertThat(train(out, "--task", "copy", "--resume", "--force").err()).contains("mutually exclusive");
        CliRun zero = train(out, "--task", "copy", "--steps", "0");
        assertThat(zero.exitCode()).isEqualTo(2);
        assertThat(zero.err()).contains("--steps: expected a number of steps >= 1 but got 0");
        assertThat(train(out, "--task", "copy", "--tokenizer", "bpe").err()).contains("--tokenizer: applies to --data");
        assertThat(train(out, "--data", "x.tsv", "--vocab-size", "100").err())
                .contains("--vocab-size: applies to --tokenizer bpe only");
        assertThat(train(out, "--task", "copy", "--minutes", "-1").err()).contains("--minutes");
        assertThat(out).doesNotExist();
    }

    @Test
    void helpShowsTheFlagsButNotTheTestOnlyOne() {
        CliRun run = CliRun.of("train", "--help");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("--task=TASK", "numbers, copy, reverse", "--data=FILE.tsv", "--out=DIR",
                "--steps=N", "--minutes=M", "--seed=S", "--resume", "--force", "--tokenizer=KIND", "--vocab-size=V",
                "--batch-size=B", "--eval-every=K", "--threads=N").doesNotContain("--tiny");
    }

    // --- helpers -----------------------------------------------------------------------------------------------

    private static org.assertj.core.data.Offset<Double> within() {
        return org.assertj.core.data.Offset.offset(1e-6);
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static List<String> names(JsonNode object) {
        List<String> out = new ArrayList<>();
        object.fieldNames().forEachRemaining(out::add);
        return out;
    }

    /** Every file under {@code dir}: its bytes and modification time. */
    private static Map<String, String> snapshot(Path dir) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.filter(Files::isRegularFile).toList()) {
                files.put(dir.relativize(p).toString(), Files.getLastModifiedTime(p) + " "
                        + Base64.getEncoder().encodeToString(Files.readAllBytes(p)));
            }
        }
        return files;
    }
}
