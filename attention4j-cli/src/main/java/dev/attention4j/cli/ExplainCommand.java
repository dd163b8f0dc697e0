package dev.attention4j.cli;

import dev.attention4j.models.pretrained.EmbeddingModel;
import dev.attention4j.viz.AttentionHeatmap;
import dev.attention4j.viz.AttentionMatrix;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code attention4j explain}: runs a pretrained encoder on a text and writes what every layer and head attended to —
 * the interactive explorer ({@code .html}) or a heatmap ({@code .png}/{@code .svg}: every layer and head, or one) —
 * and prints each head's normalised entropy.
 */
@Command(name = "explain", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, sortOptions = false,
        description = {"Runs a pretrained encoder (default: all-MiniLM-L6-v2, built in) on TEXT and writes its "
                + "attention, every layer and head: the interactive explorer (.html, opens offline in a browser) or "
                + "a heatmap (.png or .svg: a layer x head grid, or one head with --layer and --head).",
            "Prints the tokens and each head's normalised entropy (0 = every token attends to one token, 1 = "
                + "uniform)."},
        footer = {"", "Examples:", "  attention4j explain \"The cat sat on the mat because it was tired.\"",
            "  attention4j explain --out heads.png \"The cat sat on the mat.\"",
            "  attention4j explain --out head.svg --layer 2 --head 5 \"The cat sat on the mat.\"",
            "  attention4j explain --model bge-small-zh-v1.5 --out zh.html \"注意力机制是什么\""})
final class ExplainCommand implements Callable<Integer> {

    static final String DEFAULT_OUT = "explain.html";

    @Spec
    private CommandSpec spec;

    @Option(names = "--out", paramLabel = "FILE", description = "Where to write: .html (the explorer; default: "
            + DEFAULT_OUT + "), .png or .svg (a heatmap).")
    private Path out = Path.of(DEFAULT_OUT);

    @Option(names = "--layer", paramLabel = "L", description = "With .png/.svg: draw only this layer (from 0).")
    private Integer layer;

    @Option(names = "--head", paramLabel = "H", description = "With .png/.svg and --layer: draw only this head "
            + "(from 0).")
    private Integer head;

    @Mixin
    private EmbeddingModelChoice modelChoice = new EmbeddingModelChoice();

    @Parameters(paramLabel = "TEXT", arity = "1..*", description = "The text (several words are joined by spaces).")
    private List<String> words;

    @Override
    public Integer call() throws UserError, IOException {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            String text = String.join(" ", words);
            Format format = format(out);
            if (format == Format.HTML && (layer != null || head != null)) {
                throw new UserError("--layer and --head pick what a .png or .svg draws; the .html explorer has every"
                        + " layer and head (choose them in the page)");
            }
            if (head != null && layer == null) {
                throw new UserError("--head needs --layer");
            }
            EmbeddingModel model = modelChoice.load();
            EncoderAttention attention = EncoderAttention.of(model, text);
            HeadMaps self = attention.self();
            checkIndex("--layer", layer, self.layers());
            checkIndex("--head", head, self.heads());

            List<String> tokens = attention.tokens();
            stdout.println(model.name() + ": " + self.layers() + " layers x " + self.heads() + " heads, "
                    + tokens.size() + " tokens: " + String.join(" ", tokens));
            stdout.println("normalised entropy per head (0 = focused on one token, 1 = uniform):");
            for (String line : entropyTable(self.entropy())) {
                stdout.println(line);
            }
            switch (format) {
                case HTML -> ExplorerPages.encoder(model.name(), text, attention).writeHtml(out);
                case PNG, SVG -> {
                    AttentionHeatmap picture = heatmap(self, tokens);
                    AttentionHeatmap.Written written;
                    try {
                        written = picture.title(model.name() + ": " + text).write(out);
                    } catch (IllegalArgumentException e) { // e.g. too many cells for an SVG
                        throw new UserError("--out " + out + ": " + e.getMessage(), e);
                    }
                    for (String warning : written.warnings()) {
                        err.println("warning: " + warning);
                    }
                }
            }
            stdout.println("wrote " + out.toAbsolutePath());
            return 0;
        } finally {
            stdout.flush();
            err.flush();
        }
    }

    private enum Format { HTML, PNG, SVG }

    private static Format format(Path file) throws UserError {
        String name = String.valueOf(file.getFileName()).toLowerCase(Locale.ROOT);
        if (name.endsWith(".html") || name.endsWith(".htm")) {
            return Format.HTML;
        }
        if (name.endsWith(".png")) {
            return Format.PNG;
        }
        if (name.endsWith(".svg")) {
            return Format.SVG;
        }
        throw new UserError("--out " + file + ": expected a file name ending in .html, .png or .svg");
    }

    private static void checkIndex(String option, Integer value, int count) throws UserError {
        if (value != null && (value < 0 || value >= count)) {
            throw new UserError(option + ": expected 0.." + (count - 1) + " (this model has " + count + ") but got "
                    + value);
        }
    }

    private AttentionHeatmap heatmap(HeadMaps self, List<String> tokens) {
        if (layer == null) {
            return AttentionHeatmap.grid(self.weights(), tokens, tokens);
        }
        if (head == null) { // one layer, every head: a one-row grid
            return AttentionHeatmap.grid(new float[][][] {self.weights()[layer]}, tokens, tokens);
        }
        return AttentionHeatmap.of(AttentionMatrix.of("layer " + layer + " · head " + head,
                self.weights()[layer][head], tokens, tokens));
    }

    /** {@code layer} rows, one column per head, two decimals. */
    static List<String> entropyTable(float[][] entropy) {
        List<String> lines = new ArrayList<>();
        StringBuilder header = new StringBuilder("  layer");
        for (int h = 0; h < entropy[0].length; h++) {
            header.append(String.format(Locale.ROOT, " %5s", "h" + h));
        }
        lines.add(header.toString());
        for (int l = 0; l < entropy.length; l++) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "  %5d", l));
            for (float e : entropy[l]) {
                row.append(String.format(Locale.ROOT, " %5.2f", e));
            }
            lines.add(row.toString());
        }
        return lines;
    }
}
