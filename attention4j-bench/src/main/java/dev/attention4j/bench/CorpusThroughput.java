package dev.attention4j.bench;

import ai.onnxruntime.OrtException;
import dev.attention4j.kernels.KernelChoice;
import dev.attention4j.kernels.Parallel;
import dev.attention4j.models.embeddings.SentenceEmbedder;
import dev.attention4j.models.embeddings.TextEmbedder;
import dev.attention4j.models.embeddings.TokenBatch;
import dev.attention4j.models.embeddings.TokenEncoder;
import dev.attention4j.models.pretrained.EmbeddingModels;
import dev.attention4j.tensor.Tensor;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.spi.ToolProvider;

/**
 * Sentences per second of all-MiniLM-L6-v2 over a corpus of real sentences of mixed lengths (the first
 * {@code sentences} English sentences of {@link EuroparlSentences}), attention4j against ONNX Runtime run the ways its
 * users run it, same JVM, same thread count.
 *
 * <ul>
 *   <li><b>attention4j</b>: {@link TextEmbedder#embed(List)} on the whole corpus, texts in (our tokenizer included);
 *   <li><b>ORT, batches of 32 in corpus order</b>: 32 consecutive sentences per {@code session.run}, padded to the
 *       batch's longest (how ORT users and sentence-transformers-style loops without sorting batch);
 *   <li><b>ORT, one at a time</b>: one sentence per {@code session.run}, no padding (what langchain4j's
 *       {@code AllMiniLmL6V2EmbeddingModel} does: tokenize one, run, mean-pool, normalise);
 *   <li><b>ORT, length-sorted batches of 32</b>: the best an ORT user could do with padded batches.
 * </ul>
 *
 * <p>The ORT sides get the token ids ready-made (ours, truncated at 256 tokens as attention4j's; they equal HF
 * tokenizers'), so they do not pay for tokenizing and attention4j does. One pass over the corpus per side per round;
 * the order of the sides rotates from round to round so that load from elsewhere hits all of them. The figures are
 * medians over the rounds, and each ratio is the median of the per-round ratios. Before timing, every side's
 * embeddings are compared with attention4j's (worst cosine over the corpus).
 *
 * <p>A {@link ToolProvider} named {@value #NAME} ({@code attention4j bench embed --corpus} runs it in its own JVM)
 * and a main ({@code scripts/bench-corpus}). Arguments: {@code [threads] [rounds] [sentences] [attention4j]}, default
 * 2, 5 and 4000; a fourth argument {@code attention4j} times attention4j's side alone (to profile it). When ONNX
 * Runtime cannot start, it says why and times attention4j's side alone.
 */
public final class CorpusThroughput implements ToolProvider {

    /** The tool's name, as {@code ToolProvider.findFirst} looks it up. */
    public static final String NAME = "attention4j-bench-corpus";

    private static final int MAX_TOKENS = 256;
    private static final int ORT_BATCH = 32;

    /** For {@link java.util.ServiceLoader}; {@link #main} otherwise. */
    public CorpusThroughput() {
    }

    /** One way of embedding the whole corpus: {@code [sentences][384]} in corpus order. */
    @FunctionalInterface
    private interface Side {
        float[][] run() throws OrtException;
    }

    private record Named(String name, Side side) {
    }

    /** Sentences taken {@link #ORT_BATCH} at a time in {@code order}. */
    private record Batching(String name, int[] order) {
    }

