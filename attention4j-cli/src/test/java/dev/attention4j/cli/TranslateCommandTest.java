package dev.attention4j.cli;

import dev.attention4j.train.data.NumberWords;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs {@code attention4j translate} in process, mostly with the built-in numbers model. */
class TranslateCommandTest {

    @TempDir
    Path temp;

    /** A run with {@code stdin} as standard input. */
    private static CliRun withInput(String stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.commandLine(new StringReader(stdin)).setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true)).execute(args);
        return new CliRun(code, out.toString(), err.toString());
    }

    private static CliRun translate(String... texts) {
        List<String> args = new ArrayList<>(List.of("translate"));
        args.addAll(List.of(texts));
        return CliRun.of(args.toArray(String[]::new));
    }

    @Test
    void theBuiltInModelTranslatesNumberWords() {
        // irregular small words, long zero runs and the extremes
        List<Long> more = List.of(0L, 12L, 66L, 305L, 4_096L, 101_000L, 1_000_000L, 1_000_001L, 20_000_005L,
                12_345_678L, 99_999_999L);
        List<String> args = new ArrayList<>(List.of("two thousand and five", "one hundred and ten", "fifteen"));
        more.forEach(n -> args.add(NumberWords.english(n)));
        CliRun run = translate(args.toArray(String[]::new));
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).isEmpty();
        List<String> expected = new ArrayList<>(List.of("二千零五", "一百一十", "十五"));
        more.forEach(n -> expected.add(NumberWords.chinese(n)));
        assertThat(run.outLines()).containsExactlyElementsOf(expected);
    }

    /** Numbers of 1 to 8 digits, each digit count equally often, none chosen by looking at the model's answers. */
    @Test
    void theBuiltInModelGetsAtLeast98PercentOfRandomNumbersExactlyRight() {
        SplittableRandom random = new SplittableRandom(2026);
        List<Long> numbers = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            int digits = 1 + random.nextInt(8);
            long low = digits == 1 ? 0 : (long) Math.pow(10, digits - 1);
            numbers.add(random.nextLong(low, (long) Math.pow(10, digits)));
        }
        CliRun run = translate(numbers.stream().map(NumberWords::english).toArray(String[]::new));
        assertThat(run.exitCode()).as(run.err()).isZero();
        List<String> got = run.outLines();
        assertThat(got).hasSize(numbers.size());
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < numbers.size(); i++) {
            String expected = NumberWords.chinese(numbers.get(i));
            if (!got.get(i).equals(expected)) {
                wrong.add(numbers.get(i) + " \"" + NumberWords.english(numbers.get(i)) + "\": expected " + expected
                        + " but got " + got.get(i));
            }
        }
        assertThat(wrong).as("wrong translations").hasSizeLessThanOrEqualTo(1); // >= 98% of 50
    }

    @Test
    void standardInputGivesOneLinePerLineInOrder() {
        List<String> inputs = List.of("seven", "", "three hundred", "fifteen", "nine thousand and one");
        CliRun run = withInput(String.join("\n", inputs) + "\n", "translate");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.outLines()).containsExactly("七", "", "三百", "十五", "九千零一");
    }

    @Test
    void aModelDirectoryFromTrainLoads() {
        Path out = temp.resolve("copy");
        CliRun train = CliRun.of("train", "--task", "copy", "--tiny", "--steps", "5", "--out", out.toString());
        assertThat(train.exitCode()).as(train.err()).isZero();
        CliRun run = withInput("abc\nj\n", "translate", "--model", out.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.outLines()).hasSize(2);
        CliRun args = CliRun.of("translate", "--model", out.toString(), "abc", "dd", "e");
        assertThat(args.exitCode()).as(args.err()).isZero();
        assertThat(args.outLines()).hasSize(3);
    }

    @Test
    void aMissingModelDirectoryIsAUsageError() {
        Path missing = temp.resolve("no-such-run");
        CliRun run = CliRun.of("translate", "--model", missing.toString(), "one");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).startsWith("error: ").contains(missing.toString()).doesNotContain("Exception");
    }

    @Test
    void aDirectoryWithoutCheckpointOrWithACorruptConfigIsAUsageError() throws Exception {
        Path out = temp.resolve("copy");
        assertThat(CliRun.of("train", "--task", "copy", "--tiny", "--steps", "1", "--out", out.toString())
                .exitCode()).isZero();
        Path config = out.resolve("config.json");
        String json = Files.readString(config);

        Files.writeString(config, "{ not json");
        CliRun corrupt = CliRun.of("translate", "--model", out.toString(), "abc");
        assertThat(corrupt.exitCode()).isEqualTo(2);
        assertThat(corrupt.err()).startsWith("error: ").contains(config.toString()).doesNotContain("\tat ");

        Files.writeString(config, json);
        try (var paths = Files.walk(out.resolve("checkpoints"))) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
        CliRun none = CliRun.of("translate", "--model", out.toString(), "abc");
        assertThat(none.exitCode()).isEqualTo(2);
        assertThat(none.err()).startsWith("error: ").contains("no checkpoint").doesNotContain("\tat ");
    }

    @Test
    void anUnknownWordIsNamedOnStandardErrorAndStillTranslated() {
        CliRun run = translate("two thousand and fivve", "six");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.outLines()).hasSize(2).endsWith("六");
        assertThat(run.err().lines().toList()).singleElement().asString().startsWith("warning: ")
                .contains("\"fivve\"").doesNotContain("\"two\"");
    }

    @Test
    void beamSearchPrintsTheNBestWithDescendingScoresAndTheRightTranslationFirst() {
        List<Long> numbers = List.of(7L, 305L, 4_096L, 20_000_005L);
        List<String> args = new ArrayList<>(List.of("translate", "--beam", "4", "--nbest", "3"));
        numbers.forEach(n -> args.add(NumberWords.english(n)));
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertThat(run.exitCode()).as(run.err()).isZero();
        List<String> lines = run.outLines();
        assertThat(lines).hasSize(3 * numbers.size());
        for (int i = 0; i < numbers.size(); i++) {
            double previous = 0;
            for (int rank = 0; rank < 3; rank++) {
                String[] cells = lines.get(3 * i + rank).split("\t", -1);
                double score = Double.parseDouble(cells[0]);
                assertThat(score).isLessThanOrEqualTo(previous);
                previous = score;
                if (rank == 0) {
                    assertThat(cells[1]).isEqualTo(NumberWords.chinese(numbers.get(i)));
                }
            }
        }
        CliRun best = CliRun.of("translate", "--beam", "3", "--length-penalty", "0.6", "--early-stopping", "never",
                "two thousand and five");
        assertThat(best.outLines()).containsExactly("二千零五");
    }

    @Test
    void samplingIsReproducibleFromItsSeedAndTopKOneIsGreedy() {
        String[] inputs = {"three hundred and seven", "ninety nine thousand", "sixty"};
        List<String> args = new ArrayList<>(List.of("translate", "--sample", "--temperature", "2.5", "--seed", "7"));
        args.addAll(List.of(inputs));
        CliRun first = CliRun.of(args.toArray(String[]::new));
        CliRun second = CliRun.of(args.toArray(String[]::new));
        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(first.outLines()).hasSize(3).isEqualTo(second.outLines());
        List<String> topK = new ArrayList<>(List.of("translate", "--sample", "--top-k", "1", "--seed", "3"));
        topK.addAll(List.of(inputs));
        assertThat(CliRun.of(topK.toArray(String[]::new)).outLines()).isEqualTo(translate(inputs).outLines());
    }

    @Test
    void contradictoryDecodingFlagsAreUserErrors() {
        CliRun both = CliRun.of("translate", "--sample", "--beam", "2", "one");
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err()).contains("--sample and --beam");
        CliRun noSample = CliRun.of("translate", "--top-p", "0.9", "one");
        assertThat(noSample.exitCode()).isEqualTo(2);
        assertThat(noSample.err()).contains("add --sample");
        CliRun noBeam = CliRun.of("translate", "--nbest", "2", "one");
        assertThat(noBeam.exitCode()).isEqualTo(2);
        assertThat(noBeam.err()).contains("add --beam");
        CliRun tooMany = CliRun.of("translate", "--beam", "2", "--nbest", "3", "one");
        assertThat(tooMany.exitCode()).isEqualTo(2);
        assertThat(tooMany.err()).contains("--nbest 3");
        CliRun badP = CliRun.of("translate", "--sample", "--top-p", "1.5", "one");
        assertThat(badP.exitCode()).isEqualTo(2);
        assertThat(badP.err()).contains("topP");
        CliRun badStop = CliRun.of("translate", "--beam", "2", "--early-stopping", "sometimes", "one");
        assertThat(badStop.exitCode()).isEqualTo(2);
        assertThat(badStop.err()).contains("when_beam_size_finished");
    }
}
