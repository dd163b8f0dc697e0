package dev.attention4j.cli;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code attention4j bench attention} on sizes small enough for a unit test (speed is not asserted). */
class AttentionBenchTest {

    /** A table row: n, mask, pass, then the columns (ms, ratios, memory as "x.y MiB", GF/s). */
    private static final Pattern ROW = Pattern.compile(
            "^\\s+(\\d+)\\s+(none|causal)\\s+(forward|backward)\\s+\\|\\s+([\\d.]+)\\s+([\\d.]+)\\s+(\\S+)\\s+\\|"
                    + "\\s+([\\d.]+)x\\s+(\\S+)\\s+\\|\\s+(-?[\\d.]+) MiB\\s+(-?[\\d.]+) MiB\\s+(\\S+)\\s+\\|.*");

    @Test
    void printsOneRowPerCaseWithTheNaiveRival() {
        CliRun run = CliRun.of("bench", "attention", "--lengths", "200", "--model-dim", "32", "--heads", "2",
                "--rivals", "naive", "--warmup", "0", "--min-calls", "1", "--min-seconds", "0");
        assertThat(run.exitCode()).as(run.err()).isZero();
        List<Matcher> rows = rows(run);
        assertThat(rows).extracting(m -> m.group(2) + " " + m.group(3))
                .containsExactly("none forward", "none backward", "causal forward", "causal backward");
        for (Matcher m : rows) {
            assertThat(m.group(1)).isEqualTo("200");
            assertThat(m.group(6)).as("no PyTorch column when not asked for").isEqualTo("-");
        }
        assertThat(run.out()).contains("torch = PyTorch (not run)");
    }

    /**
     * Both paths allocate the projections (2 MiB here); the naive one also one (1024, 1024) block of weights per head
     * (4 MiB each), the tiled one none. Timed for long enough that the JIT has compiled the kernels (before that,
     * interpreted and C1 code allocates its vectors), since the bench reports the least of the timed calls.
     */
    @Test
    void theTiledPathAllocatesNoWeightBlocks() {
        CliRun run = CliRun.of("bench", "attention", "--lengths", "1024", "--model-dim", "128", "--heads", "2",
                "--masks", "none", "--passes", "forward", "--rivals", "naive", "--warmup", "5", "--min-calls", "5",
                "--min-seconds", "3");
        assertThat(run.exitCode()).as(run.err()).isZero();
        List<Matcher> rows = rows(run);
        assertThat(rows).hasSize(1);
        double ours = Double.parseDouble(rows.get(0).group(9));
        double naive = Double.parseDouble(rows.get(0).group(10));
        assertThat(naive - ours).as(rows.get(0).group()).isGreaterThanOrEqualTo(7.5);
        assertThat(ours).as(rows.get(0).group()).isLessThan(4);
    }

    private static List<Matcher> rows(CliRun run) {
        return run.outLines().stream().map(ROW::matcher).filter(Matcher::matches).toList();
    }

    @Test
    void saysWhyThePyTorchColumnIsEmptyWhenPythonIsMissing() {
        CliRun run = CliRun.of("bench", "attention", "--lengths", "64", "--model-dim", "16", "--heads", "2",
                "--masks", "causal", "--passes", "forward", "--rivals", "pytorch", "--python",
                "/nonexistent/python3", "--warmup", "0", "--min-calls", "1", "--min-seconds", "0");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("rival: cannot start /nonexistent/python3");
        assertThat(run.outLines()).anySatisfy(line -> assertThat(line).matches("^\\s+64\\s+causal\\s+forward\\s+\\|.*"));
    }

    @Test
    void rejectsUnknownMasksAndShapesThatDoNotSplitIntoHeads() {
        CliRun mask = CliRun.of("bench", "attention", "--masks", "diagonal");
        assertThat(mask.exitCode()).isNotZero();
        assertThat(mask.err()).contains("--masks: expected none or causal but got diagonal");
        CliRun heads = CliRun.of("bench", "attention", "--model-dim", "30", "--heads", "8");
        assertThat(heads.exitCode()).isNotZero();
        assertThat(heads.err()).contains("expected a positive d_model divisible by the heads but got 30 and 8");
    }
}
