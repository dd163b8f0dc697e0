package dev.attention4j.bench;

import ai.onnxruntime.OrtException;
import dev.attention4j.kernels.KernelChoice;
import dev.attention4j.kernels.Parallel;
import dev.attention4j.models.embeddings.TextEmbedder;
import dev.attention4j.models.pretrained.EmbeddingModel;
import dev.attention4j.models.pretrained.EmbeddingModels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Sentences per second of all-MiniLM-L6-v2 in attention4j and in ONNX Runtime, same JVM, same thread count, at
 * batch x tokens 1 x 16, 1 x 128 and 32 x 128.
 *
 * <p>attention4j: texts in, embeddings out ({@link TextEmbedder#embed(List)}: our tokenizer, our encoder, mean
 * pooling, L2). ONNX Runtime ({@link OrtSentenceEmbedder}): the same {@code .onnx} file on the same token ids (ours, which
 * equal HF tokenizers'), {@code session.run} then the same pooling and L2 in Java. Each text is long enough to be cut at exactly the case's
 * token count, so neither side pads. After a warm-up, the two sides alternate in rounds (so load from elsewhere hits
 * both); the figures are the medians over rounds, and the ratio is the median of the per-round ratios. Before timing,
 * the two sides' embeddings are compared (cosine), so that the race is between equal results.
 *
 * <p>Arguments: {@code [threads] [seconds per side per round] [rounds]}, default 2, 2 and 5.
 */
public final class EmbeddingThroughput {

    private static final int[][] CASES = {{1, 16}, {1, 128}, {32, 128}};
    private static final String[] WORDS = {"attention", "query", "key", "value", "the", "cat", "sat", "on", "mat",
        "softmax", "encoder", "decoder", "layer", "normalisation", "head", "token", "embedding", "retrieval", "of",
        "a", "river", "mountain", "coffee", "bread", "bee", "dance", "compiler", "graph", "commit", "marathon"};

    private EmbeddingThroughput() {
    }

    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 2;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        Parallel.setThreads(threads);
        EmbeddingModel model = EmbeddingModels.load(EmbeddingModels.DEFAULT);
        try (OrtSentenceEmbedder ort = new OrtSentenceEmbedder(threads)) {
            System.out.printf(Locale.ROOT, "all-MiniLM-L6-v2: attention4j (%s, %d threads) vs ONNX Runtime %s (%d"
                    + " intra-op threads); Java %s, %d processors; %.1f s per side per round, %d rounds%n",
                    KernelChoice.report().implementation(), threads, ort.version(), threads, Runtime.version(),
                    Runtime.getRuntime().availableProcessors(), seconds, rounds);
            System.out.println("batch x tokens   attention4j sent/s   ONNX Runtime sent/s   ratio (median, min-max)"
                    + "   1 - cosine");
            for (int[] c : CASES) {
                runCase(model, ort, c[0], c[1], seconds, rounds);
            }
        }
    }

    private static void runCase(EmbeddingModel model, OrtSentenceEmbedder ort, int batchSize, int tokens,
                                double seconds, int rounds) throws OrtException {
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
        Side theirs = () -> ort.embed(ids);
        double cosine = Statistics.worstCosine(ours.run(), theirs.run());
        measure(ours, seconds / 2);                    // warm-up
        measure(theirs, seconds / 2);
        double[] oursRate = new double[rounds];
        double[] theirsRate = new double[rounds];
        double[] ratio = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            oursRate[r] = measure(ours, seconds) * batchSize;
            theirsRate[r] = measure(theirs, seconds) * batchSize;
            ratio[r] = oursRate[r] / theirsRate[r];
        }
        System.out.printf(Locale.ROOT, "%5d x %-6d %18.1f %21.1f %10.2fx (%.2f-%.2f) %14.1e%n", batchSize, tokens,
                Statistics.median(oursRate), Statistics.median(theirsRate), Statistics.median(ratio),
                Statistics.min(ratio), Statistics.max(ratio), 1 - cosine);
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
