package dev.attention4j.nn.transformer;

import dev.attention4j.nn.Mode;
import dev.attention4j.nn.Module;
import dev.attention4j.nn.attention.AttentionObserver;
import dev.attention4j.nn.attention.Mask;
import dev.attention4j.tensor.Tensor;

import java.util.Map;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * The encoder-decoder Transformer on vectors, {@code nn.Transformer}: an encoder stack and a decoder stack, each
 * ending in a LayerNorm; the decoder talks to the encoder only through cross-attention on the encoder's output (the
 * memory). Parameters {@code encoder.layers.<i>.*}, {@code encoder.norm.*}, {@code decoder.layers.<i>.*},
 * {@code decoder.norm.*}. Initialised as PyTorch: Xavier-uniform on every matrix.
 */
public final class Transformer implements Module {

    private final TransformerConfig config;
    private final Encoder encoder;
    private final Decoder decoder;

    public Transformer(TransformerConfig config, RandomGenerator random) {
        this.config = config;
        this.encoder = new Encoder(config.layer(), config.numEncoderLayers(), FinalNorm.LAYER_NORM, random);
        this.decoder = new Decoder(config.layer(), config.numDecoderLayers(), FinalNorm.LAYER_NORM, random);
        for (Tensor p : namedParameters().values()) {
            if (p.rank() > 1) {
                xavierUniformInPlace(p, random);
            }
        }
    }

    public Transformer(TransformerConfig config, long seed) {
        this(config, new SplittableRandom(seed));
    }

    private static void xavierUniformInPlace(Tensor p, RandomGenerator random) {
        int fanOut = p.dim(0);
        int fanIn = p.size() / fanOut;
        float bound = (float) Math.sqrt(6.0 / (fanIn + fanOut));
        float[] d = p.data();
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
        }
    }

    /**
     * @param src        {@code (batchSize, srcLen, modelDim)}
     * @param tgt        {@code (batchSize, tgtLen, modelDim)}
     * @param srcMask    the encoder's self-attention mask (usually source key padding)
     * @param tgtMask    the decoder's self-attention mask (causal, usually with target key padding)
     * @param memoryMask the decoder's cross-attention mask (usually source key padding)
     * @return {@code (batchSize, tgtLen, modelDim)}
     */
    public Tensor forward(Tensor src, Tensor tgt, Mask srcMask, Mask tgtMask, Mask memoryMask, Mode mode) {
        return forward(src, tgt, srcMask, tgtMask, memoryMask, mode, AttentionObserver.NONE);
    }

    /**
     * {@link #forward(Tensor, Tensor, Mask, Mask, Mask, Mode)} watched by {@code observer}: every layer's attention
     * weights that it asks for (see {@link Encoder#forward(Tensor, Mask, Mode, AttentionObserver)} and
     * {@link Decoder#forward(Tensor, Tensor, Mask, Mask, Mode, AttentionObserver)} for the sites).
     */
    public Tensor forward(Tensor src, Tensor tgt, Mask srcMask, Mask tgtMask, Mask memoryMask, Mode mode,
                          AttentionObserver observer) {
        Tensor memory = encode(src, srcMask, mode.child(0), observer);
        return decode(tgt, memory, tgtMask, memoryMask, mode.child(1), observer);
    }

    /** The encoder alone: {@code src -> memory}. Compute it once per source and reuse it for every decoding step. */
    public Tensor encode(Tensor src, Mask srcMask, Mode mode) {
        return encoder.forward(src, srcMask, mode);
    }

    /** {@link #encode(Tensor, Mask, Mode)} watched by {@code observer}. */
    public Tensor encode(Tensor src, Mask srcMask, Mode mode, AttentionObserver observer) {
        return encoder.forward(src, srcMask, mode, observer);
    }

    /** The decoder alone, on a memory from {@link #encode}. */
    public Tensor decode(Tensor tgt, Tensor memory, Mask tgtMask, Mask memoryMask, Mode mode) {
        return decoder.forward(tgt, memory, tgtMask, memoryMask, mode);
    }

    /** {@link #decode(Tensor, Tensor, Mask, Mask, Mode)} watched by {@code observer}. */
    public Tensor decode(Tensor tgt, Tensor memory, Mask tgtMask, Mask memoryMask, Mode mode,
                         AttentionObserver observer) {
        return decoder.forward(tgt, memory, tgtMask, memoryMask, mode, observer);
    }

    /** Prepares incremental decoding on a memory from {@link #encode}; see {@link Decoder#startCache}. */
    public DecoderCache startDecoding(Tensor memory, Mask memoryMask, int capacity) {
        return decoder.startCache(memory, memoryMask, capacity);
    }

    /** {@link #startDecoding(Tensor, Mask, int)} with a choice of cross-attention caching. */
    public DecoderCache startDecoding(Tensor memory, Mask memoryMask, int capacity, CrossAttentionCaching caching) {
        return decoder.startCache(memory, memoryMask, capacity, caching);
    }

    /** The decoder on new tokens only, advancing {@code cache}; see {@link Decoder#forwardCached}. */
    public Tensor decodeCached(Tensor tgt, DecoderCache cache) {
        return decoder.forwardCached(tgt, cache);
    }

    /** {@link #decodeCached(Tensor, DecoderCache)} watched by {@code observer}. */
    public Tensor decodeCached(Tensor tgt, DecoderCache cache, AttentionObserver observer) {
        return decoder.forwardCached(tgt, cache, observer);
    }

    /** The decoder on one new token per sequence, in place on {@code ws.x}; see {@link Decoder#forwardCachedStep}. */
    void decodeCachedStep(StepWorkspace ws, DecoderCache cache, AttentionObserver observer) {
        decoder.forwardCachedStep(ws, cache, observer);
    }

    public TransformerConfig config() {
        return config;
    }

    public Encoder encoder() {
        return encoder;
    }

    public Decoder decoder() {
        return decoder;
    }

    @Override
    public void collectParameters(String prefix, Map<String, Tensor> into) {
        Module.collectChild(prefix, "encoder", encoder, into);
        Module.collectChild(prefix, "decoder", decoder, into);
    }
}
