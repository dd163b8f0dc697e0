package dev.attention4j.nn.transformer;

import dev.attention4j.nn.Embedding;
import dev.attention4j.nn.Linear;
import dev.attention4j.nn.Mode;
import dev.attention4j.nn.Module;
import dev.attention4j.nn.PositionalEncoding;
import dev.attention4j.nn.attention.Mask;
import dev.attention4j.tensor.Tensor;

import java.util.Map;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * An encoder-only (BERT-style) tagger: token embeddings scaled by {@code sqrt(modelDim)} plus positions, the
 * {@link Encoder} stack (bidirectional self-attention: every token sees every other), and a linear head giving
 * per-token label scores (token classification, masked-token prediction).
 *
 * <p>Parameters: {@code tok_emb.weight}, {@code positional_encoding.weight} (learned positions only),
 * {@code encoder.*} (as {@code nn.TransformerEncoder}), {@code head.weight}, {@code head.bias}.
 */
public final class EncoderOnlyTransformer implements Module {

    private final Embedding tokEmb;
    private final PositionalEncoding positionalEncoding;
    private final Encoder encoder;
    private final Linear head;
    private final float embeddingScale;

    public EncoderOnlyTransformer(TransformerLayerConfig layer, int numLayers, int vocabSize, int numLabels,
                                  int maxLen, Seq2SeqConfig.Positions positions, RandomGenerator random) {
        int modelDim = layer.modelDim();
        this.tokEmb = new Embedding(vocabSize, modelDim, (float) (1 / Math.sqrt(modelDim)), random);
        this.positionalEncoding = positions.encoding(maxLen, modelDim, random);
        this.encoder = new Encoder(layer, numLayers, layer.normPlacement() == NormPlacement.PRE
                ? FinalNorm.LAYER_NORM : FinalNorm.NONE, random);
        this.head = Linear.withBias(modelDim, numLabels, random);
        this.embeddingScale = (float) Math.sqrt(modelDim);
    }

    public EncoderOnlyTransformer(TransformerLayerConfig layer, int numLayers, int vocabSize, int numLabels,
                                  int maxLen, Seq2SeqConfig.Positions positions, long seed) {
        this(layer, numLayers, vocabSize, numLabels, maxLen, positions, new SplittableRandom(seed));
    }

    /**
     * Per-token label scores.
     *
     * @param tokens  {@code (batchSize, seqLen)}
     * @param padding key padding ({@link Mask#none()} if unpadded)
     * @return {@code (batchSize, seqLen, numLabels)}
     */
    public Tensor forward(int[][] tokens, Mask padding, Mode mode) {
        Tensor x = positionalEncoding.addTo(tokEmb.forward(tokens, embeddingScale, mode), mode);
        return head.forward(encoder.forward(x, padding, mode.child(0)), mode);
    }

    @Override
    public void collectParameters(String prefix, Map<String, Tensor> into) {
        Module.collectChild(prefix, "tok_emb", tokEmb, into);
        Module.collectChild(prefix, "positional_encoding", positionalEncoding, into);
        Module.collectChild(prefix, "encoder", encoder, into);
        Module.collectChild(prefix, "head", head, into);
    }
}
