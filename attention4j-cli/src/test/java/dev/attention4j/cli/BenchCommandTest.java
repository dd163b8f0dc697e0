package dev.attention4j.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.spi.ToolProvider;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code attention4j bench}: the subcommands it lists, {@code bench embed}'s hand-off to attention4j-bench's race
 * against ONNX Runtime (on the test class path) and {@code bench decode}, on sizes small enough for a unit test
 * (speed is not asserted).
 */
class BenchCommandTest {

    /** A row of bench embed's table: batch x tokens, both sides' sent/s, ratio (min-max), 1 - cosine. */
    private static final Pattern EMBED_ROW = Pattern.compile(
            "^\\s+(\\d+) x (\\d+)\\s+([\\d.]+)\\s+([\\d.]+)\\s+([\\d.]+)x \\(([\\d.]+)-([\\d.]+)\\)\\s+(\\S+)$");

    @Test
    void helpListsEverySubcommand() {
        CliRun run = CliRun.of("bench", "--help");
        assertThat(run.exitCode()).isZero();
        String commands = run.out().substring(run.out().indexOf("Commands:"));
        for (String name : List.of("gemm", "attention", "embed", "train", "decode, generate")) {
            assertThat(commands).contains("  " + name + " ");
        }
        assertThat(run.out()).contains("scripts/jmh");
    }

    @Test
    void generateIsAnotherNameForDecode() {
        CliRun decode = CliRun.of("bench", "decode", "--help");
        CliRun generate = CliRun.of("bench", "generate", "--help");
        assertThat(decode.exitCode()).isZero();
        assertThat(generate.exitCode()).isZero();
        assertThat(generate.out()).isEqualTo(decode.out()).contains("KV caches");
    }

    @Test
    void decodeOnATinyModelPrintsTheCachedAndUncachedColumns() {
        CliRun run = CliRun.of("--threads", "1", "bench", "decode", "--d-model", "16", "--heads", "2", "--layers",
                "1", "--ffn", "32", "--vocab", "50", "--src-len", "4", "--lengths", "3", "--repeats", "1");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("attention4j bench decode:", "full cache", "no cache", "full/none",
                "KV cache memory");
        assertThat(run.outLines()).anyMatch(l -> l.matches("\\s+3\\s+[\\d.]+ t/s\\s+[\\d.]+ t/s\\s+[\\d.]+ t/s.*"));
    }

    /** The real race, both sides, on the smallest case and the shortest rounds. */
    @Test
    void embedPrintsBothSidesAndTheirRatio() {
        CliRun run = CliRun.of("--threads", "1", "bench", "embed", "--cases", "1x16", "--seconds", "0.05",
                "--rounds", "2", "--warmup", "0.1");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("attention4j bench embed: attention4j-bench-embed 1 0.05 2 1x16 0.1",
                "after 0.1 s of warm-up per side per case",
                "vs ONNX Runtime 1.", "(1 intra-op threads)", "attention4j sent/s", "ONNX Runtime sent/s");
        List<Matcher> rows = run.outLines().stream().map(EMBED_ROW::matcher).filter(Matcher::matches).toList();
        assertThat(rows).hasSize(1);
        Matcher row = rows.get(0);
        assertThat(row.group(1) + "x" + row.group(2)).isEqualTo("1x16");
        double ours = Double.parseDouble(row.group(3));
        double theirs = Double.parseDouble(row.group(4));
        assertThat(ours).isPositive();
        assertThat(theirs).isPositive();
        assertThat(Double.parseDouble(row.group(8))).as("1 - cosine: the two sides embed alike").isLessThan(1e-5);
        assertThat(run.outLines()).as("each round's ratio, in order").anyMatch(l -> l.matches(
                "\\s+ratio per round: [\\d.]+ [\\d.]+"));
    }

    @Test
    void embedPassesTheFlagsToTheBenchmarkTool() {
        List<String> seen = new ArrayList<>();
        ToolProvider fake = new ToolProvider() {
            @Override
            public String name() {
                return "fake";
            }

            @Override
            public int run(PrintWriter out, PrintWriter err, String... args) {
                seen.addAll(List.of(args));
                out.println("the table");
                return 0;
            }
        };
        List<String> asked = new ArrayList<>();
        CliRun run = run(new EmbedBench(name -> {
            asked.add(name);
            return Optional.of(fake);
        }), "--cases", "1x16, 8x64", "--seconds", "0.5", "--rounds", "3", "--warmup", "7");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(asked).containsExactly(EmbedBench.SHAPES_TOOL);
        assertThat(seen.subList(1, seen.size())).containsExactly("0.5", "3", "1x16,8x64", "7.0");
        assertThat(run.out()).contains("the table");

        seen.clear();
        asked.clear();
        run = run(new EmbedBench(name -> {
            asked.add(name);
            return Optional.of(fake);
        }), "--corpus", "--sentences", "100", "--rounds", "2");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(asked).containsExactly(EmbedBench.CORPUS_TOOL);
        assertThat(seen.subList(1, seen.size())).containsExactly("2", "100");
    }

    @Test
    void embedWithoutTheBenchModuleSaysWhatToRunAndExitsWithOne() {
        CliRun run = run(new EmbedBench(name -> Optional.empty()));
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).contains("ONNX Runtime", "./attention4j bench embed", "scripts/bench-embeddings")
                .doesNotContain("Exception");
    }

    @Test
    void embedRejectsAMalformedCase() {
        CliRun run = CliRun.of("bench", "embed", "--cases", "16");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--cases: expected BATCHxTOKENS", "16");
    }

    /** Our side alone (no Python at that path): the warm-up it ran is in the header, the product in the table. */
    @Test
    void gemmWarmsUpForTheSecondsAskedBeforeTiming() {
        long start = System.nanoTime();
        CliRun run = CliRun.of("--threads", "1", "bench", "gemm", "--shapes", "8:8:8", "--ops", "matmul",
                "--thread-counts", "1", "--warmup", "2", "--warmup-seconds", "0.3", "--min-seconds", "0",
                "--python", "/nonexistent/python3");
        double seconds = (System.nanoTime() - start) / 1e9;
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("after >= 2 warm-up calls (>= 0.3 s)", "cannot start /nonexistent/python3");
        assertThat(run.outLines()).anyMatch(l -> l.matches("\\s+8 x 8 x 8\\s+matmul\\s+1\\s+[\\d.]+\\s+-\\s+-"));
        assertThat(seconds).as("the warm-up ran for its 0.3 s").isGreaterThanOrEqualTo(0.3);
    }

    @Test
    void gemmRejectsANegativeWarmUp() {
        CliRun run = CliRun.of("bench", "gemm", "--warmup-seconds", "-1");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--warmup-seconds: expected seconds >= 0", "-1.0");
    }

    private static CliRun run(EmbedBench command, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = new CommandLine(command).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
                .execute(args);
        return new CliRun(code, out.toString(), err.toString());
    }
}
