package dev.attention4j.cli;

import dev.attention4j.inspect.CostModel;
import dev.attention4j.models.bert.BertConfig;
import dev.attention4j.viz.LineChart;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code attention4j cost}: what a model costs — parameters, FLOPs per token forward and backward, training
 * activations, KV-cache bytes, attention's share of the work — at one length, and, with {@code --plot}, how each
 * grows with the length.
 */
@Command(name = "cost", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Shows what a model costs: parameters, FLOPs per token, training activations, KV-cache bytes "
                + "and attention's share, and plots how they grow with the sequence length.")
final class CostCommand implements Callable<Integer> {

    private static final int WIDTH = 900;
    private static final int HEIGHT = 560;

    @Spec
    private CommandSpec spec;

    @Option(names = "--preset", paramLabel = "NAME", converter = CostPreset.Names.class,
            completionCandidates = CostPreset.Names.class,
            description = "One of ${COMPLETION-CANDIDATES} (minilm: all-MiniLM-L6-v2, the built-in encoder); "
                    + "default base.")
    private CostPreset preset;

    @Option(names = "--config", paramLabel = "FILE", description = "A BERT config.json (Hugging Face) instead of a "
            + "preset.")
    private Path config;

    @Option(names = "--seq", paramLabel = "N", defaultValue = "128",
            description = "Tokens per sequence (source and target alike); default ${DEFAULT-VALUE}.")
    private int seq;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "1",
            description = "Sequences per batch, for memory; default ${DEFAULT-VALUE}.")
    private int batch;

    @Option(names = "--vocab", paramLabel = "V", defaultValue = "" + CostPreset.PAPER_VOCAB,
            description = "Source and target vocabulary of the encoder-decoder presets; default ${DEFAULT-VALUE} "
                    + "(the paper's).")
    private int vocab;

    @Option(names = "--plot", paramLabel = "FILE", description = "Write how FLOPs per token, activations and the "
            + "KV cache grow with the length, as .png or .svg.")
    private Path plot;

    @Override
    public Integer call() throws UserError, IOException {
        PrintWriter out = spec.commandLine().getOut();
        try {
            requirePositive("--seq", seq);
            requirePositive("--batch", batch);
            requirePositive("--vocab", vocab);
            Model model = model();
            for (String line : table(model.name(), model.cost(), seq, batch)) {
                out.println(line);
            }
            if (plot != null) {
                writePlot(model, plot);
                out.println("plot: " + plot.toAbsolutePath());
            }
            return 0;
        } finally {
            out.flush();
        }
    }

    private record Model(String name, CostModel cost) {
    }

    private Model model() throws UserError, IOException {
        if (config != null && preset != null) {
            throw new UserError("give --preset or --config, not both");
        }
        if (config != null) {
            if (!Files.isRegularFile(config)) {
                throw new UserError("--config " + config + ": no such file");
            }
            BertConfig bert = BertConfig.read(config);
            return new Model(config.toString() + " (BERT encoder)", CostPreset.bert(bert));
        }
        CostPreset p = preset == null ? CostPreset.BASE : preset;
        int maxLen = Math.max(seq, 1);
        String name = p.name().toLowerCase(Locale.ROOT) + ": " + p.description()
                + (p == CostPreset.MINILM ? "" : ", vocab " + vocab + " (source and target tables)");
        return new Model(name, p.costModel(vocab, maxLen));
    }

    /** The report at one length. */
    static List<String> table(String name, CostModel c, int seq, int batch) {
        boolean decoder = c.numDecoderLayers() > 0;
        CostModel.Flops f = c.forwardFlops(seq, seq);
        List<String> lines = new ArrayList<>();
        lines.add(name);
        lines.add(row("parameters", String.format(Locale.ROOT, "%,d (%.2fM; %s in float32)", c.parameters(),
                c.parameters() / 1e6, bytes(c.parameterBytes()))));
        lines.add(row("  layers", String.format(Locale.ROOT, "%,d (encoder layer %,d%s)", c.stackParameters(),
                c.encoderLayerParameters(), decoder ? String.format(Locale.ROOT, ", decoder layer %,d",
                        c.decoderLayerParameters()) : "")));
        lines.add(row("  embeddings", String.format(Locale.ROOT, "%,d", c.embeddings())));
        String lengths = decoder ? "source = target = " + seq + " tokens" : seq + " tokens";
        lines.add(row("at", lengths + ", batch " + batch));
        lines.add(row("forward", String.format(Locale.ROOT, "%s FLOPs per token (%s per sequence%s)",
                flops(c.forwardFlopsPerToken(seq, seq)), flops(f.total()), decoder ? " pair" : "")));
        lines.add(row("backward", String.format(Locale.ROOT, "%s FLOPs per token (2 x forward)",
                flops(2 * c.forwardFlopsPerToken(seq, seq)))));
        lines.add(row("attention", String.format(Locale.ROOT, "%.1f%% of forward FLOPs: O(n^2) self-attention "
                + "%.1f%%%s", 100 * f.attentionShare(), 100 * f.quadraticShare(), decoder
                ? String.format(Locale.ROOT, ", O(n*m) cross-attention %.1f%%", 100 * f.crossShare()) : "")));
        lines.add(row("activations", bytes(c.activationBytes(batch, seq, seq)) + " kept for backward (training)"));
        if (decoder) {
            lines.add(row("KV cache", String.format(Locale.ROOT, "%s self-attention after %d target tokens + %s "
                            + "cross-attention for %d source tokens", bytes(c.selfCacheBytes(batch, seq)), seq,
                    bytes(c.crossCacheBytes(batch, seq)), seq)));
        } else {
            lines.add(row("KV cache", "none (an encoder reads its whole input at once)"));
        }
        return lines;
    }

    private void writePlot(Model model, Path file) throws IOException, UserError {
        String ext = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (!ext.endsWith(".png") && !ext.endsWith(".svg")) {
            throw new UserError("--plot " + file + ": expected a .png or .svg file name");
        }
        CostModel c = model.cost();
        int points = 9; // 16, 32, ..., 4096 tokens
        double[] len = new double[points];
        double[] flopsPerToken = new double[points];
        double[] attention = new double[points];
        double[] activations = new double[points];
        double[] cache = new double[points];
        for (int i = 0; i < points; i++) {
            int n = 16 << i;
            len[i] = n;
            CostModel.Flops f = c.forwardFlops(n, n);
            flopsPerToken[i] = c.forwardFlopsPerToken(n, n) / 1e6;
            attention[i] = (f.encoderSelfAttention() + f.decoderSelfAttention() + f.crossAttention())
                    / (double) (n + (c.numDecoderLayers() > 0 ? n : 0)) / 1e6;
            activations[i] = c.activationBytes(batch, n, n) / 1e6;
            cache[i] = (c.selfCacheBytes(batch, n) + c.crossCacheBytes(batch, n)) / 1e6;
        }
        LineChart chart = LineChart.of("Cost against sequence length - " + model.name().split(":")[0])
                .xLabel("tokens per sequence").yLabel("MFLOPs per token / MB (log scale)").logY()
                .series("forward MFLOPs per token", len, flopsPerToken)
                .series("  of which attention", len, attention)
                .series("training activations, MB (batch " + batch + ")", len, activations);
        if (c.numDecoderLayers() > 0) {
            chart = chart.series("KV cache, MB (batch " + batch + ")", len, cache);
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        if (ext.endsWith(".png")) {
            chart.writePng(file, WIDTH, HEIGHT);
        } else {
            chart.writeSvg(file, WIDTH, HEIGHT);
        }
    }

    private static void requirePositive(String option, int value) throws UserError {
        if (value < 1) {
            throw new UserError(option + ": expected a number >= 1 but got " + value);
        }
    }

    private static String row(String label, String value) {
        return String.format(Locale.ROOT, "  %-12s %s", label, value);
    }

    static String flops(double v) {
        String[] units = {"", "K", "M", "G", "T", "P"};
        int u = 0;
        while (Math.abs(v) >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return String.format(Locale.ROOT, "%.2f %s", v, units[u]).trim();
    }

    static String bytes(long b) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double v = b;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
    }
}
