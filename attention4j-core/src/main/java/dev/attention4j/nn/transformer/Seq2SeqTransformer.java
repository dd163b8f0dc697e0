package dev.attention4j.nn.transformer;

import dev.attention4j.nn.Embedding;
import dev.attention4j.nn.Linear;
import dev.attention4j.nn.Mode;
import dev.attention4j.nn.Module;
import dev.attention4j.nn.PositionalEncoding;
import dev.attention4j.nn.attention.AttentionObserver;
import dev.attention4j.nn.attention.Mask;
import dev.attention4j.tensor.Tensor;

import java.util.Map;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * The whole model of the paper, tokens in and logits out: {@code x = Embed(tokens) * sqrt(modelDim) + PE}, the
 * {@link Transformer}, and a linear output projection, optionally tied to the target embeddings.
 *
 * <p>Parameters: {@code src_tok_emb.weight}, {@code tgt_tok_emb.weight}, {@code positional_encoding.weight}
 * (learned positions only), {@code transformer.*}, {@code generator.weight} (untied only) and
 * {@code generator.bias}. Tied, the projection's matrix is {@code tgt_tok_emb.weight} itself and is saved once.
 * Embeddings start N(0, 1/modelDim) (as tensor2tensor), so the scaled inputs have unit variance and tied logits start
 * near zero.
 */
public final class Seq2SeqTransformer implements Module {

    private final Seq2SeqConfig config;
    private final Embedding srcTokEmb;
    private final Embedding tgtTokEmb;
    private final PositionalEncoding positionalEncoding;
    private final Transformer transformer;
    private final Linear generator;
    private final float embeddingScale;

    public Seq2SeqTransformer(Seq2SeqConfig config, RandomGenerator random) {
        this.config = config;
        int modelDim = config.transformer().layer().modelDim();
        this.srcTokEmb = new Embedding(config.srcVocab(), modelDim, (float) (1 / Math.sqrt(modelDim)), random);
        this.tgtTokEmb = new Embedding(config.tgtVocab(), modelDim, (float) (1 / Math.sqrt(modelDim)), random);
        this.positionalEncoding = config.positions().encoding(config.maxLen(), modelDim, random);
        this.transformer = new Transformer(config.transformer(), random);
        Linear untied = Linear.withBias(modelDim, config.tgtVocab(), random);
        this.generator = switch (config.outputProjection()) {
            case TIED_TO_TARGET_EMBEDDING -> Linear.of(tgtTokEmb.weight(), untied.bias());
            case SEPARATE -> untied;
        };
        this.embeddingScale = (float) Math.sqrt(modelDim);
    }

    public Seq2SeqTransformer(Seq2SeqConfig config, long seed) {
        this(config, new SplittableRandom(seed));
    }

    /** Teacher-forced logits at inference, for unpadded batches: {@code (batchSize, tgtLen, tgtVocab)}. */
    public Tensor forward(int[][] src, int[][] tgt) {
        return forward(src, tgt, Mask.none(), Mask.none(), Mode.INFERENCE);
    }

    /**
     * Teacher-forced logits.
     *
     * @param src           source token ids {@code (batchSize, srcLen)}
     * @param tgt           target token ids {@code (batchSize, tgtLen)} (shifted right: starting with BOS)
     * @param srcPadding    source key padding ({@link Mask#none()} if none); masks encoder self-attention and
     *                      cross-attention
     * @param tgtPadding    target key padding, combined with the causal mask of the decoder's self-attention
     * @return logits {@code (batchSize, tgtLen, tgtVocab)}
     */
    public Tensor forward(int[][] src, int[][] tgt, Mask srcPadding, Mask tgtPadding, Mode mode) {
        return forward(src, tgt, srcPadding, tgtPadding, mode, AttentionObserver.NONE);
    }

