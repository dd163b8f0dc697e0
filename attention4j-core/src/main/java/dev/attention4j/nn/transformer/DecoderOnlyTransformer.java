package dev.attention4j.nn.transformer;

import dev.attention4j.nn.Embedding;
import dev.attention4j.nn.LayerNorm;
import dev.attention4j.nn.Linear;
import dev.attention4j.nn.Mode;
import dev.attention4j.nn.Module;
import dev.attention4j.nn.PositionalEncoding;
import dev.attention4j.nn.attention.AttentionObserver;
import dev.attention4j.nn.attention.KeyValueCache;
import dev.attention4j.nn.attention.Mask;
import dev.attention4j.tensor.Tensor;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * A decoder-only (GPT-style) language model: token embeddings scaled by {@code sqrt(modelDim)} plus positions, N
 * self-attention layers under a causal mask (no cross-attention: there is no encoder), a final LayerNorm and an
 * output projection tied to the embeddings. Each position predicts the next token.
 *
 * <p>Parameters: {@code tok_emb.weight}, {@code positional_encoding.weight} (learned positions only),
 * {@code layers.<i>.*} (as {@code nn.TransformerEncoderLayer}, the PyTorch idiom for a decoder-only stack),
 * {@code norm.*}, {@code lm_head.bias}.
 */
public final class DecoderOnlyTransformer implements Module {

    private final Embedding tokEmb;
    private final PositionalEncoding positionalEncoding;
    private final List<EncoderLayer> layers;
    private final LayerNorm norm;
    private final Linear lmHead;
    private final float embeddingScale;

    /**
     * @param layer     every block's shape (pre-norm is the usual choice for decoder-only models)
     * @param numLayers blocks
     * @param vocabSize tokens
     * @param maxLen    the longest sequence
     * @param positions sinusoidal or learned
     */
    public DecoderOnlyTransformer(TransformerLayerConfig layer, int numLayers, int vocabSize, int maxLen,
                                  Seq2SeqConfig.Positions positions, RandomGenerator random) {
        int modelDim = layer.modelDim();
        this.tokEmb = new Embedding(vocabSize, modelDim, (float) (1 / Math.sqrt(modelDim)), random);
        this.positionalEncoding = positions.encoding(maxLen, modelDim, random);
        this.layers = LayerStack.build(numLayers, () -> new EncoderLayer(layer, random));
        this.norm = LayerStack.finalNorm(FinalNorm.LAYER_NORM, layer);
        this.lmHead = Linear.of(tokEmb.weight(), Linear.withBias(modelDim, vocabSize, random).bias());
        this.embeddingScale = (float) Math.sqrt(modelDim);
    }

    public DecoderOnlyTransformer(TransformerLayerConfig layer, int numLayers, int vocabSize, int maxLen,
                                  Seq2SeqConfig.Positions positions, long seed) {
        this(layer, numLayers, vocabSize, maxLen, positions, new SplittableRandom(seed));
    }

    /**
     * Next-token logits.
     *
     * @param tokens  {@code (batchSize, seqLen)}
     * @param padding key padding of the batch ({@link Mask#none()} if unpadded), combined with the causal mask
     * @return {@code (batchSize, seqLen, vocabSize)}: position t scores token t + 1
     */
    public Tensor forward(int[][] tokens, Mask padding, Mode mode) {
        return forward(tokens, padding, mode, AttentionObserver.NONE);
    }

    /**
     * {@link #forward(int[][], Mask, Mode)} watched by {@code observer}: layer {@code i}'s causal self-attention is
     * the site {@code (DECODER, i, MASKED_SELF, 0)}.
     */
    public Tensor forward(int[][] tokens, Mask padding, Mode mode, AttentionObserver observer) {
        Tensor x = positionalEncoding.addTo(tokEmb.forward(tokens, embeddingScale, mode), mode);
        Mask mask = Mask.causal().and(padding);
        for (int i = 0; i < layers.size(); i++) {
            x = layers.get(i).forward(x, mask, mode.child(i), observer, Decoder.site(observer, i, 0));
        }
        return lmHead.forward(norm.forward(x, mode), mode);
    }

    /**
     * Prepares incremental decoding: empty self-attention caches of {@code capacity} tokens for {@code batchSize}
     * sequences in every layer.
     *
     * @param capacity the most tokens to be fed, in {@code [0, maxLen]}
     */
    public DecoderCache startDecoding(int batchSize, int capacity) {
        if (capacity < 0 || capacity > positionalEncoding.maxLen()) {
            throw new IllegalArgumentException("capacity: expected a token count in [0, maxLen = "
                    + positionalEncoding.maxLen() + "] but got " + capacity);
        }
        KeyValueCache[] self = new KeyValueCache[layers.size()];
        for (int i = 0; i < layers.size(); i++) {
            self[i] = layers.get(i).selfAttention().newCache(batchSize, capacity);
        }
        return DecoderCache.selfAttentionOnly(self);
    }

