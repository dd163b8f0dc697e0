package dev.attention4j.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code attention4j demo}: the five attention mechanisms on a small fixed example, with their shapes, weight grids
 * and checks; then a tour on built-in models: translation and its alignment ({@link TranslationDemo}), retrieval with
 * the pretrained encoder ({@link RetrievalDemo}), and the explorer files for both ({@link ExplorerDemo}). Exits 1 if
 * a check fails.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Shows the five attention mechanisms (scaled dot-product, self, multi-head, cross, masked) "
                + "and an encoder-decoder Transformer on a small fixed example; then translation with the built-in "
                + "numbers model and its cross-attention alignment, retrieval (the first step of retrieval-augmented "
                + "generation) with the built-in pretrained all-MiniLM-L6-v2, and the attention explorer for both, "
                + "written to --out.",
            "Deterministic: the same output at any --threads."})
final class DemoCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--out", paramLabel = "DIR", description = "Where the explorer pages and the heatmap go "
            + "(default: ${DEFAULT-VALUE}, created if missing).")
    private Path out = Path.of("attention4j-demo");

    @Override
    public Integer call() {
        DemoReport report = AttentionDemo.run(DemoExample.standard(), out);
        PrintWriter out = spec.commandLine().getOut();
        for (String line : report.lines()) {
            out.println(line);
        }
        out.flush();
        return report.failedChecks() == 0 ? 0 : 1;
    }
}
