package dev.attention4j.nn.transformer;

import dev.attention4j.nn.LayerNorm;
import dev.attention4j.nn.Mode;
import dev.attention4j.nn.Module;
import dev.attention4j.nn.attention.AttentionKind;
import dev.attention4j.nn.attention.AttentionObserver;
import dev.attention4j.nn.attention.AttentionSite;
import dev.attention4j.nn.attention.KeyValueCache;
import dev.attention4j.nn.attention.Mask;
import dev.attention4j.tensor.Tensor;

import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * N decoder layers and an optional final LayerNorm, {@code nn.TransformerDecoder}. Every layer cross-attends to
 * the same encoder memory. Parameters {@code layers.<i>.*} and {@code norm.*}.
 */
public final class Decoder implements Module {

    private final List<DecoderLayer> layers;
    private final LayerNorm norm;

    public Decoder(TransformerLayerConfig layer, int numLayers, FinalNorm finalNorm, RandomGenerator random) {
        this.layers = LayerStack.build(numLayers, () -> new DecoderLayer(layer, random));
        this.norm = LayerStack.finalNorm(finalNorm, layer);
    }

    /**
     * {@code tgt (batchSize, tgtLen, modelDim)}, {@code memory (batchSize, srcLen, modelDim)} ->
     * {@code (batchSize, tgtLen, modelDim)}.
     */
    public Tensor forward(Tensor tgt, Tensor memory, Mask selfMask, Mask memoryMask, Mode mode) {
        return forward(tgt, memory, selfMask, memoryMask, mode, AttentionObserver.NONE);
    }

    /**
     * {@link #forward(Tensor, Tensor, Mask, Mask, Mode)} watched by {@code observer}: layer {@code i}'s
     * self-attention is the site {@code (DECODER, i, MASKED_SELF, 0)}, its cross-attention {@code (DECODER, i,
     * CROSS, 0)}.
     */
    public Tensor forward(Tensor tgt, Tensor memory, Mask selfMask, Mask memoryMask, Mode mode,
                          AttentionObserver observer) {
        Tensor x = tgt;
        for (int i = 0; i < layers.size(); i++) {
            x = layers.get(i).forward(x, memory, selfMask, memoryMask, mode.child(i), observer,
                    site(observer, i, 0));
        }
        return norm == null ? x : norm.forward(x, mode);
    }

    /**
     * Prepares incremental decoding on {@code memory (batchSize, srcLen, modelDim)}: every layer's cross-attention
     * keys and values, projected once, and empty self-attention caches of {@code capacity} tokens.
     */
    public DecoderCache startCache(Tensor memory, Mask memoryMask, int capacity) {
        return startCache(memory, memoryMask, capacity, CrossAttentionCaching.PROJECT_ONCE);
    }

    /**
     * {@link #startCache(Tensor, Mask, int)} with a choice of keeping the memory's keys and values or projecting them
     * again at every step (to measure what the cross-attention cache saves).
     */
    public DecoderCache startCache(Tensor memory, Mask memoryMask, int capacity, CrossAttentionCaching caching) {
        KeyValueCache[] self = new KeyValueCache[layers.size()];
        KeyValueCache[] cross = caching == CrossAttentionCaching.PROJECT_ONCE ? new KeyValueCache[layers.size()] : null;
        for (int i = 0; i < layers.size(); i++) {
            self[i] = layers.get(i).selfAttention().newCache(memory.dim(0), capacity);
            if (cross != null) {
                cross[i] = layers.get(i).projectMemory(memory);
            }
        }
        return DecoderCache.withMemory(self, cross, memory, memoryMask == null ? Mask.none() : memoryMask);
    }

    /**
     * The decoder at inference on new tokens only, {@code tgt (batchSize, newLen, modelDim)} ->
     * {@code (batchSize, newLen, modelDim)}, advancing {@code cache} by {@code newLen}: equal (up to summation order)
     * to the last {@code newLen} rows of {@link #forward} on the whole prefix with a causal mask.
     *
     * @throws IllegalStateException when the new tokens do not fit (the cache is then unchanged)
     */
    public Tensor forwardCached(Tensor tgt, DecoderCache cache) {
        return forwardCached(tgt, cache, AttentionObserver.NONE);
    }

    /**
     * {@link #forwardCached(Tensor, DecoderCache)} watched by {@code observer}: layer {@code i}'s maps are at the
     * sites {@code (DECODER, i, MASKED_SELF | CROSS, cache.position())}, the position before the call.
     */
    public Tensor forwardCached(Tensor tgt, DecoderCache cache, AttentionObserver observer) {
        requireDecoderCache(cache);
        cache.requireRoom(tgt.dim(1));
        int step = cache.position();
        Tensor x = tgt;
        for (int i = 0; i < layers.size(); i++) {
            x = layers.get(i).forwardCached(x, cache.selfCache(i), memoryKeysValues(cache, i), cache.memoryMask(),
                    observer, site(observer, i, step));
        }
        return norm == null ? x : norm.forward(x, Mode.INFERENCE);
    }

    /**
     * {@link #forwardCached} for one new token per sequence, in place on the step's residual stream {@code ws.x
     * (batchSize, modelDim)}: the same kernels in the same order, so the same bits, allocating nothing with the
     * memory's keys and values kept ({@link CrossAttentionCaching#PROJECT_ONCE}; projecting them every step
     * allocates, as it exists only to be measured against).
     */
    void forwardCachedStep(StepWorkspace ws, DecoderCache cache, AttentionObserver observer) {
        requireDecoderCache(cache);
        cache.requireRoom(1);
        int step = cache.position();
        for (int i = 0; i < layers.size(); i++) {
            layers.get(i).forwardCachedStep(ws, cache.selfCache(i), memoryKeysValues(cache, i), cache.memoryMask(),
                    observer, site(observer, i, step));
        }
        if (norm != null) {
            norm.forwardInto(ws.x, ws.x, ws.batchSize);
        }
    }

    /**
     * Layer {@code i}'s masked self-attention site at {@code step}; null when nothing is observed, so an unobserved
     * step allocates nothing.
     */
    static AttentionSite site(AttentionObserver observer, int layer, int step) {
        return observer == AttentionObserver.NONE ? null
                : new AttentionSite(AttentionSite.Stack.DECODER, layer, AttentionKind.MASKED_SELF, step);
    }

    /** Layer {@code i}'s cross-attention keys and values of the memory: kept, or projected now. */
    private KeyValueCache memoryKeysValues(DecoderCache cache, int i) {
        return cache.keepsMemoryKeysValues() ? cache.memoryKeysValues(i) : layers.get(i).projectMemory(cache.memory());
    }

    private void requireDecoderCache(DecoderCache cache) {
        if (cache.memory() == null) {
            throw new IllegalArgumentException("cache: expected a cache with a memory (from startCache) but got a "
                    + "self-attention-only cache");
        }
        if (cache.numLayers() != layers.size()) {
            throw new IllegalArgumentException("cache: expected " + layers.size() + " layers but got "
                    + cache.numLayers());
        }
    }

    public List<DecoderLayer> layers() {
        return layers;
    }

    @Override
    public void collectParameters(String prefix, Map<String, Tensor> into) {
        LayerStack.collectParameters(prefix, layers, norm, into);
    }
}