    /**
     * New tokens at inference, continuing the cached prefix: {@code tokens (batchSize, newLen)} -> logits
     * {@code (batchSize, newLen, vocabSize)}, equal (up to summation order) to the last {@code newLen} rows of
     * {@link #forward} on the whole unpadded prefix; the cache advances by {@code newLen}.
     *
     * @throws IllegalStateException when the new tokens do not fit (the cache is then unchanged)
     */
    public Tensor decodeCached(int[][] tokens, DecoderCache cache) {
        return decodeCached(tokens, cache, AttentionObserver.NONE);
    }

    /**
     * {@link #decodeCached(int[][], DecoderCache)} watched by {@code observer}: layer {@code i}'s map is at the site
     * {@code (DECODER, i, MASKED_SELF, cache.position())}, the position before the call.
     */
    public Tensor decodeCached(int[][] tokens, DecoderCache cache, AttentionObserver observer) {
        requireSelfAttentionCache(cache);
        if (tokens.length != cache.batchSize()) {
            throw new IllegalArgumentException("tokens: expected batchSize = " + cache.batchSize() + " but got "
                    + tokens.length);
        }
        int newLen = tokens.length == 0 ? 0 : tokens[0].length;
        cache.requireRoom(newLen);
        int step = cache.position();
        Tensor x = positionalEncoding.addAt(tokEmb.forward(tokens, embeddingScale, Mode.INFERENCE), step);
        for (int i = 0; i < layers.size(); i++) {
            x = layers.get(i).forwardCached(x, cache.selfCache(i), observer, Decoder.site(observer, i, step));
        }
        return lmHead.forward(norm.forward(x, Mode.INFERENCE), Mode.INFERENCE);
    }

    /**
     * One decoding step at inference: feeds one token per sequence, {@code lastTokens (batchSize)}, at position
     * {@code cache.position()} and returns the logits of the next, {@code (batchSize, vocabSize)} row-major; the cache
     * advances by one. Gives the bits of {@link #decodeCached} on those tokens (the same kernels in the same order).
     *
     * <p>Allocation-free once the JIT has compiled it: the activations and the logits live in buffers that the cache
     * makes at its first step and reuses, so the returned array is a view that the next step on {@code cache}
     * overwrites (copy it to keep it).
     * Nothing is allocated per step, also when an op splits its work across threads (big batches, long caches or a big
     * vocabulary): the hand-off to {@code Parallel}'s workers allocates nothing.
     *
     * @return the logits {@code (batchSize, vocabSize)}, valid until the next step on {@code cache}
     * @throws IllegalStateException when the cache is full (nothing changes then)
     */
    public float[] decodeStep(int[] lastTokens, DecoderCache cache) {
        return decodeStep(lastTokens, cache, AttentionObserver.NONE);
    }

    /**
     * {@link #decodeStep(int[], DecoderCache)} watched by {@code observer}: one map per layer for this token,
     * {@code (batchSize, heads, 1, keys)}, at step {@code cache.position()} (before the call). With
     * {@link AttentionObserver#NONE} it is that method, allocation-free.
     */
    public float[] decodeStep(int[] lastTokens, DecoderCache cache, AttentionObserver observer) {
        requireSelfAttentionCache(cache);
        if (lastTokens.length != cache.batchSize()) {
            throw new IllegalArgumentException("lastTokens: expected " + cache.batchSize()
                    + " tokens (one per sequence) but got " + lastTokens.length);
        }
        cache.requireRoom(1);
        TransformerLayerConfig layer = layers.get(0).config();
        StepWorkspace ws = cache.stepWorkspace(layer.numHeads(), layer.modelDim(), layer.ffnDim(), vocabSize());
        int rows = lastTokens.length;
        tokEmb.forwardInto(ws.x, lastTokens, embeddingScale);                   // (batchSize, modelDim)
        positionalEncoding.addAtInPlace(ws.x, rows, 1, cache.position());
        int step = cache.position();
        for (int i = 0; i < layers.size(); i++) {
            layers.get(i).forwardCachedStep(ws, cache.selfCache(i), observer, Decoder.site(observer, i, step));
        }
        norm.forwardInto(ws.x, ws.x, rows);
        lmHead.forwardInto(ws.logits, ws.x, rows);                              // (batchSize, vocabSize)
        return ws.logits;
    }

    private void requireSelfAttentionCache(DecoderCache cache) {
        if (cache.memory() != null || cache.numLayers() != layers.size()) {
            throw new IllegalArgumentException("cache: expected a self-attention-only cache of " + layers.size()
                    + " layers (from startDecoding) but got " + cache.numLayers() + " layers"
                    + (cache.memory() != null ? " with a memory" : ""));
        }
    }

    /** The most tokens a sequence may have. */
    public int maxLen() {
        return positionalEncoding.maxLen();
    }

    /** The vocabulary size: the width of the logits. */
    public int vocabSize() {
        return tokEmb.weight().dim(0);
    }

    @Override
    public void collectParameters(String prefix, Map<String, Tensor> into) {
        Module.collectChild(prefix, "tok_emb", tokEmb, into);
        Module.collectChild(prefix, "positional_encoding", positionalEncoding, into);
        LayerStack.collectParameters(prefix, layers, norm, into);
        Module.collectChild(prefix, "lm_head", lmHead, into);
    }
}
