package dev.attention4j.cli;

import dev.attention4j.kernels.Parallel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class MainTest {

    private final int threadsBefore = Parallel.threads();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(threadsBefore);
    }

    @Test
    void helpListsTheCommandsAndTheGlobalThreadsOption() {
        CliRun run = CliRun.of("--help");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("Usage: attention4j").contains("info").contains("demo").contains("train")
                .contains("translate").contains("--threads");
    }

    @Test
    void versionNamesTheProjectVersionAndTheJdk() {
        CliRun run = CliRun.of("--version");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).containsPattern("attention4j \\d+\\.\\d+\\.\\d+")
                .contains("JDK " + System.getProperty("java.version"));
    }

    @Test
    void anUnknownCommandPrintsUsageAndExitsWith2() {
        CliRun run = CliRun.of("xyzzy");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("xyzzy").contains("Usage: attention4j");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void noCommandAtAllIsAUsageError() {
        CliRun run = CliRun.of();
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Usage: attention4j");
    }

    @Test
    void threadsIsGlobalBeforeOrAfterTheCommand() {
        CliRun before = CliRun.of("--threads", "1", "info");
        assertThat(before.exitCode()).isZero();
        assertThat(before.out()).containsPattern("threads +1 ");
        assertThat(Parallel.threads()).isEqualTo(1);

        CliRun after = CliRun.of("info", "--threads", "3");
        assertThat(after.exitCode()).isZero();
        assertThat(after.out()).containsPattern("threads +3 ");
        assertThat(Parallel.threads()).isEqualTo(3);
    }

    @Test
    void threadsBelowOneIsAUsageErrorNamingTheOption() {
        int threads = Parallel.threads();
        CliRun run = CliRun.of("--threads", "0", "info");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--threads").contains(">= 1").contains("0");
        assertThat(Parallel.threads()).isEqualTo(threads);
    }

    @Test
    void anIoFailureWhileRunningIsOneErrorLineAndExit1NotAStackTrace(@TempDir Path dir) {
        // A directory given as the input file: reading it fails with an IOException that is nobody's usage error.
        CliRun run = CliRun.of("embed", "--input", dir.toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err().strip()).startsWith("error: ").contains("IOException").doesNotContain("\tat ")
                .doesNotContain("\n");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void aUsageErrorFoundWhileRunningIsOneErrorLineAndExit2() {
        CliRun run = CliRun.of("cost", "--seq", "0");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err().strip()).isEqualTo("error: --seq: expected a number >= 1 but got 0");
    }
}
