package dev.attention4j.cli;

import dev.attention4j.kernels.KernelChoice;
import dev.attention4j.kernels.KeptPanels;
import dev.attention4j.kernels.Parallel;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class InfoCommandTest {

    @Test
    void reportsTheJdkTheVectorApiTheKernelsAndTheThreads() {
        CliRun run = CliRun.of("info");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out())
                .contains(System.getProperty("java.version"))
                .contains(System.getProperty("java.vendor"))
                .contains(System.getProperty("java.home"))
                .containsPattern("threads +" + Parallel.threads() + " ")
                .containsPattern("processors +" + Runtime.getRuntime().availableProcessors())
                .contains("max heap")
                .contains(KeptPanels.cacheBytes() > 0
                        ? String.format(java.util.Locale.ROOT, "last cache  %.1f MiB",
                                KeptPanels.cacheBytes() / (double) (1L << 20))
                        : "last cache  unknown")
                .contains("kernels     " + KernelChoice.report().implementation())
                .contains(KernelChoice.report().reason());
    }

    @Test
    void saysWhetherTheVectorApiIsInUseAndNamesTheSpeciesOrWhyNot() {
        String out = CliRun.of("info").out();
        KernelChoice.Report report = KernelChoice.report();
        assertThat(out).contains("vector API  " + (report.vectorApiInUse() ? "in use: " : "not in use: "));
        String species = out.lines().filter(l -> l.trim().startsWith("species")).findFirst().orElseThrow();
        String name = KernelChoice.active().name();
        if (name.matches(".*\\(S_[^)]*\\).*")) {
            assertThat(species).contains(name.replaceAll(".*\\((S_[^)]*)\\).*", "$1"));
        } else {
            assertThat(species).contains("\"" + name + "\"");
        }
    }
}
