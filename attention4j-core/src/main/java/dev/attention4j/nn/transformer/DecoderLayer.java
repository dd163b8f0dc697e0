package dev.attention4j.nn.transformer;

import dev.attention4j.autograd.AddOp;
import dev.attention4j.autograd.Tape;
import dev.attention4j.nn.FeedForward;
import dev.attention4j.nn.LayerNorm;
import dev.attention4j.nn.Mode;
import dev.attention4j.nn.Module;
import dev.attention4j.nn.attention.AttentionKind;
import dev.attention4j.nn.attention.AttentionObserver;
import dev.attention4j.nn.attention.AttentionSite;
import dev.attention4j.nn.attention.KeyValueCache;
import dev.attention4j.nn.attention.Mask;
import dev.attention4j.nn.attention.MultiHeadAttention;
import dev.attention4j.nn.attention.MultiHeadAttentionConfig;
import dev.attention4j.tensor.Tensor;

import java.util.Map;
import java.util.random.RandomGenerator;


/**
 * A decoder layer, {@code nn.TransformerDecoderLayer}: masked self-attention over the target, cross-attention from
 * the target (queries) to the encoder's memory (keys and values), then the feed-forward net; each with a residual
 * connection and a LayerNorm. Parameters: {@code self_attn.*}, {@code multihead_attn.*}, {@code linear1.*},
 * {@code linear2.*}, {@code norm1.*}, {@code norm2.*}, {@code norm3.*}.
 */
public final class DecoderLayer implements Module {

    private final TransformerLayerConfig config;
    private final MultiHeadAttention selfAttn;
    private final MultiHeadAttention crossAttn;
    private final FeedForward feedForward;
    private final LayerNorm norm1;
    private final LayerNorm norm2;
    private final LayerNorm norm3;

    public DecoderLayer(TransformerLayerConfig config, RandomGenerator random) {
        this.config = config;
        MultiHeadAttentionConfig attention =
                MultiHeadAttentionConfig.of(config.modelDim(), config.numHeads()).withDropout(config.dropout());
        this.selfAttn = new MultiHeadAttention(attention, random);
        this.crossAttn = new MultiHeadAttention(attention, random);
        this.feedForward = new FeedForward(config.modelDim(), config.ffnDim(), config.activation(), config.dropout(),
                random);
        this.norm1 = new LayerNorm(config.modelDim(), config.layerNormEps());
        this.norm2 = new LayerNorm(config.modelDim(), config.layerNormEps());
        this.norm3 = new LayerNorm(config.modelDim(), config.layerNormEps());
    }

    /**
     * @param tgt        {@code (batchSize, tgtLen, modelDim)}
     * @param memory     the encoder output, {@code (batchSize, srcLen, modelDim)}
     * @param selfMask   for the target's self-attention: causal, usually with target key padding
     * @param memoryMask for cross-attention: usually the source key padding
     * @return {@code (batchSize, tgtLen, modelDim)}
     */
    public Tensor forward(Tensor tgt, Tensor memory, Mask selfMask, Mask memoryMask, Mode mode) {
        return forward(tgt, memory, selfMask, memoryMask, mode, AttentionObserver.NONE, null);
    }

    /**
     * {@link #forward(Tensor, Tensor, Mask, Mask, Mode)} watched by {@code observer}, which is handed the weights it
     * asks for at {@code site} (this layer's masked self-attention) and at {@code site.withKind(CROSS)}.
     */
    public Tensor forward(Tensor tgt, Tensor memory, Mask selfMask, Mask memoryMask, Mode mode,
                          AttentionObserver observer, AttentionSite site) {
        AttentionSite crossSite = crossSite(site);
        Tape tape = mode.tape();
        float p = config.dropout();
        Tensor x = tgt;
        return switch (config.normPlacement()) {
            case PRE -> {
                Tensor h = norm1.forward(x, mode);
                x = AddOp.apply(tape, x,
                        Sublayers.attention(selfAttn, h, h, selfMask, p, mode.child(0), observer, site));
                h = norm2.forward(x, mode);
                x = AddOp.apply(tape, x,
                        Sublayers.attention(crossAttn, h, memory, memoryMask, p, mode.child(1), observer, crossSite));
                yield AddOp.apply(tape, x, Sublayers.feedForward(feedForward, norm3.forward(x, mode), p, mode.child(2)));
            }
            case POST -> {
                x = norm1.forward(AddOp.apply(tape, x,
                        Sublayers.attention(selfAttn, x, x, selfMask, p, mode.child(0), observer, site)), mode);
                x = norm2.forward(AddOp.apply(tape, x,
                        Sublayers.attention(crossAttn, x, memory, memoryMask, p, mode.child(1), observer, crossSite)), mode);
                yield norm3.forward(AddOp.apply(tape, x, Sublayers.feedForward(feedForward, x, p, mode.child(2))), mode);
            }
        };
    }

    /**
     * The layer at inference on new target tokens only, with their self-attention keys and values appended to
     * {@code selfCache} and cross-attention on the memory's keys and values projected once: equal (up to summation
     * order) to the last {@code newLen} rows of {@link #forward} on the whole prefix with a causal self mask.
     *
     * @param tgt        the new tokens, {@code (batchSize, newLen, modelDim)}
     * @param selfCache  this layer's self-attention keys and values so far; advanced by {@code newLen}
     * @param memoryKv   this layer's cross-attention keys and values of the memory ({@link #projectMemory})
     * @param memoryMask for cross-attention: usually the source key padding
     * @return {@code (batchSize, newLen, modelDim)}
     */
    public Tensor forwardCached(Tensor tgt, KeyValueCache selfCache, KeyValueCache memoryKv, Mask memoryMask) {
        return forwardCached(tgt, selfCache, memoryKv, memoryMask, AttentionObserver.NONE, null);
    }

