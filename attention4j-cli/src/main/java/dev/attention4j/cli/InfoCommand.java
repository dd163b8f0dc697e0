package dev.attention4j.cli;

import dev.attention4j.kernels.KernelChoice;
import dev.attention4j.kernels.KeptPanels;
import dev.attention4j.kernels.Parallel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code attention4j info}: the JDK, whether the Vector API is in use (and if not, why), kernels and threads. */
@Command(name = "info", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Shows the JDK, the Vector API status, the kernels and the threads in use.")
final class InfoCommand implements Callable<Integer> {


    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        out.println(new Main.Version().getVersion()[0]);
        for (String line : lines()) {
            out.println(line);
        }
        out.flush();
        return 0;
    }

    /** The report, one {@code label  value} line each. */
    static List<String> lines() {
        KernelChoice.Report report = KernelChoice.report();
        Runtime runtime = Runtime.getRuntime();
        List<String> lines = new ArrayList<>();
        lines.add(row("java", System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ", "
                + System.getProperty("java.vm.name") + ")"));
        lines.add(row("java.home", System.getProperty("java.home")));
        lines.add(row("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch")));
        lines.add(row("vector API", (report.vectorApiInUse() ? "in use: " : "not in use: ") + report.reason()));
        lines.add(row("species", report.species()));
        lines.add(row("kernels", report.implementation()));
        lines.add(row("threads", Parallel.threads() + " (--threads N to change)"));
        lines.add(row("processors", Integer.toString(runtime.availableProcessors())));
        lines.add(row("max heap", String.format(Locale.ROOT, "%.1f GiB", runtime.maxMemory() / (double) (1L << 30))));
        long cache = KeptPanels.cacheBytes();
        lines.add(row("last cache", cache > 0
                ? String.format(Locale.ROOT, "%.1f MiB (kept weights past half of it are read through before use)",
                        cache / (double) (1L << 20))
                : "unknown (-Dattention4j.cache.lastLevelBytes=N to give it)"));
        return lines;
    }


    private static String row(String label, String value) {
        return String.format(Locale.ROOT, "  %-11s %s", label, value);
    }
}
