package dev.attention4j.nn.attention;

import dev.attention4j.autograd.AttentionLayout;
import dev.attention4j.autograd.AttentionOp;
import dev.attention4j.autograd.ConcatOp;
import dev.attention4j.autograd.LinearOp;
import dev.attention4j.autograd.ScoreMask;
import dev.attention4j.autograd.SliceOp;
import dev.attention4j.autograd.Tape;
import dev.attention4j.nn.Init;
import dev.attention4j.nn.Mode;
import dev.attention4j.nn.Module;
import dev.attention4j.tensor.MatMul;
import dev.attention4j.tensor.PanelWeight;
import dev.attention4j.tensor.Shapes;
import dev.attention4j.tensor.Tensor;
import dev.attention4j.tensor.TransposedWeight;

import java.util.Map;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * {@code MultiHead(Q, K, V) = Concat(head_1, ..., head_h) W_O}, {@code head_i = Attention(Q W_Q^i, K W_K^i, V W_V^i)}:
 * {@code nn.MultiheadAttention} with {@code batch_first=True}, parameter for parameter.
 *
 * <p>One module for the three uses; the call site says which:
 * <pre>{@code
 * attn.forward(x, x, x, Mask.none());           // self-attention
 * attn.forward(x, x, x, Mask.causal());         // masked (causal) self-attention
 * attn.forward(target, memory, memory, padding); // cross-attention: Q from the target, K/V from the source
 * }</pre>
 *
 * <p>Parameters under PyTorch's names: {@code in_proj_weight (3 * modelDim, modelDim)} when keyDim = valueDim =
 * modelDim, else {@code q_proj_weight (modelDim, modelDim)}, {@code k_proj_weight (modelDim, keyDim)},
 * {@code v_proj_weight (modelDim, valueDim)}; {@code in_proj_bias (3 * modelDim)}, {@code out_proj.weight},
 * {@code out_proj.bias} when biased; {@code bias_k}, {@code bias_v (1, 1, modelDim)} with add_bias_kv.
 */
public final class MultiHeadAttention implements Module {

    private final MultiHeadAttentionConfig config;
    private final Tensor inProjWeight; // (3 * modelDim, modelDim), or null when not packed
    private final Tensor qProjWeight;  // (modelDim, modelDim), or null when packed
    private final Tensor kProjWeight;  // (modelDim, keyDim), or null when packed
    private final Tensor vProjWeight;  // (modelDim, valueDim), or null when packed
    private final Tensor inProjBias;   // (3 * modelDim), or null
    private final Tensor outProjWeight; // (modelDim, modelDim)
    private final Tensor outProjBias;  // (modelDim), or null
    private final Tensor biasK;        // (1, 1, modelDim), or null
    private final Tensor biasV;        // (1, 1, modelDim), or null
    /** The kept transposes of the Q, K, V and output weights for one-token steps, made at the first step. */
    private volatile TransposedWeight[] stepWeights;
    /** in_proj_weight and out_proj.weight in panels for inference once {@link #freeze}d, else null. */
    private volatile PanelWeight[] panelWeights;

    /** A module initialised as PyTorch initialises {@code nn.MultiheadAttention}, from a seeded generator. */
    public MultiHeadAttention(MultiHeadAttentionConfig config, RandomGenerator random) {
        this.config = config;
        int e = config.modelDim();
        if (config.packedInputProjection()) {
            inProjWeight = Init.xavierUniform(random, 3 * e, e);
            qProjWeight = kProjWeight = vProjWeight = null;
        } else {
            inProjWeight = null;
            qProjWeight = Init.xavierUniform(random, e, e);
            kProjWeight = Init.xavierUniform(random, e, config.keyDim());
            vProjWeight = Init.xavierUniform(random, e, config.valueDim());
        }
        outProjWeight = Init.uniform(random, (float) (1 / Math.sqrt(e)), e, e);
        inProjBias = config.bias() ? Tensor.zeros(3 * e) : null;
        outProjBias = config.bias() ? Tensor.zeros(e) : null;
        float std = (float) Math.sqrt(2.0 / (2 * e));
        biasK = config.addBiasKv() ? Init.normal(random, std, 1, 1, e) : null;
        biasV = config.addBiasKv() ? Init.normal(random, std, 1, 1, e) : null;
    }