    /**
     * {@link #forwardCached(Tensor, KeyValueCache, KeyValueCache, Mask)} watched by {@code observer}, which is handed
     * the weights it asks for at {@code site} (the masked self-attention) and at {@code site.withKind(CROSS)}.
     */
    public Tensor forwardCached(Tensor tgt, KeyValueCache selfCache, KeyValueCache memoryKv, Mask memoryMask,
                                AttentionObserver observer, AttentionSite site) {
        AttentionSite crossSite = crossSite(site);
        Tensor x = tgt;
        return switch (config.normPlacement()) {
            case PRE -> {
                Tensor h = norm1.forward(x, Mode.INFERENCE);
                x = AddOp.apply(null, x, selfAttn.forwardCached(h, selfCache, Mask.none(), observer, site));
                h = norm2.forward(x, Mode.INFERENCE);
                x = AddOp.apply(null, x, crossAttn.forwardCrossCached(h, memoryKv, memoryMask, observer, crossSite));
                yield AddOp.apply(null, x, feedForward.forward(norm3.forward(x, Mode.INFERENCE), Mode.INFERENCE));
            }
            case POST -> {
                x = norm1.forward(AddOp.apply(null, x,
                        selfAttn.forwardCached(x, selfCache, Mask.none(), observer, site)),
                        Mode.INFERENCE);
                x = norm2.forward(AddOp.apply(null, x,
                        crossAttn.forwardCrossCached(x, memoryKv, memoryMask, observer, crossSite)),
                        Mode.INFERENCE);
                yield norm3.forward(AddOp.apply(null, x, feedForward.forward(x, Mode.INFERENCE)), Mode.INFERENCE);
            }
        };
    }

    /**
     * {@link #forwardCached} for one new token per sequence, in place on the step's residual stream {@code ws.x
     * (batchSize, modelDim)}: the same kernels in the same order, so the same bits, allocating nothing (see
     * {@link MultiHeadAttention#forwardCachedStep}); {@code observer} is handed the weights it asks for at {@code site}
     * and {@code site.withKind(CROSS)} ({@code site} is null when {@code observer} is {@link AttentionObserver#NONE}).
     */
    void forwardCachedStep(StepWorkspace ws, KeyValueCache selfCache, KeyValueCache memoryKv, Mask memoryMask,
                           AttentionObserver observer, AttentionSite site) {
        AttentionSite crossSite = crossSite(site);
        int rows = ws.batchSize;
        switch (config.normPlacement()) {
            case PRE -> { // x = x + sublayer(norm(x)), three times
                norm1.forwardInto(ws.normed, ws.x, rows);
                selfAttn.forwardCachedStep(ws.sublayer, ws.normed, selfCache, ws.attention, observer, site);
                ws.addSublayer();
                norm2.forwardInto(ws.normed, ws.x, rows);
                crossAttn.forwardCrossCachedStep(ws.sublayer, ws.normed, memoryKv, memoryMask, ws.attention, observer,
                        crossSite);
                ws.addSublayer();
                norm3.forwardInto(ws.normed, ws.x, rows);
                feedForward.forwardInto(ws.sublayer, ws.normed, ws.hidden, rows);
                ws.addSublayer();
            }
            case POST -> { // x = norm(x + sublayer(x)), three times
                selfAttn.forwardCachedStep(ws.sublayer, ws.x, selfCache, ws.attention, observer, site);
                ws.addSublayer();
                norm1.forwardInto(ws.x, ws.x, rows);
                crossAttn.forwardCrossCachedStep(ws.sublayer, ws.x, memoryKv, memoryMask, ws.attention, observer,
                        crossSite);
                ws.addSublayer();
                norm2.forwardInto(ws.x, ws.x, rows);
                feedForward.forwardInto(ws.sublayer, ws.x, ws.hidden, rows);
                ws.addSublayer();
                norm3.forwardInto(ws.x, ws.x, rows);
            }
        }
    }

    /** The cross-attention's site beside the self-attention's {@code site} (null stays null: nothing observed). */
    private static AttentionSite crossSite(AttentionSite site) {
        return site == null ? null : site.withKind(AttentionKind.CROSS);
    }

    /** This layer's cross-attention keys and values of {@code memory (batchSize, srcLen, modelDim)}, computed once. */
    public KeyValueCache projectMemory(Tensor memory) {
        return crossAttn.projectKeysValues(memory, memory);
    }

    public TransformerLayerConfig config() {
        return config;
    }

    public MultiHeadAttention selfAttention() {
        return selfAttn;
    }

    public MultiHeadAttention crossAttention() {
        return crossAttn;
    }

    @Override
    public void collectParameters(String prefix, Map<String, Tensor> into) {
        Module.collectChild(prefix, "self_attn", selfAttn, into);
        Module.collectChild(prefix, "multihead_attn", crossAttn, into);
        feedForward.collectParameters(prefix, into);
        Module.collectChild(prefix, "norm1", norm1, into);
        Module.collectChild(prefix, "norm2", norm2, into);
        Module.collectChild(prefix, "norm3", norm3, into);
    }
}
