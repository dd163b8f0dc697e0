package dev.attention4j.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * {@code attention4j demo}: the five attention mechanisms on a small fixed example, with their shapes, weight grids
 * and checks, then retrieval with the built-in pretrained encoder ({@link RetrievalDemo}). Exits 1 if a check fails.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Shows the five attention mechanisms (scaled dot-product, self, multi-head, cross, masked) "
                + "and an encoder-decoder Transformer on a small fixed example, then retrieval (the first step of "
                + "retrieval-augmented generation) with the built-in pretrained all-MiniLM-L6-v2.",
            "Deterministic: the same output at any --threads."})
final class DemoCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        DemoReport report = AttentionDemo.run(DemoExample.standard());
        PrintWriter out = spec.commandLine().getOut();
        for (String line : report.lines()) {
            out.println(line);
        }
        out.flush();
        return report.failedChecks() == 0 ? 0 : 1;
    }
}