    /** A module initialised from {@code seed}. */
    public MultiHeadAttention(MultiHeadAttentionConfig config, long seed) {
        this(config, new SplittableRandom(seed));
    }

    public MultiHeadAttentionConfig config() {
        return config;
    }

    /** Attention in inference mode, no weights returned. */
    public Tensor forward(Tensor query, Tensor key, Tensor value, Mask mask) {
        return forward(query, key, value, mask, AttentionWeights.NONE, Mode.INFERENCE).output();
    }

    /** Attention in inference mode, returning the weights asked for. */
    public AttentionOutput forward(Tensor query, Tensor key, Tensor value, Mask mask, AttentionWeights weights) {
        return forward(query, key, value, mask, weights, Mode.INFERENCE);
    }

    /**
     * Attention.
     *
     * @param query   {@code (batchSize, tgtLen, modelDim)}
     * @param key     {@code (batchSize, srcLen, keyDim)}
     * @param value   {@code (batchSize, srcLen, valueDim)}
     * @param mask    which keys each query may see (over the {@code srcLen} real keys; the extra keys of
     *                add_bias_kv / add_zero_attn are always visible, as in PyTorch)
     * @param weights which weights to return: per head {@code (batchSize, numHeads, tgtLen, srcLen')} or their
     *                head-average {@code (batchSize, tgtLen, srcLen')}, {@code srcLen'} counting the extra keys
     * @param mode    inference, or training (dropout on the weights)
     * @return {@code output (batchSize, tgtLen, modelDim)} and the weights asked for
     */
    public AttentionOutput forward(Tensor query, Tensor key, Tensor value, Mask mask, AttentionWeights weights,
                                   Mode mode) {
        return forward(query, key, value, mask, weights, mode, AttentionObserver.NONE, null);
    }

    /**
     * Attention watched by {@code observer}: as {@link #forward(Tensor, Tensor, Tensor, Mask, AttentionWeights, Mode)}
     * with no weights returned, and the weights of the heads {@code observer} asks for at {@code site} handed to it
     * (nothing more is computed when it asks for none).
     *
     * @return {@code output (batchSize, tgtLen, modelDim)}
     */
    public Tensor forward(Tensor query, Tensor key, Tensor value, Mask mask, Mode mode, AttentionObserver observer,
                          AttentionSite site) {
        return forward(query, key, value, mask, AttentionWeights.NONE, mode, observer, site).output();
    }

    private AttentionOutput forward(Tensor query, Tensor key, Tensor value, Mask mask, AttentionWeights weights,
                                    Mode mode, AttentionObserver observer, AttentionSite site) {
        int[] observed = observedHeads(observer, site);
        int e = config.modelDim();
        Shapes.requireDims("query", query, "(batchSize, tgtLen, modelDim)", -1, -1, e);
        int batchSize = query.dim(0);
        int tgtLen = query.dim(1);
        Shapes.requireDims("key", key, "(batchSize, srcLen, keyDim)", batchSize, -1, config.keyDim());
        int srcLen = key.dim(1);
        Shapes.requireDims("value", value, "(batchSize, srcLen, valueDim)", batchSize, srcLen, config.valueDim());
        Mask m = mask == null ? Mask.none() : mask;
        MaskShapes.validate(m, batchSize, config.numHeads(), tgtLen, srcLen);

        Tape tape = mode.tape();
        int[] held = heldHeads(weights, observed);
        float dropout = mode instanceof Mode.Training ? config.dropout() : 0f;
        if (dropout == 0f && projectsOnce(query, key, value)) {
            return packedSelfAttention(query, m, weights, tape, observer, site, observed, held);
        }
        Tensor q = project(Projection.QUERY, query, tape); // (batchSize, tgtLen, modelDim)
        Tensor k = project(Projection.KEY, key, tape);     // (batchSize, srcLen, modelDim)
        Tensor v = project(Projection.VALUE, value, tape); // (batchSize, srcLen, modelDim)
        if (config.addBiasKv()) {
            k = ConcatOp.appendRow(tape, k, biasK);
            v = ConcatOp.appendRow(tape, v, biasV);
        }
        if (config.addZeroAttn()) {
            k = ConcatOp.appendZeroRow(tape, k);
            v = ConcatOp.appendZeroRow(tape, v);
        }
        int keys = k.dim(1); // srcLen + the extra, always visible keys

        int numHeads = config.numHeads();
        // probs: (batchSize, held.length, tgtLen, keys), the weights of the heads returned or observed
        float[] probs = held.length == 0 ? null : new float[batchSize * held.length * tgtLen * keys];
        long seed = mode instanceof Mode.Training t ? t.seed() : 0L;
        // attended: (batchSize, tgtLen, numHeads * headDim), head h in columns [h * headDim, (h + 1) * headDim)
        Tensor attended = AttentionOp.apply(tape, q, k, v, AttentionLayout.TOKENS_MAJOR, numHeads,
                scale(), MaskShapes.scoreMask(m), srcLen, dropout, seed, held, probs);

        Tensor output = LinearOp.apply(tape, attended, outProjWeight, outProjBias);
        report(observer, site, observed, probs, held, batchSize, tgtLen, keys);
        return new AttentionOutput(output, requested(weights, probs, batchSize, numHeads, tgtLen, keys));
    }

