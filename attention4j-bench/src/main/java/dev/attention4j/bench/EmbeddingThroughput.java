package dev.attention4j.bench;

import ai.onnxruntime.OrtException;
import dev.attention4j.kernels.KernelChoice;
import dev.attention4j.kernels.Parallel;
import dev.attention4j.models.embeddings.TextEmbedder;
import dev.attention4j.models.pretrained.EmbeddingModel;
import dev.attention4j.models.pretrained.EmbeddingModels;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.spi.ToolProvider;

/**
 * Sentences per second of all-MiniLM-L6-v2 in attention4j and in ONNX Runtime, same JVM, same thread count, at
 * batch x tokens 1 x 16, 1 x 128 and 32 x 128 (or the shapes asked for).
 *
 * <p>attention4j: texts in, embeddings out ({@link TextEmbedder#embed(List)}: our tokenizer, our encoder, mean
 * pooling, L2). ONNX Runtime ({@link OrtSentenceEmbedder}): the same {@code .onnx} file on the same token ids (ours, which
 * equal HF tokenizers'), {@code session.run} then the same pooling and L2 in Java. Each text is long enough to be cut at exactly the case's
 * token count, so neither side pads. After a warm-up of each side (a few seconds by default: our side's JIT needs about
 * 4 s of running, two cores shared with its compiler threads, to reach its steady speed at 1 x 128; with the half
 * round it had before, the first round or two of the race measured compilation, at 0.68x against 0.95-1.05x in
 * later rounds at 1 x 16), the two sides alternate in rounds (so load from elsewhere hits
 * both); the figures are the medians over rounds, and the ratio is the median of the per-round ratios. Before timing,
 * the two sides' embeddings are compared (cosine), so that the race is between equal results. When ONNX Runtime
 * cannot start (its classes or its native library missing), the table says why and shows attention4j's side alone.
 *
 * <p>A {@link ToolProvider} named {@value #NAME}, which {@code attention4j bench embed} finds on the class path and
 * runs in its own JVM; and a main ({@code scripts/bench-embeddings}). Arguments: {@code [threads] [seconds per side
 * per round] [rounds] [cases] [warm-up seconds per side per case]}, default 2, 2, 5, {@code 1x16,1x128,32x128} and
 * {@value #DEFAULT_WARMUP_SECONDS}. Under each case's row, the ratio of every round in order, so a trend (a side
 * still warming up) shows.
 */
public final class EmbeddingThroughput implements ToolProvider {

    /** The tool's name, as {@code ToolProvider.findFirst} looks it up. */
    public static final String NAME = "attention4j-bench-embed";

    private static final String DEFAULT_CASES = "1x16,1x128,32x128";
    /** Seconds each side runs untimed before a case's rounds. */
    static final double DEFAULT_WARMUP_SECONDS = 5;
    private static final String[] WORDS = {"attention", "query", "key", "value", "the", "cat", "sat", "on", "mat",
        "softmax", "encoder", "decoder", "layer", "normalisation", "head", "token", "embedding", "retrieval", "of",
        "a", "river", "mountain", "coffee", "bread", "bee", "dance", "compiler", "graph", "commit", "marathon"};

    /** For {@link java.util.ServiceLoader}; {@link #main} otherwise. */
    public EmbeddingThroughput() {
    }

    public static void main(String[] args) throws Exception {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        System.exit(new EmbeddingThroughput().run(out, err, args));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int run(PrintWriter out, PrintWriter err, String... args) {
        int threads;
        double seconds;
        int rounds;
        int[][] cases;
        double warmup;
        try {
            threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
            seconds = args.length > 1 ? Double.parseDouble(args[1]) : 2;
            rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
            cases = parseCases(args.length > 3 ? args[3] : DEFAULT_CASES);
            warmup = args.length > 4 ? Double.parseDouble(args[4]) : DEFAULT_WARMUP_SECONDS;
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage() + "; arguments: [threads] [seconds per side per round] [rounds]"
                    + " [BATCHxTOKENS,...] [warm-up seconds per side per case]");
            err.flush();
            return 2;
        }
        if (threads < 1 || !(seconds > 0) || rounds < 1 || !(warmup >= 0)) {
            err.println("error: expected threads >= 1, seconds > 0, rounds >= 1 and warm-up >= 0 but got " + threads
                    + ", " + seconds + ", " + rounds + " and " + warmup);
            err.flush();
            return 2;
        }
        int before = Parallel.threads();
        try {
            Parallel.setThreads(threads);
            race(out, threads, seconds, rounds, warmup, cases, () -> new OrtSentenceEmbedder(threads));
            return 0;
        } catch (OrtException e) {
            err.println("error: ONNX Runtime failed while running: " + e.getMessage());
            err.flush();
            return 1;
        } catch (IOException e) {
            err.println("error: " + e);
            err.flush();
            return 1;
        } finally {
            Parallel.setThreads(before);
            out.flush();
        }
    }

