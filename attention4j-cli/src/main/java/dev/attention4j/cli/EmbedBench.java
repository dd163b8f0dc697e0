package dev.attention4j.cli;

import dev.attention4j.kernels.Parallel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.spi.ToolProvider;

/**
 * {@code attention4j bench embed}: all-MiniLM-L6-v2's sentences per second in attention4j and in ONNX Runtime, same
 * JVM, same threads, side by side with the ratio.
 *
 * <p>ONNX Runtime is a test and benchmark dependency only: it is never in the library nor in {@code attention4j.jar}.
 * The race itself lives in {@code attention4j-bench} ({@code EmbeddingThroughput} at fixed shapes,
 * {@code CorpusThroughput} over real sentences), which offers it as a {@link ToolProvider} (the JDK's interface for a
 * tool run in-process with writers and arguments). This command parses the flags, then finds that tool by name on the
 * class path and runs it in this JVM; the {@code ./attention4j} launcher puts {@code attention4j-bench} and ONNX
 * Runtime on the class path for this subcommand only. Without them the command says so and exits with 1.
 */
@Command(name = "embed", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Times all-MiniLM-L6-v2 sentence embeddings (texts in, unit vectors out) against ONNX Runtime "
                + "on the same .onnx file, same JVM, same threads: sentences/s side by side with the ratio.",
            "Threads: the global --threads (default: all processors), for both sides.",
            "Needs attention4j-bench and ONNX Runtime on the class path, which ./attention4j adds for this "
                    + "subcommand; attention4j.jar alone says so and exits with 1."})
final class EmbedBench implements Callable<Integer> {

    /** The tool names {@code attention4j-bench} registers (its {@code META-INF/services}). */
    static final String SHAPES_TOOL = "attention4j-bench-embed";
    static final String CORPUS_TOOL = "attention4j-bench-corpus";

    @Spec
    private CommandSpec spec;

    @Option(names = "--cases", defaultValue = "1x16,1x128,32x128", split = ",", paramLabel = "BATCHxTOKENS",
            description = "Batch x tokens per call, each text exactly that many tokens (default ${DEFAULT-VALUE}).")
    private List<String> cases;
    @Option(names = "--seconds", defaultValue = "2", description = "Seconds per side per round (default "
            + "${DEFAULT-VALUE}).")
    private double seconds;
    @Option(names = "--warmup", defaultValue = "5", description = "Seconds each side runs untimed before a case's "
            + "rounds (default ${DEFAULT-VALUE}: attention4j's JIT takes about 4 s to reach its steady speed).")
    private double warmup;
    @Option(names = "--rounds", defaultValue = "5", description = "Rounds, the sides alternating; medians over rounds "
            + "(default ${DEFAULT-VALUE}).")
    private int rounds;
    @Option(names = "--corpus", description = "Instead of fixed shapes: the first --sentences English sentences of "
            + "Europarl (mixed lengths), attention4j's batching against ONNX Runtime batched three ways; one pass "
            + "per side per round (--cases and --seconds do not apply).")
    private boolean corpus;
    @Option(names = "--sentences", defaultValue = "4000", description = "Sentences of the corpus (--corpus) "
            + "(default ${DEFAULT-VALUE}).")
    private int sentences;

    private final Function<String, Optional<ToolProvider>> tools;

    EmbedBench() {
        this(ToolProvider::findFirst);
    }

    /** With {@code tools} finding the benchmark by name (tests). */
    EmbedBench(Function<String, Optional<ToolProvider>> tools) {
        this.tools = tools;
    }

    @Override
    public Integer call() throws UserError {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String name = corpus ? CORPUS_TOOL : SHAPES_TOOL;
        List<String> args = toolArguments(Parallel.threads());
        Optional<ToolProvider> tool = tools.apply(name);
        if (tool.isEmpty()) {
            err.println("error: bench embed needs attention4j-bench and ONNX Runtime on the class path (the rival; "
                    + "attention4j.jar never holds ONNX Runtime, which is for tests and benchmarks only): run "
                    + "./attention4j bench embed, which builds them and adds them for this subcommand, or "
                    + (corpus ? "scripts/bench-corpus" : "scripts/bench-embeddings") + ". No tool named " + name
                    + " was found.");
            err.flush();
            return 1;
        }
        out.println("attention4j bench embed" + (corpus ? " --corpus" : "") + ": " + name + " "
                + String.join(" ", args));
        out.flush();
        return tool.get().run(out, err, args.toArray(String[]::new));
    }

    /** The tool's positional arguments: EmbeddingThroughput's or CorpusThroughput's. */
    List<String> toolArguments(int threads) throws UserError {
        if (!(seconds > 0) || rounds < 1 || sentences < 1 || !(warmup >= 0)) {
            throw new UserError("--seconds, --rounds, --sentences, --warmup: expected > 0, >= 1, >= 1 and >= 0 but"
                    + " got " + seconds + ", " + rounds + ", " + sentences + " and " + warmup);
        }
        List<String> args = new ArrayList<>(List.of(Integer.toString(threads)));
        if (corpus) {
            args.addAll(List.of(Integer.toString(rounds), Integer.toString(sentences)));
            return args;
        }
        for (String c : cases) {
            if (!c.trim().matches("[1-9][0-9]*x[1-9][0-9]*")) {
                throw new UserError("--cases: expected BATCHxTOKENS, e.g. 32x128, but got " + c);
            }
        }
        args.addAll(List.of(Double.toString(seconds), Integer.toString(rounds),
                String.join(",", cases.stream().map(String::trim).toList()), Double.toString(warmup)));
        return args;
    }
}