    /**
     * Whether a forward can project Q, K and V in one product by the packed {@code in_proj_weight}, read in place:
     * self-attention (one tensor for all three) with a packed weight and no extra keys.
     */
    private boolean projectsOnce(Tensor query, Tensor key, Tensor value) {
        return inProjWeight != null && query == key && key == value && !config.addBiasKv() && !config.addZeroAttn();
    }

    /**
     * Self-attention without dropout on one projection {@code qkv = x in_proj_weight^T + in_proj_bias}: no copy of
     * the weight's blocks, and the tiled attention reads Q, K and V in place in {@code qkv}. At inference with no
     * weights wanted nothing is kept: the heads' output overwrites the queries ({@link AttentionOp#applyPackedInPlace})
     * and the output projection reads it there, so a call allocates {@code qkv} and the output only. The same bits
     * as the three projections apart.
     */
    private AttentionOutput packedSelfAttention(Tensor x, Mask mask, AttentionWeights weights, Tape tape,
                                                AttentionObserver observer, AttentionSite site, int[] observed,
                                                int[] held) {
        int e = config.modelDim();
        int batchSize = x.dim(0);
        int len = x.dim(1);
        int numHeads = config.numHeads();
        PanelWeight[] panels = tape == null ? panelWeights : null;     // frozen, at inference: the kept panels
        Tensor qkv = panels != null                                     // (batchSize, len, 3 * modelDim): Q | K | V
                ? MatMul.linear(x, panels[0], inProjBias, MatMul.Epilogue.NONE)
                : LinearOp.apply(tape, x, inProjWeight, inProjBias);
        if (tape == null && held.length == 0) {
            AttentionOp.applyPackedInPlace(qkv, numHeads, scale(), MaskShapes.scoreMask(mask));
            // the heads' output (batchSize, len, numHeads * headDim) over the queries, the first third of each row
            Tensor output = panels != null ? MatMul.linearOnLeadingColumns(qkv, panels[1], outProjBias)
                    : MatMul.linearOnLeadingColumns(qkv, outProjWeight, outProjBias);
            return new AttentionOutput(output, null);
        }
        // probs: (batchSize, held.length, len, len), the weights of the heads returned or observed
        float[] probs = held.length == 0 ? null : new float[batchSize * held.length * len * len];
        // attended: (batchSize, len, numHeads * headDim)
        Tensor attended = AttentionOp.applyPacked(tape, qkv, numHeads, scale(), MaskShapes.scoreMask(mask), held,
                probs);
        Tensor output = LinearOp.apply(tape, attended, outProjWeight, outProjBias);
        report(observer, site, observed, probs, held, batchSize, len, len);
        return new AttentionOutput(output, requested(weights, probs, batchSize, numHeads, len, len));
    }

    /** An empty cache for this module's keys and values: {@code capacity} tokens of {@code batchSize} sequences. */
    public KeyValueCache newCache(int batchSize, int capacity) {
        return new KeyValueCache(batchSize, capacity, config.modelDim());
    }

