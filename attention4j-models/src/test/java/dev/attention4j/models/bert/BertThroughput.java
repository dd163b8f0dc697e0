package dev.attention4j.models.bert;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.attention4j.kernels.Parallel;
import dev.attention4j.models.embeddings.Normalize;
import dev.attention4j.models.embeddings.Pooling;
import dev.attention4j.models.embeddings.SentenceEmbedder;
import dev.attention4j.models.embeddings.TokenBatch;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Sentences per second of all-MiniLM-L6-v2 here (SentenceEmbedder: encode, mean-pool, L2) and in ONNX Runtime
 * (session.run, last_hidden_state), both on the same thread count, at batch x tokens 1x16, 1x128 and 32x128. Not a
 * test: run by hand (see BENCHMARKS.md) with the test classpath, {@code --add-modules jdk.incubator.vector}.
 *
 * <p>Arguments: {@code [threads] [seconds per measurement]}, default 2 and 5.
 */
public final class BertThroughput {

    private BertThroughput() {
    }

    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 5;
        Parallel.setThreads(threads);
        ExportedModel exported = ExportedModel.ALL_MINILM_L6_V2;
        SentenceEmbedder embedder = new SentenceEmbedder(exported.model(), Pooling.MEAN, Normalize.L2);
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(threads);
        OrtSession session = OrtEnvironment.getEnvironment().createSession(exported.onnx().toString(), options);
        System.out.printf("all-MiniLM-L6-v2, %d threads, %s, Java %s%n", threads,
                dev.attention4j.kernels.KernelChoice.report().implementation(), Runtime.version());
        System.out.println("batch x tokens   attention4j sent/s   ONNX Runtime sent/s   ratio");
        int[][] shapes = {{1, 16}, {1, 128}, {32, 128}};
        for (int[] shape : shapes) {
            TokenBatch batch = randomBatch(shape[0], shape[1]);
            Map<String, OnnxTensor> inputs = ortInputs(batch);
            Runnable ours = () -> embedder.embed(batch);
            Runnable theirs = () -> {
                try (OrtSession.Result r = session.run(inputs)) {
                    r.get(0);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            measure(ours, seconds / 3);  // warm-up
            measure(theirs, seconds / 3);
            double oursPerSecond = 0;
            double theirsPerSecond = 0;
            for (int round = 0; round < 2; round++) { // alternate, so load from elsewhere hits both
                oursPerSecond += measure(ours, seconds / 2) / 2;
                theirsPerSecond += measure(theirs, seconds / 2) / 2;
            }
            System.out.printf("%5d x %-6d %18.1f %21.1f %9.2f%n", shape[0], shape[1], oursPerSecond * shape[0],
                    theirsPerSecond * shape[0], oursPerSecond / theirsPerSecond);
            inputs.values().forEach(OnnxTensor::close);
        }
        session.close();
    }

    /** Calls per second over about {@code seconds}. */
    private static double measure(Runnable call, double seconds) {
        long budget = (long) (seconds * 1e9);
        long start = System.nanoTime();
        int calls = 0;
        long elapsed;
        do {
            call.run();
            calls++;
            elapsed = System.nanoTime() - start;
        } while (elapsed < budget);
        return calls / (elapsed / 1e9);
    }

    /** [CLS] random word pieces [SEP], every sequence full length (no padding). */
    private static TokenBatch randomBatch(int batchSize, int seqLen) {
        SplittableRandom random = new SplittableRandom(batchSize * 1000L + seqLen);
        int[][] ids = new int[batchSize][seqLen];
        for (int[] row : ids) {
            for (int t = 0; t < seqLen; t++) {
                row[t] = t == 0 ? 101 : t == seqLen - 1 ? 102 : 1000 + random.nextInt(29000);
            }
        }
        return TokenBatch.padded(0, ids);
    }

    private static Map<String, OnnxTensor> ortInputs(TokenBatch batch) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        long[][] ids = new long[batch.batchSize()][batch.seqLen()];
        long[][] ones = new long[batch.batchSize()][batch.seqLen()];
        int[][] source = batch.inputIds();
        for (int b = 0; b < ids.length; b++) {
            for (int t = 0; t < ids[b].length; t++) {
                ids[b][t] = source[b][t];
                ones[b][t] = 1;
            }
        }
        return Map.of("input_ids", OnnxTensor.createTensor(env, ids),
                "attention_mask", OnnxTensor.createTensor(env, ones),
                "token_type_ids", OnnxTensor.createTensor(env, new long[batch.batchSize()][batch.seqLen()]));
    }
}