    public static void main(String[] args) throws Exception {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        System.exit(new CorpusThroughput().run(out, err, args));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int run(PrintWriter out, PrintWriter err, String... args) {
        int threads;
        int rounds;
        int count;
        try {
            threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
            rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
            count = args.length > 2 ? Integer.parseInt(args[2]) : 4000;
        } catch (NumberFormatException e) {
            err.println("error: " + e.getMessage() + "; arguments: [threads] [rounds] [sentences] [attention4j]");
            err.flush();
            return 2;
        }
        if (threads < 1 || rounds < 1 || count < 1) {
            err.println("error: expected threads, rounds and sentences >= 1 but got " + threads + ", " + rounds
                    + " and " + count);
            err.flush();
            return 2;
        }
        boolean oursOnly = args.length > 3 && args[3].equals("attention4j"); // for profiling our side alone
        int before = Parallel.threads();
        try {
            Parallel.setThreads(threads);
            race(out, threads, rounds, count, oursOnly);
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

    private static void race(PrintWriter out, int threads, int rounds, int count, boolean oursOnly)
            throws IOException, OrtException {
        TextEmbedder model = EmbeddingModels.load(EmbeddingModels.DEFAULT).embedder();
        TextEmbedder embedder = new TextEmbedder(model.tokenizer(), model.sentenceEmbedder(), MAX_TOKENS);
        List<String> corpus = EuroparlSentences.first(count);
        long[][] ids = new long[count][];
        int[] lengths = new int[count];
        for (int i = 0; i < count; i++) {
            ids[i] = Arrays.stream(embedder.tokenizer().encode(corpus.get(i)).ids()).asLongStream().toArray();
            lengths[i] = ids[i].length;
        }
        describe(out, lengths);
        describeOwnBatches(out, embedder, corpus, lengths);

        OrtSentenceEmbedder opened = null;
        String ortName;
        try {
            opened = new OrtSentenceEmbedder(threads);
            ortName = "ONNX Runtime " + opened.version();
        } catch (OrtException | LinkageError e) { // the native library or the jar missing
            ortName = "ONNX Runtime (unavailable: " + e + "; attention4j's side alone)";
        }
        OrtSentenceEmbedder ort = opened;
        try {
            out.printf(Locale.ROOT, "all-MiniLM-L6-v2: attention4j (%s, %d threads) vs %s (%d"
                    + " intra-op threads); Java %s, %d processors; %d rounds, one pass over the corpus per side per"
                    + " round%n", KernelChoice.report().implementation(), threads, ortName, threads,
                    Runtime.version(), Runtime.getRuntime().availableProcessors(), rounds);
            List<Named> all = List.of(
                    new Named("attention4j (TextEmbedder.embed)", () -> embedder.embed(corpus)),
                    new Named("ORT, batches of 32, corpus order", () -> ortBatches(ort, ids, corpusOrder(count))),
                    new Named("ORT, one at a time", () -> ortOneByOne(ort, ids)),
                    new Named("ORT, length-sorted batches of 32", () -> ortBatches(ort, ids, sortedOrder(lengths))));
            List<Named> sides = oursOnly || ort == null ? all.subList(0, 1) : all;
            float[][] reference = sides.get(0).side().run(); // also the warm-up
            for (Named s : sides.subList(1, sides.size())) {
                out.printf(Locale.ROOT, "  %-34s 1 - worst cosine vs attention4j over the corpus: %.1e%n",
                        s.name(), 1 - Statistics.worstCosine(reference, s.side().run()));
            }
            double[][] rates = new double[sides.size()][rounds]; // sentences per second
            for (int r = 0; r < rounds; r++) {
                out.printf(Locale.ROOT, "  round %d (load average %.2f):", r + 1, loadAverage());
                for (int k = 0; k < sides.size(); k++) {
                    int s = (k + r) % sides.size();
                    long start = System.nanoTime();
                    sides.get(s).side().run();
                    rates[s][r] = count / ((System.nanoTime() - start) / 1e9);
                    out.printf(Locale.ROOT, " %s %.1f;", sides.get(s).name().split(" ")[0]
                            + (s == 0 ? "" : "#" + s), rates[s][r]);
                }
                out.println();
            }
            out.printf(Locale.ROOT, "load average at the end: %.2f%n", loadAverage());
            out.println("side                                sent/s (median, min-max)   attention4j / side"
                    + " (median of per-round ratios, min-max)");
            for (int s = 0; s < sides.size(); s++) {
                double[] ratio = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    ratio[r] = rates[0][r] / rates[s][r];
                }
                out.printf(Locale.ROOT, "%-34s %8.1f (%.1f-%.1f) %12.2fx (%.2f-%.2f)%n", sides.get(s).name(),
                        Statistics.median(rates[s]), Statistics.min(rates[s]), Statistics.max(rates[s]),
                        Statistics.median(ratio), Statistics.min(ratio), Statistics.max(ratio));
            }
        } finally {
            if (ort != null) {
                ort.close();
            }
        }
    }

    /** The corpus's length distribution and the padding each batching adds. */
    private static void describe(PrintWriter out, int[] lengths) {
        long real = Arrays.stream(lengths).asLongStream().sum();
        long realPairs = Arrays.stream(lengths).asLongStream().map(n -> n * n).sum();
        out.printf(Locale.ROOT, "corpus: %d sentences, %d tokens ([CLS] and [SEP] included): min %d, median %d,"
                + " p90 %d, p99 %d, max %d, mean %.1f%n", lengths.length, real, Statistics.quantile(lengths, 0),
                Statistics.quantile(lengths, 0.5), Statistics.quantile(lengths, 0.9),
                Statistics.quantile(lengths, 0.99), Statistics.quantile(lengths, 1), (double) real / lengths.length);
        for (Batching batching : List.of(new Batching("batches of 32, corpus order", corpusOrder(lengths.length)),
                new Batching("length-sorted batches of 32", sortedOrder(lengths)))) {
            int[] order = batching.order();
            long padded = 0;
            long paddedPairs = 0;
            for (int from = 0; from < order.length; from += ORT_BATCH) {
                int to = Math.min(order.length, from + ORT_BATCH);
                int longest = 0;
                for (int k = from; k < to; k++) {
                    longest = Math.max(longest, lengths[order[k]]);
                }
                padded += (long) (to - from) * longest;
                paddedPairs += (long) (to - from) * longest * longest;
            }
            out.printf(Locale.ROOT, "  %-28s tokens computed %d (%.1f%% padding), attention scores %.2fx the"
                    + " real ones%n", batching.name(), padded, 100.0 * (padded - real) / padded,
                    (double) paddedPairs / realPairs);
        }
    }

    /** The padding of the batches {@code embedder} hands its encoder, counted on one pass over the corpus. */
    private static void describeOwnBatches(PrintWriter out, TextEmbedder embedder, List<String> corpus, int[] lengths) {
        long[] counts = new long[3]; // batches, padded tokens, padded attention scores (per head and layer)
        SentenceEmbedder plain = embedder.sentenceEmbedder();
        TokenEncoder counting = new TokenEncoder() {
            @Override
            public Tensor encode(TokenBatch batch) {
                counts[0]++;
                counts[1] += (long) batch.batchSize() * batch.seqLen();
                counts[2] += (long) batch.batchSize() * batch.seqLen() * batch.seqLen();
                return plain.encoder().encode(batch);
            }

            @Override
            public int hiddenSize() {
                return plain.encoder().hiddenSize();
            }
        };
        new TextEmbedder(embedder.tokenizer(), new SentenceEmbedder(counting, plain.pooling(), plain.normalize()),
                embedder.maxTokens()).embed(corpus);
        long real = Arrays.stream(lengths).asLongStream().sum();
        long realPairs = Arrays.stream(lengths).asLongStream().map(n -> n * n).sum();
        out.printf(Locale.ROOT, "  %-28s tokens computed %d (%.1f%% padding), attention scores %.2fx the"
                + " real ones, %d batches%n", "attention4j's own batches", counts[1],
                100.0 * (counts[1] - real) / counts[1], (double) counts[2] / realPairs, counts[0]);
    }

    private static int[] corpusOrder(int n) {
        int[] order = new int[n];
        Arrays.setAll(order, i -> i);
        return order;
    }

    /** Longest first, ties in corpus order (as {@link TextEmbedder} sorts). */
    private static int[] sortedOrder(int[] lengths) {
        return Arrays.stream(corpusOrder(lengths.length)).boxed()
                .sorted(Comparator.comparingInt((Integer i) -> -lengths[i]))
                .mapToInt(Integer::intValue).toArray();
    }

    /** Batches of {@link #ORT_BATCH} sentences taken in {@code order}, each padded to its longest. */
    private static float[][] ortBatches(OrtSentenceEmbedder ort, long[][] ids, int[] order) throws OrtException {
        float[][] out = new float[ids.length][];
        List<long[]> batch = new ArrayList<>(ORT_BATCH);
        for (int from = 0; from < order.length; from += ORT_BATCH) {
            int to = Math.min(order.length, from + ORT_BATCH);
            batch.clear();
            for (int k = from; k < to; k++) {
                batch.add(ids[order[k]]);
            }
            float[][] vectors = ort.embed(batch.toArray(long[][]::new));
            for (int k = from; k < to; k++) {
                out[order[k]] = vectors[k - from];
            }
        }
        return out;
    }

    private static float[][] ortOneByOne(OrtSentenceEmbedder ort, long[][] ids) throws OrtException {
        float[][] out = new float[ids.length][];
        for (int i = 0; i < ids.length; i++) {
            out[i] = ort.embed(ids[i])[0];
        }
        return out;
    }

    private static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }
}