    /**
     * The keys and values of a fixed memory, projected once, for cross-attention while decoding:
     * {@code key (batchSize, srcLen, keyDim)}, {@code value (batchSize, srcLen, valueDim)} -> a full cache of
     * {@code srcLen} tokens for {@link #forwardCrossCached}.
     */
    public KeyValueCache projectKeysValues(Tensor key, Tensor value) {
        requireNoExtraKeys();
        Shapes.requireDims("key", key, "(batchSize, srcLen, keyDim)", -1, -1, config.keyDim());
        Shapes.requireDims("value", value, "(batchSize, srcLen, valueDim)", key.dim(0), key.dim(1),
                config.valueDim());
        KeyValueCache cache = newCache(key.dim(0), key.dim(1));
        cache.append(project(Projection.KEY, key), project(Projection.VALUE, value));
        return cache;
    }

    /**
     * Incremental self-attention at inference: the new tokens' keys and values (projected from {@code query}) are
     * appended to {@code cache}, then the new queries attend over every cached key, causally: new token {@code i}
     * (at position {@code cache.length() + i} before the call) sees the cached prefix and new tokens {@code <= i}
     * (the causal mask with {@link Mask.Alignment#LOWER_RIGHT}, added here when {@code newLen > 1}). Equal, up to
     * summation order, to rows {@code [position, position + newLen)} of causal self-attention over the whole prefix.
     *
     * @param query   the new tokens, {@code (batchSize, newLen, modelDim)}
     * @param cache   this module's keys and values so far; advanced by {@code newLen}
     * @param mask    any further mask over the {@code (newLen, length + newLen)} scores (e.g. key padding over
     *                the whole prefix), or {@link Mask#none()}
     * @param weights which weights to return, over the {@code length + newLen} keys
     * @return {@code output (batchSize, newLen, modelDim)} and the weights asked for
     * @throws IllegalStateException when the new tokens do not fit in the cache (the cache is then unchanged)
     */
    public AttentionOutput forwardCached(Tensor query, KeyValueCache cache, Mask mask, AttentionWeights weights) {
        return forwardCached(query, cache, mask, weights, AttentionObserver.NONE, null);
    }

    /**
     * {@link #forwardCached(Tensor, KeyValueCache, Mask, AttentionWeights)} watched by {@code observer}: the heads it
     * asks for at {@code site} are handed to it, {@code (batchSize, heads, newLen, length + newLen)}.
     *
     * @return {@code output (batchSize, newLen, modelDim)}
     */
    public Tensor forwardCached(Tensor query, KeyValueCache cache, Mask mask, AttentionObserver observer,
                                AttentionSite site) {
        return forwardCached(query, cache, mask, AttentionWeights.NONE, observer, site).output();
    }

    private AttentionOutput forwardCached(Tensor query, KeyValueCache cache, Mask mask, AttentionWeights weights,
                                          AttentionObserver observer, AttentionSite site) {
        requireNoExtraKeys();
        int e = config.modelDim();
        Shapes.requireDims("query", query, "(batchSize, newLen, modelDim)", cache.batchSize(), -1, e);
        requireCacheWidth(cache);
        int newLen = query.dim(1);
        cache.requireRoom(newLen);
        Mask m = mask == null ? Mask.none() : mask;
        MaskShapes.validate(m, cache.batchSize(), config.numHeads(), newLen, cache.length() + newLen);
        if (newLen > 1) {
            m = Mask.causal(Mask.Alignment.LOWER_RIGHT).and(m);
        }
        cache.append(project(Projection.KEY, query), project(Projection.VALUE, query));
        return attendToCache(project(Projection.QUERY, query), cache, m, weights, observer, site);
    }

    /**
     * Cross-attention at inference on keys and values projected once ({@link #projectKeysValues}); the cache is
     * only read.
     *
     * @param query       {@code (batchSize, tgtLen, modelDim)}
     * @param keysValues  the memory's projected keys and values, {@code srcLen = keysValues.length()} tokens
     * @param mask        over the {@code (tgtLen, srcLen)} scores, usually the source key padding
     * @return {@code output (batchSize, tgtLen, modelDim)} and the weights asked for
     */
    public AttentionOutput forwardCrossCached(Tensor query, KeyValueCache keysValues, Mask mask,
                                              AttentionWeights weights) {
        return forwardCrossCached(query, keysValues, mask, weights, AttentionObserver.NONE, null);
    }

    /**
     * {@link #forwardCrossCached(Tensor, KeyValueCache, Mask, AttentionWeights)} watched by {@code observer}: the
     * heads it asks for at {@code site} are handed to it, {@code (batchSize, heads, tgtLen, srcLen)}.
     *
     * @return {@code output (batchSize, tgtLen, modelDim)}
     */
    public Tensor forwardCrossCached(Tensor query, KeyValueCache keysValues, Mask mask, AttentionObserver observer,
                                     AttentionSite site) {
        return forwardCrossCached(query, keysValues, mask, AttentionWeights.NONE, observer, site).output();
    }