    /** {@code BATCHxTOKENS,...}, e.g. {@code 1x16,32x128}. */
    static int[][] parseCases(String text) {
        List<int[]> cases = new ArrayList<>();
        for (String c : text.split(",")) {
            String[] parts = c.trim().split("x");
            try {
                if (parts.length == 2) {
                    int batchSize = Integer.parseInt(parts[0]);
                    int tokens = Integer.parseInt(parts[1]);
                    if (batchSize >= 1 && tokens >= 3 && tokens <= 512) {
                        cases.add(new int[] {batchSize, tokens});
                        continue;
                    }
                }
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw new IllegalArgumentException("cases: expected BATCHxTOKENS with batch >= 1 and 3 <= tokens <= 512"
                    + " (e.g. 32x128) but got " + c);
        }
        return cases.toArray(int[][]::new);
    }

    /** Opens the rival; throws when ONNX Runtime cannot start. */
    @FunctionalInterface
    interface Rival {
        OrtSentenceEmbedder open() throws IOException, OrtException;
    }

    /** The table, one row per case; when {@code rival} cannot open, attention4j's side alone and why. */
    static void race(PrintWriter out, int threads, double seconds, int rounds, double warmup, int[][] cases,
                     Rival rival)
            throws IOException, OrtException {
        EmbeddingModel model = EmbeddingModels.load(EmbeddingModels.DEFAULT);
        OrtSentenceEmbedder ort = null;
        String ortName;
        try {
            ort = rival.open();
            ortName = "ONNX Runtime " + ort.version();
        } catch (OrtException | LinkageError e) { // the native library or the jar missing
            ortName = "ONNX Runtime (unavailable: " + e + ")";
        }
        try {
            out.printf(Locale.ROOT, "all-MiniLM-L6-v2: attention4j (%s, %d threads) vs %s (%d intra-op threads);"
                    + " Java %s, %d processors; %.2f s per side per round, %d rounds, after %.1f s of warm-up per side"
                    + " per case%n",
                    KernelChoice.report().implementation(), threads, ortName, threads, Runtime.version(),
                    Runtime.getRuntime().availableProcessors(), seconds, rounds, warmup);
            out.println("batch x tokens   attention4j sent/s   ONNX Runtime sent/s   ratio (median, min-max)"
                    + "   1 - cosine");
            out.flush();
            for (int[] c : cases) {
                runCase(out, model, ort, c[0], c[1], seconds, rounds, warmup);
            }
            out.println("ratio = attention4j sent/s / ONNX Runtime sent/s, per round (above 1: attention4j is"
                    + " faster); 1 - cosine = the worst over the batch, attention4j's embedding against ORT's.");
        } finally {
            if (ort != null) {
                ort.close();
            }
        }
    }

    private static void runCase(PrintWriter out, EmbeddingModel model, OrtSentenceEmbedder ort, int batchSize,
                                int tokens, double seconds, int rounds, double warmup) throws OrtException {
        TextEmbedder embedder = new TextEmbedder(model.embedder().tokenizer(), model.embedder().sentenceEmbedder(),
                tokens).withBatching(batchSize, batchSize * tokens);
        List<String> texts = texts(batchSize, tokens);
        long[][] ids = new long[batchSize][];
        for (int b = 0; b < batchSize; b++) {
            ids[b] = Arrays.stream(embedder.tokenizer().encode(texts.get(b)).ids()).asLongStream().toArray();
            if (ids[b].length != tokens) {
                throw new IllegalStateException("text " + b + " has " + ids[b].length + " tokens, not " + tokens);
            }
        }
        Side ours = () -> embedder.embed(texts);
        Side theirs = ort == null ? null : () -> ort.embed(ids);
        double cosine = theirs == null ? Double.NaN : Statistics.worstCosine(ours.run(), theirs.run());
        measure(ours, warmup);
        if (theirs != null) {
            measure(theirs, warmup);
        }
        double[] oursRate = new double[rounds];
        double[] theirsRate = new double[rounds];
        double[] ratio = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            oursRate[r] = measure(ours, seconds) * batchSize;
            theirsRate[r] = theirs == null ? Double.NaN : measure(theirs, seconds) * batchSize;
            ratio[r] = oursRate[r] / theirsRate[r];
        }
        if (theirs == null) {
            out.printf(Locale.ROOT, "%5d x %-6d %18.1f %21s %24s %12s%n", batchSize, tokens,
                    Statistics.median(oursRate), "-", "-", "-");
        } else {
            out.printf(Locale.ROOT, "%5d x %-6d %18.1f %21.1f %10.2fx (%.2f-%.2f) %14.1e%n", batchSize, tokens,
                    Statistics.median(oursRate), Statistics.median(theirsRate), Statistics.median(ratio),
                    Statistics.min(ratio), Statistics.max(ratio), 1 - cosine);
            StringBuilder inOrder = new StringBuilder("                 ratio per round:");
            for (double x : ratio) {
                inOrder.append(String.format(Locale.ROOT, " %.2f", x));
            }
            out.println(inOrder);
        }
        out.flush();
    }

    /** One side of the race: a batch of embeddings, {@code [batchSize][dim]}. */
    @FunctionalInterface
    private interface Side {
        float[][] run() throws OrtException;
    }

    /** Calls per second over about {@code seconds} (at least one call). */
    private static double measure(Side side, double seconds) throws OrtException {
        long budget = (long) (seconds * 1e9);
        long start = System.nanoTime();
        int calls = 0;
        long elapsed;
        do {
            side.run();
            calls++;
            elapsed = System.nanoTime() - start;
        } while (elapsed < budget);
        return calls / (elapsed / 1e9);
    }

    /** Seeded random word salads, each long enough to be cut at {@code tokens}. */
    private static List<String> texts(int batchSize, int tokens) {
        SplittableRandom random = new SplittableRandom(batchSize * 1000L + tokens);
        List<String> texts = new ArrayList<>(batchSize);
        for (int b = 0; b < batchSize; b++) {
            StringBuilder text = new StringBuilder();
            for (int w = 0; w < tokens + 8; w++) {
                text.append(w == 0 ? "" : " ").append(WORDS[random.nextInt(WORDS.length)]);
            }
            texts.add(text.toString());
        }
        return texts;
    }
}
