package dev.attention4j.models.bert;

import dev.attention4j.models.embeddings.TokenBatch;
import dev.attention4j.models.embeddings.TokenEncoder;
import dev.attention4j.models.formats.OnnxFile;
import dev.attention4j.models.formats.Safetensors;
import dev.attention4j.models.formats.WeightFormatException;
import dev.attention4j.nn.Mode;
import dev.attention4j.nn.Module;
import dev.attention4j.nn.attention.AttentionObserver;
import dev.attention4j.nn.attention.Mask;
import dev.attention4j.nn.transformer.Encoder;
import dev.attention4j.nn.transformer.FinalNorm;
import dev.attention4j.tensor.BufferPool;
import dev.attention4j.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A BERT encoder ({@code transformers.BertModel} without its pooler): {@link BertEmbeddings}, then
 * {@code numHiddenLayers} post-norm encoder layers (core's {@link Encoder}: self-attention and a GELU feed-forward
 * net, each in a residual connection followed by LayerNorm). Its output is the last hidden state, one vector per
 * token; {@link dev.attention4j.models.embeddings.SentenceEmbedder} pools it into sentence embeddings.
 *
 * <p>Padding is masked as BERT masks it: padded keys are invisible to every query. Padded positions still get hidden
 * states (as in PyTorch and ONNX Runtime), which pooling ignores.
 *
 * <p>Parameters carry attention4j's names: {@code embeddings.*} as Hugging Face's, {@code encoder.layers.<i>.*} as
 * {@code nn.TransformerEncoderLayer}'s. {@link BertWeightNames} maps Hugging Face checkpoints onto them. Safe to call
 * from several threads at once: inference changes no state.
 */
public final class BertModel implements Module, TokenEncoder {

    private final BertConfig config;
    private final BertEmbeddings embeddings;
    private final Encoder encoder;

    /** A model of this shape with random weights drawn from {@code seed} (to be trained or loaded over). */
    public BertModel(BertConfig config, long seed) {
        this.config = Objects.requireNonNull(config, "config");
        SplittableRandom random = new SplittableRandom(seed);
        this.embeddings = new BertEmbeddings(config, random);
        this.encoder = new Encoder(config.layerConfig(), config.numHiddenLayers(), FinalNorm.NONE, random);
    }

    /**
     * Loads a Hugging Face model directory: {@code config.json} and {@code model.safetensors} (F32, F16 or BF16;
     * names with or without the {@code bert.} prefix; a pooler or task heads beside the encoder are ignored).
     *
     * @throws WeightFormatException if a file is malformed, or the weights do not match the configuration (the
     *                               message lists every missing, unexpected and mis-shaped name)
     */
    public static BertModel fromHuggingFace(Path directory) throws IOException {
        BertConfig config = BertConfig.read(directory.resolve("config.json"));
        Path weights = directory.resolve("model.safetensors");
        if (!Files.exists(weights) && Files.exists(directory.resolve("pytorch_model.bin"))) {
            throw new WeightFormatException(weights, WeightFormatException.NO_OFFSET, "there is no model.safetensors,"
                    + " only pytorch_model.bin (a pickle, which attention4j does not read)", "Convert it: in Python,"
                    + " transformers' model.save_pretrained(dir, safe_serialization=True).");
        }
        return load(config, Safetensors.readAll(weights), weights);
    }

    /**
     * Loads an exported ONNX model (e.g. Xenova's, which langchain4j ships) and infers its configuration from the
     * weights' shapes and the graph (heads from the attention reshape, eps from the LayerNorm, the activation from
     * the feed-forward ops). The MatMul weights an exporter leaves unnamed are found by following the graph.
     *
     * @throws WeightFormatException if the file is malformed, the graph is not a BERT encoder this can follow (for
     *                               instance an ONNX Runtime-optimized graph with fused Attention nodes), or the
     *                               configuration cannot be inferred
     */
    public static BertModel fromOnnx(Path onnx) throws IOException {
        BertOnnxGraph graph = BertOnnxGraph.follow(OnnxFile.read(onnx));
        return load(graph.inferConfig(), graph.huggingFaceWeights(), onnx);
    }