    private AttentionOutput forwardCrossCached(Tensor query, KeyValueCache keysValues, Mask mask,
                                               AttentionWeights weights, AttentionObserver observer,
                                               AttentionSite site) {
        requireNoExtraKeys();
        Shapes.requireDims("query", query, "(batchSize, tgtLen, modelDim)", keysValues.batchSize(), -1,
                config.modelDim());
        requireCacheWidth(keysValues);
        Mask m = mask == null ? Mask.none() : mask;
        MaskShapes.validate(m, keysValues.batchSize(), config.numHeads(), query.dim(1), keysValues.length());
        return attendToCache(project(Projection.QUERY, query), keysValues, m, weights, observer, site);
    }

    /**
     * One decoding step of {@link #forwardCached}: one new token per sequence, on caller-owned buffers. Its key and
     * value are appended to {@code cache}, then its query attends over every cached key (no mask is needed: the new
     * token is the last). The kernels of {@code forwardCached} with {@code newLen = 1}, in the same order, so the
     * same bits; allocates nothing, whether or not its ops split their work across threads (see
     * {@link AttentionOp#applyOneQueryToCache}).
     *
     * @param output  {@code (batchSize, modelDim)}, written; must not alias {@code query}
     * @param query   the new tokens, {@code (batchSize, modelDim)}
     * @param cache   this module's keys and values so far; advanced by one
     * @param scratch sized for {@code cache.batchSize()} sequences and at least {@code cache.capacity()} keys
     * @throws IllegalStateException when the cache is full (it is then unchanged)
     */
    public void forwardCachedStep(float[] output, float[] query, KeyValueCache cache, AttentionScratch scratch) {
        forwardCachedStep(output, query, cache, scratch, AttentionObserver.NONE, null);
    }

    /**
     * {@link #forwardCachedStep(float[], float[], KeyValueCache, AttentionScratch)} watched by {@code observer}: the
     * step's weights, which the step computes anyway, are copied for the heads it asks for at {@code site} and handed
     * to it, {@code (batchSize, heads, 1, length)} (the only allocation, and none with {@link AttentionObserver#NONE}).
     */
    public void forwardCachedStep(float[] output, float[] query, KeyValueCache cache, AttentionScratch scratch,
                                  AttentionObserver observer, AttentionSite site) {
        requireNoExtraKeys();
        int e = config.modelDim();
        if (config.keyDim() != e || config.valueDim() != e) {
            throw new UnsupportedOperationException("cached self-attention: expected keyDim = valueDim = modelDim = "
                    + e + " but got " + config.keyDim() + " and " + config.valueDim());
        }
        requireCacheWidth(cache);
        int batchSize = cache.batchSize();
        scratch.requireFits(batchSize, config.numHeads(), e, cache.capacity());
        Shapes.requireBuffer("query", query, "(batchSize, modelDim)", batchSize, e);
        Shapes.requireBuffer("output", output, "(batchSize, modelDim)", batchSize, e);
        cache.requireRoom(1);
        projectInto(Projection.KEY, scratch.key, query, batchSize);     // (batchSize, modelDim)
        projectInto(Projection.VALUE, scratch.value, query, batchSize); // (batchSize, modelDim)
        cache.append(scratch.key, scratch.value, 1);
        projectInto(Projection.QUERY, scratch.query, query, batchSize); // (batchSize, modelDim)
        attendToCacheStep(output, scratch, cache, ScoreMask.NONE);
        reportStep(observer, site, scratch, batchSize, cache.length());
    }

    /**
     * One decoding step of {@link #forwardCrossCached}: one query per sequence over the memory's keys and values
     * projected once, on caller-owned buffers; the cache is only read. Same kernels in the same order, so the same
     * bits; allocates nothing (split across threads or not) unless {@code mask} differs from the one of
     * the previous call with this scratch (it is then adapted once).
     *
     * @param output     {@code (batchSize, modelDim)}, written; must not alias {@code query}
     * @param query      {@code (batchSize, modelDim)}
     * @param keysValues the memory's projected keys and values, {@code srcLen = keysValues.length()} tokens
     * @param mask       over the {@code (1, srcLen)} scores, usually the source key padding
     * @param scratch    sized for {@code keysValues.batchSize()} sequences and at least {@code srcLen} keys
     */
    public void forwardCrossCachedStep(float[] output, float[] query, KeyValueCache keysValues, Mask mask,
                                       AttentionScratch scratch) {
        forwardCrossCachedStep(output, query, keysValues, mask, scratch, AttentionObserver.NONE, null);
    }