    /**
     * {@link #forward(int[][], int[][], Mask, Mask, Mode)} watched by {@code observer}: the encoder's self-attention,
     * the decoder's masked self-attention and its cross-attention, per layer, as it asks (in training too: the
     * weights are then the dropped-out ones that were applied).
     */
    public Tensor forward(int[][] src, int[][] tgt, Mask srcPadding, Mask tgtPadding, Mode mode,
                          AttentionObserver observer) {
        if (src.length != tgt.length) {
            throw new IllegalArgumentException("tgt: expected batchSize = " + src.length + " to match src but got "
                    + tgt.length);
        }
        Tensor memory = encode(src, srcPadding, mode.child(0), observer);
        return decode(tgt, memory, srcPadding, tgtPadding, mode.child(1), observer);
    }

    /** The source side: token ids {@code (batchSize, srcLen)} -> memory {@code (batchSize, srcLen, modelDim)}. */
    public Tensor encode(int[][] src, Mask srcPadding, Mode mode) {
        return encode(src, srcPadding, mode, AttentionObserver.NONE);
    }

    /** {@link #encode(int[][], Mask, Mode)} watched by {@code observer}. */
    public Tensor encode(int[][] src, Mask srcPadding, Mode mode, AttentionObserver observer) {
        Tensor x = positionalEncoding.addTo(srcTokEmb.forward(src, embeddingScale, mode), mode);
        return transformer.encode(x, srcPadding, mode, observer);
    }

    /** The target side on a memory from {@link #encode}: logits {@code (batchSize, tgtLen, tgtVocab)}. */
    public Tensor decode(int[][] tgt, Tensor memory, Mask srcPadding, Mask tgtPadding, Mode mode) {
        return decode(tgt, memory, srcPadding, tgtPadding, mode, AttentionObserver.NONE);
    }

    /** {@link #decode(int[][], Tensor, Mask, Mask, Mode)} watched by {@code observer}. */
    public Tensor decode(int[][] tgt, Tensor memory, Mask srcPadding, Mask tgtPadding, Mode mode,
                         AttentionObserver observer) {
        Tensor y = positionalEncoding.addTo(tgtTokEmb.forward(tgt, embeddingScale, mode), mode);
        Tensor h = transformer.decode(y, memory, Mask.causal().and(tgtPadding), srcPadding, mode, observer);
        return generator.forward(h, mode);
    }

    /**
     * Prepares incremental decoding: every decoder layer's cross-attention keys and values of {@code memory}, once,
     * and empty self-attention caches for {@code capacity} target tokens (BOS included).
     *
     * @param memory     from {@link #encode}, {@code (batchSize, srcLen, modelDim)}
     * @param srcPadding the source key padding used to encode it ({@link Mask#none()} if none)
     * @param capacity   the most target tokens to be fed, in {@code [0, maxLen]}
     */
    public DecoderCache startDecoding(Tensor memory, Mask srcPadding, int capacity) {
        return startDecoding(memory, srcPadding, capacity, CrossAttentionCaching.PROJECT_ONCE);
    }

    /**
     * {@link #startDecoding(Tensor, Mask, int)} with a choice of keeping the memory's cross-attention keys and values
     * ({@link CrossAttentionCaching#PROJECT_ONCE}) or projecting them at every step (to measure the saving).
     */
    public DecoderCache startDecoding(Tensor memory, Mask srcPadding, int capacity, CrossAttentionCaching caching) {
        if (capacity < 0 || capacity > positionalEncoding.maxLen()) {
            throw new IllegalArgumentException("capacity: expected a token count in [0, maxLen = "
                    + positionalEncoding.maxLen() + "] but got " + capacity);
        }
        return transformer.startDecoding(memory, srcPadding, capacity, caching);
    }