    /** As {@link #fromOnnx(Path)} with the configuration given (its {@code config.json}), not inferred. */
    public static BertModel fromOnnx(Path onnx, BertConfig config) throws IOException {
        return load(config, BertOnnxGraph.follow(OnnxFile.read(onnx)).huggingFaceWeights(), onnx);
    }

    private static BertModel load(BertConfig config, Map<String, Tensor> huggingFace, Path file)
            throws WeightFormatException {
        BertModel model = new BertModel(config, 0L);
        try {
            model.loadStateDict(BertWeightNames.fromHuggingFace(huggingFace, config));
        } catch (IllegalArgumentException e) {
            throw new WeightFormatException(file, WeightFormatException.NO_OFFSET, e.getMessage(), "The weights do"
                    + " not fit a BERT encoder of " + config + "; is the configuration the model's own?", e);
        }
        return model;
    }

    /**
     * Freezes the encoder's weights for inference: its products then run on kept copies of the weights packed in
     * panels, at any sentence length, without packing the weights at every product (as much memory again as the
     * encoder's weights, made at the first forward). Meant for pretrained models used as they are
     * ({@link dev.attention4j.models.pretrained.EmbeddingModels} freezes what it loads); see
     * {@link dev.attention4j.nn.Linear#freeze} for what must not be done to a frozen weight. Returns this model.
     */
    public BertModel freeze() {
        encoder.freeze();
        return this;
    }

    public BertConfig config() {
        return config;
    }

    @Override
    public int hiddenSize() {
        return config.hiddenSize();
    }

    /** The last hidden state at inference: {@code (batchSize, seqLen, hiddenSize)}. */
    @Override
    public Tensor encode(TokenBatch batch) {
        return forward(batch, Mode.INFERENCE);
    }

    /**
     * The last hidden state.
     *
     * @param batch ids, token types and padding; {@code seqLen <= maxPositionEmbeddings}, ids in
     *              {@code [0, vocabSize)}, token types in {@code [0, typeVocabSize)}
     * @return {@code (batchSize, seqLen, hiddenSize)}
     */
    public Tensor forward(TokenBatch batch, Mode mode) {
        return forward(batch, mode, AttentionObserver.NONE);
    }

    /**
     * {@link #forward(TokenBatch, Mode)} watched by {@code observer}: layer {@code i}'s self-attention is the site
     * {@code (ENCODER, i, SELF, 0)}, its maps {@code (batchSize, heads, seqLen, seqLen)} with zero weight on padded
     * keys.
     */
    public Tensor forward(TokenBatch batch, Mode mode, AttentionObserver observer) {
        Objects.requireNonNull(batch, "batch");
        if (batch.seqLen() > config.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("batch: sequence length " + batch.seqLen() + " exceeds"
                    + " maxPositionEmbeddings = " + config.maxPositionEmbeddings() + "; truncate the input");
        }
        if (mode.tape() != null || BufferPool.lendingOnThisThread()) {
            Tensor x = embeddings.forward(batch, mode.child(0));       // (batchSize, seqLen, hiddenSize)
            return encoder.forward(x, padding(batch), mode.child(1), observer);
        }
        // At inference the embeddings' sum and layer norm take arrays an earlier call used, not fresh heap, whose
        // first touch is costly here (the encoder does the same for its layers); the encoder's output, returned, is
        // made on the heap.
        BufferPool pool = BufferPool.borrow();
        try (BufferPool.Scope scope = pool.open()) {
            Tensor x = embeddings.forward(batch, mode.child(0));       // (batchSize, seqLen, hiddenSize)
            Mask mask = padding(batch);
            Tensor[] out = new Tensor[1];
            scope.runOnHeap(() -> out[0] = encoder.forward(x, mask, mode.child(1), observer));
            return out[0];
        } finally {
            BufferPool.giveBack(pool);
        }
    }

    /** Key padding, or no mask at all when every sequence fills the batch. */
    private static Mask padding(TokenBatch batch) {
        for (int b = 0; b < batch.batchSize(); b++) {
            if (batch.length(b) < batch.seqLen()) {
                return Mask.keyPadding(batch.attentionMask());
            }
        }
        return Mask.none();
    }

    @Override
    public void collectParameters(String prefix, Map<String, Tensor> into) {
        Module.collectChild(prefix, "embeddings", embeddings, into);
        Module.collectChild(prefix, "encoder", encoder, into);
    }
}