    /**
     * {@link #forwardCrossCachedStep(float[], float[], KeyValueCache, Mask, AttentionScratch)} watched by
     * {@code observer}: the step's weights are copied for the heads it asks for at {@code site} and handed to it,
     * {@code (batchSize, heads, 1, srcLen)}.
     */
    public void forwardCrossCachedStep(float[] output, float[] query, KeyValueCache keysValues, Mask mask,
                                       AttentionScratch scratch, AttentionObserver observer, AttentionSite site) {
        requireNoExtraKeys();
        requireCacheWidth(keysValues);
        int e = config.modelDim();
        int batchSize = keysValues.batchSize();
        scratch.requireFits(batchSize, config.numHeads(), e, keysValues.length());
        Shapes.requireBuffer("query", query, "(batchSize, modelDim)", batchSize, e);
        Shapes.requireBuffer("output", output, "(batchSize, modelDim)", batchSize, e);
        ScoreMask scoreMask = scratch.scoreMask(mask == null ? Mask.none() : mask, keysValues.length());
        projectInto(Projection.QUERY, scratch.query, query, batchSize); // (batchSize, modelDim)
        attendToCacheStep(output, scratch, keysValues, scoreMask);
        reportStep(observer, site, scratch, batchSize, keysValues.length());
    }

    /** {@code scratch.query (batchSize, modelDim)}, already projected, over the cached keys -> {@code output}. */
    private void attendToCacheStep(float[] output, AttentionScratch scratch, KeyValueCache cache, ScoreMask mask) {
        int batchSize = cache.batchSize();
        int e = config.modelDim();
        // attended: (batchSize, numHeads * headDim); weights: (batchSize, numHeads, length)
        AttentionOp.applyOneQueryToCache(scratch.attended, scratch.weights, scratch.query, cache.keyBuffer(),
                cache.valueBuffer(), batchSize, cache.capacity(), cache.length(), config.numHeads(),
                config.headDim(), scale(), mask);
        MatMul.linearTransposedInto(output, 0, scratch.attended, 0, stepWeights()[3],
                outProjBias == null ? null : outProjBias.data(), 0, batchSize);
    }

    /** {@code q (batchSize, tgtLen, modelDim)}, already projected, over the cached keys -> the projected output. */
    private AttentionOutput attendToCache(Tensor q, KeyValueCache cache, Mask mask, AttentionWeights weights,
                                          AttentionObserver observer, AttentionSite site) {
        int[] observed = observedHeads(observer, site);
        int batchSize = q.dim(0);
        int tgtLen = q.dim(1);
        int keys = cache.length();
        int numHeads = config.numHeads();
        int[] held = heldHeads(weights, observed);
        float[] probs = held.length == 0 ? null : new float[batchSize * held.length * tgtLen * keys];
        // attended: (batchSize, tgtLen, numHeads * headDim)
        Tensor attended = AttentionOp.applyToCache(q, cache.keyBuffer(), cache.valueBuffer(), cache.capacity(), keys,
                numHeads, scale(), MaskShapes.scoreMask(mask), held, probs);
        Tensor output = LinearOp.apply(null, attended, outProjWeight, outProjBias);
        report(observer, site, observed, probs, held, batchSize, tgtLen, keys);
        return new AttentionOutput(output, requested(weights, probs, batchSize, numHeads, tgtLen, keys));
    }