    /**
     * One decoding step at inference: feeds each sequence's last token at position {@code cache.position()} and
     * returns the logits of the next, {@code (batchSize, tgtVocab)} row-major; the cache advances by one. Gives the
     * bits of {@link #decodeCached} on those tokens (the same kernels in the same order) and equals (up to summation
     * order) the last row of {@link #decode} on the whole prefix.
     *
     * <p>Allocation-free once the JIT has compiled it: the activations and the logits live in buffers that the cache
     * makes at its first step and reuses, so the returned array is a view that the next step on {@code cache}
     * overwrites (copy it to keep it).
     * Nothing is allocated per step, also when an op splits its work across threads (big batches, long caches or a big
     * vocabulary: the hand-off to {@code Parallel}'s workers allocates nothing), unless the memory's keys and values
     * are projected every step
     * ({@link CrossAttentionCaching#PROJECT_EVERY_STEP}).
     *
     * @param lastTokens the token just chosen (BOS at the first step) of each sequence, {@code (batchSize)}
     * @return the logits {@code (batchSize, tgtVocab)}, valid until the next step on {@code cache}
     * @throws IllegalStateException when the cache is full, naming its capacity and position (nothing changes then)
     */
    public float[] decodeStep(int[] lastTokens, DecoderCache cache) {
        return decodeStep(lastTokens, cache, AttentionObserver.NONE);
    }

    /**
     * {@link #decodeStep(int[], DecoderCache)} watched by {@code observer}: one map per layer and mechanism for this
     * token, {@code (batchSize, heads, 1, keys)}, at step {@code cache.position()} (before the call). With
     * {@link AttentionObserver#NONE} it is that method, allocation-free; observed, the maps are the only allocation.
     */
    public float[] decodeStep(int[] lastTokens, DecoderCache cache, AttentionObserver observer) {
        if (lastTokens.length != cache.batchSize()) {
            throw new IllegalArgumentException("lastTokens: expected " + cache.batchSize()
                    + " tokens (one per sequence) but got " + lastTokens.length);
        }
        cache.requireRoom(1);
        TransformerLayerConfig layer = config.transformer().layer();
        StepWorkspace ws = cache.stepWorkspace(layer.numHeads(), layer.modelDim(), layer.ffnDim(), config.tgtVocab());
        tgtTokEmb.forwardInto(ws.x, lastTokens, embeddingScale);                 // (batchSize, modelDim)
        positionalEncoding.addAtInPlace(ws.x, lastTokens.length, 1, cache.position());
        transformer.decodeCachedStep(ws, cache, observer);                       // (batchSize, modelDim)
        generator.forwardInto(ws.logits, ws.x, lastTokens.length);               // (batchSize, tgtVocab)
        return ws.logits;
    }

    /**
     * Several target tokens at once at inference (e.g. a forced prefix), continuing the cached prefix:
     * {@code tgt (batchSize, newLen)} -> logits {@code (batchSize, newLen, tgtVocab)}; the cache advances by
     * {@code newLen}.
     */
    public Tensor decodeCached(int[][] tgt, DecoderCache cache) {
        return decodeCached(tgt, cache, AttentionObserver.NONE);
    }

    /** {@link #decodeCached(int[][], DecoderCache)} watched by {@code observer}, at step {@code cache.position()}. */
    public Tensor decodeCached(int[][] tgt, DecoderCache cache, AttentionObserver observer) {
        if (tgt.length != cache.batchSize()) {
            throw new IllegalArgumentException("tgt: expected batchSize = " + cache.batchSize() + " but got "
                    + tgt.length);
        }
        int newLen = tgt.length == 0 ? 0 : tgt[0].length;
        cache.requireRoom(newLen);
        Tensor y = positionalEncoding.addAt(tgtTokEmb.forward(tgt, embeddingScale, Mode.INFERENCE), cache.position());
        return generator.forward(transformer.decodeCached(y, cache, observer), Mode.INFERENCE);
    }

    public Seq2SeqConfig config() {
        return config;
    }

    public Transformer transformer() {
        return transformer;
    }

    @Override
    public void collectParameters(String prefix, Map<String, Tensor> into) {
        Module.collectChild(prefix, "src_tok_emb", srcTokEmb, into);
        Module.collectChild(prefix, "tgt_tok_emb", tgtTokEmb, into);
        Module.collectChild(prefix, "positional_encoding", positionalEncoding, into);
        Module.collectChild(prefix, "transformer", transformer, into);
        Module.collectChild(prefix, "generator", generator, into);
    }
}
