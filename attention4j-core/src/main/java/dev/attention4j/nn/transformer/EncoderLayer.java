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
 * An encoder layer, {@code nn.TransformerEncoderLayer}: multi-head self-attention, then the feed-forward net, each
 * wrapped in a residual connection and a LayerNorm. Parameters: {@code self_attn.*}, {@code linear1.*},
 * {@code linear2.*}, {@code norm1.*}, {@code norm2.*}.
 */
public final class EncoderLayer implements Module {

    private final TransformerLayerConfig config;
    private final MultiHeadAttention selfAttn;
    private final FeedForward feedForward;
    private final LayerNorm norm1;
    private final LayerNorm norm2;

    public EncoderLayer(TransformerLayerConfig config, RandomGenerator random) {
        this.config = config;
        this.selfAttn = new MultiHeadAttention(
                MultiHeadAttentionConfig.of(config.modelDim(), config.numHeads()).withDropout(config.dropout()), random);
        this.feedForward = new FeedForward(config.modelDim(), config.ffnDim(), config.activation(), config.dropout(),
                random);
        this.norm1 = new LayerNorm(config.modelDim(), config.layerNormEps());
        this.norm2 = new LayerNorm(config.modelDim(), config.layerNormEps());
    }

    /** Freezes the layer's attention and feed-forward weights for inference (see {@link FeedForward#freeze}). */
    public void freeze() {
        selfAttn.freeze();
        feedForward.freeze();
    }

    /**
     * @param src  {@code (batchSize, srcLen, modelDim)}
     * @param mask which source tokens each may attend to (typically key padding)
     * @return {@code (batchSize, srcLen, modelDim)}
     */
    public Tensor forward(Tensor src, Mask mask, Mode mode) {
        return forward(src, mask, mode, AttentionObserver.NONE, null);
    }

    /**
     * {@link #forward(Tensor, Mask, Mode)} watched by {@code observer}, which is handed the self-attention weights it
     * asks for at {@code site} (this layer's self-attention: {@link AttentionKind#SELF} in an encoder,
     * {@link AttentionKind#MASKED_SELF} as a decoder-only block).
     */
    public Tensor forward(Tensor src, Mask mask, Mode mode, AttentionObserver observer, AttentionSite site) {
        Tape tape = mode.tape();
        float p = config.dropout();
        Tensor x = src;
        // Without a tape nothing keeps the sublayers' outputs, so the residual sums and norms overwrite them rather
        // than allocating (same bits; an embedding model's layer allocates a third less).
        boolean inPlace = tape == null;
        return switch (config.normPlacement()) {
            case PRE -> {
                Tensor h = norm1.forward(x, mode);
                Tensor a = Sublayers.attention(selfAttn, h, h, mask, p, mode.child(0), observer, site);
                x = inPlace ? Sublayers.residualInPlace(a, x) : AddOp.apply(tape, x, a);
                Tensor f = Sublayers.feedForward(feedForward, norm2.forward(x, mode), p, mode.child(1));
                yield inPlace ? Sublayers.residualInPlace(f, x) : AddOp.apply(tape, x, f);
            }
            case POST -> {
                Tensor a = Sublayers.attention(selfAttn, x, x, mask, p, mode.child(0), observer, site);
                x = inPlace ? Sublayers.residualAndNormInPlace(a, x, norm1)
                        : norm1.forward(AddOp.apply(tape, x, a), mode);
                Tensor f = Sublayers.feedForward(feedForward, x, p, mode.child(1));
                yield inPlace ? Sublayers.residualAndNormInPlace(f, x, norm2)
                        : norm2.forward(AddOp.apply(tape, x, f), mode);
            }
        };
    }

    /**
     * The layer as a causal (decoder-only) block at inference on new tokens only: their self-attention keys and values
     * are appended to {@code selfCache}, and each new token attends to the cached prefix and to itself and the new
     * tokens before it. Equal (up to summation order) to the last {@code newLen} rows of {@link #forward} on the whole
     * prefix with a causal mask.
     *
     * @param x         the new tokens, {@code (batchSize, newLen, modelDim)}
     * @param selfCache this layer's keys and values so far; advanced by {@code newLen}
     * @return {@code (batchSize, newLen, modelDim)}
     */
    public Tensor forwardCached(Tensor x, KeyValueCache selfCache) {
        return forwardCached(x, selfCache, AttentionObserver.NONE, null);
    }

    /**
     * {@link #forwardCached(Tensor, KeyValueCache)} watched by {@code observer}, which is handed the self-attention
     * weights it asks for at {@code site} ({@code (batchSize, heads, newLen, length + newLen)}).
     */
    public Tensor forwardCached(Tensor x, KeyValueCache selfCache, AttentionObserver observer, AttentionSite site) {
        return switch (config.normPlacement()) {
            case PRE -> {
                Tensor h = norm1.forward(x, Mode.INFERENCE);
                Tensor y = AddOp.apply(null, x,
                        selfAttn.forwardCached(h, selfCache, Mask.none(), observer, site));
                yield AddOp.apply(null, y, feedForward.forward(norm2.forward(y, Mode.INFERENCE), Mode.INFERENCE));
            }
            case POST -> {
                Tensor y = norm1.forward(AddOp.apply(null, x,
                        selfAttn.forwardCached(x, selfCache, Mask.none(), observer, site)),
                        Mode.INFERENCE);
                yield norm2.forward(AddOp.apply(null, y, feedForward.forward(y, Mode.INFERENCE)), Mode.INFERENCE);
            }
        };
    }

    /**
     * {@link #forwardCached} for one new token per sequence, in place on the step's residual stream {@code ws.x
     * (batchSize, modelDim)}: the same kernels in the same order, so the same bits, allocating nothing (see
     * {@link MultiHeadAttention#forwardCachedStep}); {@code observer} is handed the weights it asks for at
     * {@code site} (null when {@code observer} is {@link AttentionObserver#NONE}).
     */
    void forwardCachedStep(StepWorkspace ws, KeyValueCache selfCache, AttentionObserver observer,
                           AttentionSite site) {
        int rows = ws.batchSize;
        switch (config.normPlacement()) {
            case PRE -> { // x = x + sublayer(norm(x)), twice
                norm1.forwardInto(ws.normed, ws.x, rows);
                selfAttn.forwardCachedStep(ws.sublayer, ws.normed, selfCache, ws.attention, observer, site);
                ws.addSublayer();
                norm2.forwardInto(ws.normed, ws.x, rows);
                feedForward.forwardInto(ws.sublayer, ws.normed, ws.hidden, rows);
                ws.addSublayer();
            }
            case POST -> { // x = norm(x + sublayer(x)), twice
                selfAttn.forwardCachedStep(ws.sublayer, ws.x, selfCache, ws.attention, observer, site);
                ws.addSublayer();
                norm1.forwardInto(ws.x, ws.x, rows);
                feedForward.forwardInto(ws.sublayer, ws.x, ws.hidden, rows);
                ws.addSublayer();
                norm2.forwardInto(ws.x, ws.x, rows);
            }
        }
    }

    public TransformerLayerConfig config() {
        return config;
    }

    public MultiHeadAttention selfAttention() {
        return selfAttn;
    }

    @Override
    public void collectParameters(String prefix, Map<String, Tensor> into) {
        Module.collectChild(prefix, "self_attn", selfAttn, into);
        feedForward.collectParameters(prefix, into);
        Module.collectChild(prefix, "norm1", norm1, into);
        Module.collectChild(prefix, "norm2", norm2, into);
    }
}