    /** The heads {@code observer} wants at {@code site}, checked; empty for {@link AttentionObserver#NONE}. */
    private int[] observedHeads(AttentionObserver observer, AttentionSite site) {
        if (observer == AttentionObserver.NONE) {
            return AttentionObserver.NO_HEADS;
        }
        java.util.Objects.requireNonNull(observer, "observer (AttentionObserver.NONE observes nothing)");
        java.util.Objects.requireNonNull(site, "site: an observed call needs its site");
        int numHeads = config.numHeads();
        int[] heads = observer.heads(site, numHeads);
        for (int k = 0; k < heads.length; k++) {
            if (heads[k] < 0 || heads[k] >= numHeads || (k > 0 && heads[k] <= heads[k - 1])) {
                throw new IllegalArgumentException("observer.heads(" + site + "): expected ascending head indices in"
                        + " [0, " + numHeads + ") but got " + java.util.Arrays.toString(heads));
            }
        }
        return heads;
    }

    /**
     * Hands the observed heads of {@code probs (batchSize, held.length, tgtLen, keys)} (the weights of the heads
     * {@code held}, which include {@code heads}) to {@code observer} as a copy, {@code (batchSize, heads, tgtLen,
     * keys)}.
     */
    private void report(AttentionObserver observer, AttentionSite site, int[] heads, float[] probs, int[] held,
                        int batchSize, int tgtLen, int keys) {
        if (heads.length == 0) {
            return;
        }
        // the observer keeps it: plain heap, never an array a BufferPool scope lends (and takes back)
        Tensor selected = Tensor.of(new float[batchSize * heads.length * tgtLen * keys], batchSize, heads.length,
                tgtLen, keys);
        float[] out = selected.data();
        for (int b = 0; b < batchSize; b++) {
            for (int k = 0; k < heads.length; k++) {
                int from = java.util.Arrays.binarySearch(held, heads[k]); // its place among the held heads
                for (int i = 0; i < tgtLen; i++) {
                    System.arraycopy(probs, ((b * held.length + from) * tgtLen + i) * keys, out,
                            ((b * heads.length + k) * tgtLen + i) * keys, keys);
                }
            }
        }
        observer.observe(new AttentionMap(site, heads, selected));
    }

    /** A one-token step's weights, {@code scratch.weights (batchSize, numHeads, keys)}, to {@code observer}. */
    private void reportStep(AttentionObserver observer, AttentionSite site, AttentionScratch scratch, int batchSize,
                            int keys) {
        int[] heads = observedHeads(observer, site);
        if (heads.length > 0) { // a step unobserved allocates nothing
            report(observer, site, heads, scratch.weights, AttentionObserver.allHeads(config.numHeads()), batchSize,
                    1, keys);
        }
    }

    /**
     * The heads whose weights a call computes: every head when {@code weights} asks for any, else the observed ones
     * (recomputed from the log-sum-exp, so observing a few heads costs only theirs).
     */
    private int[] heldHeads(AttentionWeights weights, int[] observed) {
        return weights == AttentionWeights.NONE ? observed : AttentionObserver.allHeads(config.numHeads());
    }

    /** The default {@code 1 / sqrt(headDim)}. */
    private float scale() {
        return (float) (1.0 / Math.sqrt(config.headDim()));
    }

    /** The weights asked for, from the per-head probabilities {@code (batchSize, numHeads, tgtLen, keys)}. */
    private static Tensor requested(AttentionWeights weights, float[] probs, int batchSize, int numHeads, int tgtLen,
                                    int keys) {
        return switch (weights) {
            case NONE -> null;
            case PER_HEAD -> Tensor.of(probs, batchSize, numHeads, tgtLen, keys);
            case HEAD_AVERAGE -> HeadAverage.of(probs, batchSize, numHeads, tgtLen, keys);
        };
    }

    private void requireNoExtraKeys() {
        if (config.addBiasKv() || config.addZeroAttn()) {
            throw new UnsupportedOperationException("cached attention: not supported with add_bias_kv or "
                    + "add_zero_attn (their extra keys are not cached); use forward");
        }
    }

    private void requireCacheWidth(KeyValueCache cache) {
        if (cache.modelDim() != config.modelDim()) {
            throw new IllegalArgumentException("cache: expected modelDim = " + config.modelDim() + " but got "
                    + cache.modelDim());
        }
    }

    /** Which input projection: {@code W_Q}, {@code W_K} or {@code W_V} (with its bias). */
    public enum Projection {
        QUERY,
        KEY,
        VALUE
    }

    /**
     * One input projection on its own, {@code input W^T + b}: {@code (batchSize, len, modelDim | keyDim | valueDim)
     * -> (batchSize, len, modelDim)}, at inference. For looking inside (e.g. the queries and keys behind a map) and
     * for caching keys and values while decoding.
     */
    public Tensor project(Projection which, Tensor input) {
        return project(which, input, null);
    }

    private Tensor project(Projection which, Tensor input, Tape tape) {
        int e = config.modelDim();
        int index = which.ordinal();
        if (tape == null && inProjWeight != null) { // the packed weight's block read in place, no copy
            if (input.rank() < 1 || input.dim(-1) != e) {
                throw new IllegalArgumentException("input: expected shape (..., " + e + ") to match the " + which
                        + " block of in_proj_weight " + inProjWeight.shape() + " but got " + input.shape());
            }
            int[] dims = input.shape().dims();
            dims[dims.length - 1] = e;
            Tensor out = Tensor.zeros(dims); // (batchSize, len, modelDim)
            MatMul.linearInto(out.data(), 0, input.data(), 0, inProjWeight.data(), index * e * e,
                    inProjBias == null ? null : inProjBias.data(), index * e, out.size() / e, e, e);
            return out;
        }
        Tensor weight = inProjWeight != null
                ? SliceOp.rows(tape, inProjWeight, index * e, e) // (modelDim, modelDim) block of the packed weight
                : switch (which) {
                    case QUERY -> qProjWeight;
                    case KEY -> kProjWeight;
                    case VALUE -> vProjWeight;
                };
        Tensor bias = inProjBias == null ? null : SliceOp.rows(tape, inProjBias, index * e, e); // (modelDim)
        return LinearOp.apply(tape, input, weight, bias);
    }

    /**
     * {@link #project} of {@code rows} rows on caller-owned buffers: {@code out (rows, modelDim) = input W^T + b}, the
     * packed weight's block read in place.
     */
    private void projectInto(Projection which, float[] out, float[] input, int rows) {
        int index = which.ordinal();
        float[] bias = inProjBias == null ? null : inProjBias.data();
        MatMul.linearTransposedInto(out, 0, input, 0, stepWeights()[index], bias, index * config.modelDim(), rows);
    }

    /**
     * As {@link dev.attention4j.nn.Linear#freeze}: the weights fixed from now on, for inference, so self-attention
     * with a packed {@code in_proj_weight} reads kept panel copies of it and of the output projection, at any length.
     */
    public void freeze() {
        if (panelWeights == null && inProjWeight != null) {
            panelWeights = new PanelWeight[] {new PanelWeight(inProjWeight), new PanelWeight(outProjWeight)};
        }
    }

    /**
     * The transposes a one-token step reads instead of packing the weights at every call (see
     * {@link TransposedWeight}), indexed by {@link Projection#ordinal()} and then the output projection; each copy is
     * made at its first use and again after its weight changed.
     */
    private TransposedWeight[] stepWeights() {
        TransposedWeight[] w = stepWeights;
        if (w == null) {
            int e = config.modelDim();
            w = new TransposedWeight[4];
            for (Projection p : Projection.values()) {
                w[p.ordinal()] = inProjWeight != null
                        ? new TransposedWeight(inProjWeight, p.ordinal() * e, e) // its block of (3 * modelDim, modelDim)
                        : new TransposedWeight(switch (p) {
                            case QUERY -> qProjWeight;
                            case KEY -> kProjWeight;
                            case VALUE -> vProjWeight;
                        });
            }
            w[3] = new TransposedWeight(outProjWeight);
            stepWeights = w;
        }
        return w;
    }

    @Override
    public void collectParameters(String prefix, Map<String, Tensor> into) {
        if (inProjWeight != null) {
            into.putIfAbsent(prefix + "in_proj_weight", inProjWeight);
        } else {
            into.putIfAbsent(prefix + "q_proj_weight", qProjWeight);
            into.putIfAbsent(prefix + "k_proj_weight", kProjWeight);
            into.putIfAbsent(prefix + "v_proj_weight", vProjWeight);
        }
        if (inProjBias != null) {
            into.putIfAbsent(prefix + "in_proj_bias", inProjBias);
        }
        if (biasK != null) {
            into.putIfAbsent(prefix + "bias_k", biasK);
            into.putIfAbsent(prefix + "bias_v", biasV);
        }
        into.putIfAbsent(prefix + "out_proj.weight", outProjWeight);
        if (outProjBias != null) {
            into.putIfAbsent(prefix + "out_proj.bias", outProjBias);
        }
    }
}
