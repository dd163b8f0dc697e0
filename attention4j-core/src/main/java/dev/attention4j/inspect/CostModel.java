package dev.attention4j.inspect;

import dev.attention4j.nn.transformer.Seq2SeqConfig;
import dev.attention4j.nn.transformer.TransformerLayerConfig;

import java.util.Objects;

/**
 * What a Transformer costs, from its shape alone: parameters, floating-point operations of a forward and a backward
 * pass, the activations training keeps, the KV caches of decoding, and how much of the work is attention's
 * {@code O(n^2)} and {@code O(n m)} terms. The formulas, with {@code d = modelDim}, {@code f = ffnDim},
 * {@code h = numHeads}, {@code n = srcLen}, {@code m = tgtLen}:
 *
 * <pre>
 * parameters   attention block   4 d^2 + 4 d          (W_Q, W_K, W_V, W_O and their biases)
 *              feed-forward      2 d f + f + d
 *              LayerNorm         2 d
 *              encoder layer     attention + feed-forward + 2 LayerNorms
 *              decoder layer     2 attention + feed-forward + 3 LayerNorms
 *              + embeddings, final norms and output projection as the model family has them
 * forward      a multiply-add is 2 FLOPs; per token and layer, the projections 2 * 4 d^2 (cross-attention: W_Q, W_O
 * FLOPs        per target token, W_K, W_V per source token), the feed-forward net 2 * 2 d f; attention's scores
 *              Q K^T and weighted sum P V 2 * 2 d per (query, key) pair: 4 d n^2 per encoder layer, 4 d m^2 per
 *              decoder self-attention (every score is computed, then masked), 4 d n m per cross-attention; the
 *              logits 2 d V per target token. LayerNorm, softmax, activations and biases are O(n d) and left out.
 * backward     twice the forward FLOPs (each product's two gradients, dX = dY W and dW = dY^T X).
 * activations  floats the tape keeps per token and layer: attention input, Q, K, V, attended output (5 d) and each
 *              row's log-sum-exp (h: attention keeps no (n, n) probabilities, it recomputes them), feed-forward input,
 *              hidden pre-activation and activation (d + 2 f), and each LayerNorm's input (d); cross-attention keeps
 *              its Q and output per target token (2 d + h) and its K, V per source token (2 d) — times 4 bytes.
 * KV cache     per decoder layer and sequence: 2 d floats per cached target token (self-attention, grows by one
 *              per step) and 2 d per source token (cross-attention, once per source) — times 4 bytes.
 * </pre>
 *
 * <p>Build one with {@link #of(Seq2SeqConfig)} (the encoder-decoder of {@code Seq2SeqTransformer}) or
 * {@link #encoderOnly} (BERT's layout).
 *
 * @param layer            every layer's shape
 * @param numEncoderLayers encoder layers (0 for none)
 * @param numDecoderLayers decoder layers with cross-attention (0 for an encoder-only model)
 * @param embeddings       parameters of the token, position and segment tables and any norm on them
 * @param finalNorms       parameters of the norms after the stacks
 * @param output           parameters of the output projection (a tied projection counts only its bias)
 * @param outputVocab      the logits' width, for the output FLOPs (0 without an output projection)
 */
public record CostModel(TransformerLayerConfig layer, int numEncoderLayers, int numDecoderLayers, long embeddings,
                        long finalNorms, long output, int outputVocab) {

    public CostModel {
        Objects.requireNonNull(layer, "layer");
        if (numEncoderLayers < 0) {
            throw new IllegalArgumentException("numEncoderLayers: expected >= 0 but got " + numEncoderLayers);
        }
        if (numDecoderLayers < 0) {
            throw new IllegalArgumentException("numDecoderLayers: expected >= 0 but got " + numDecoderLayers);
        }
        if (numEncoderLayers + numDecoderLayers == 0) {
            throw new IllegalArgumentException("numEncoderLayers + numDecoderLayers: expected >= 1 but got 0");
        }
        requireNonNegative("embeddings", embeddings);
        requireNonNegative("finalNorms", finalNorms);
        requireNonNegative("output", output);
        requireNonNegative("outputVocab", outputVocab);
    }

    /**
     * The model {@code Seq2SeqTransformer} builds from {@code config}: source and target token tables (learned
     * positions add a table), the encoder and decoder stacks, a final LayerNorm after each, and the output
     * projection (tied to the target table: its bias only).
     */
    public static CostModel of(Seq2SeqConfig config) {
        TransformerLayerConfig layer = config.transformer().layer();
        long d = layer.modelDim();
        long embeddings = (config.srcVocab() + (long) config.tgtVocab()) * d
                + (config.positions() == Seq2SeqConfig.Positions.LEARNED ? config.maxLen() * d : 0);
        long output = switch (config.outputProjection()) {
            case TIED_TO_TARGET_EMBEDDING -> config.tgtVocab();
            case SEPARATE -> config.tgtVocab() * d + config.tgtVocab();
        };
        return new CostModel(layer, config.transformer().numEncoderLayers(), config.transformer().numDecoderLayers(),
                embeddings, 2 * layerNorm(d), output, config.tgtVocab());
    }

    /**
     * An encoder-only model laid out as BERT: word, position and token-type tables and a LayerNorm on their sum,
     * {@code numLayers} encoder layers, no final norm, no output head (no pooler).
     */
    public static CostModel encoderOnly(TransformerLayerConfig layer, int numLayers, int vocabSize,
                                        int maxPositions, int typeVocabSize) {
        long d = layer.modelDim();
        long embeddings = ((long) vocabSize + maxPositions + typeVocabSize) * d + layerNorm(d);
        return new CostModel(layer, numLayers, 0, embeddings, 0, 0, 0);
    }

    /** {@code 4 d^2 + 4 d}: W_Q, W_K, W_V, W_O and their biases. */
    public long attentionParameters() {
        long d = layer.modelDim();
        return 4 * d * d + 4 * d;
    }

    /** {@code 2 d f + f + d}. */
    public long feedForwardParameters() {
        long d = layer.modelDim();
        long f = layer.ffnDim();
        return 2 * d * f + f + d;
    }

    /** One encoder layer: attention, feed-forward, 2 LayerNorms. */
    public long encoderLayerParameters() {
        return attentionParameters() + feedForwardParameters() + 2 * layerNorm(layer.modelDim());
    }

    /** One decoder layer: self- and cross-attention, feed-forward, 3 LayerNorms. */
    public long decoderLayerParameters() {
        return 2 * attentionParameters() + feedForwardParameters() + 3 * layerNorm(layer.modelDim());
    }

    /** Every parameter. */
    public long parameters() {
        return embeddings + stackParameters() + finalNorms + output;
    }

    /** The layers alone, without embeddings, final norms and output. */
    public long stackParameters() {
        return numEncoderLayers * encoderLayerParameters() + numDecoderLayers * decoderLayerParameters();
    }

    /**
     * The FLOPs of one forward pass on one example of {@code srcLen} source tokens and {@code tgtLen} target tokens
     * ({@code tgtLen} is ignored without a decoder).
     */
    public Flops forwardFlops(int srcLen, int tgtLen) {
        requireNonNegative("srcLen", srcLen);
        requireNonNegative("tgtLen", tgtLen);
        long d = layer.modelDim();
        long f = layer.ffnDim();
        long n = srcLen;
        long m = numDecoderLayers == 0 ? 0 : tgtLen;
        long projections = numEncoderLayers * n * 2 * 4 * d * d
                + numDecoderLayers * (m * 2 * 4 * d * d + m * 2 * 2 * d * d + n * 2 * 2 * d * d);
        long feedForward = (numEncoderLayers * n + numDecoderLayers * m) * 2 * 2 * d * f;
        long encoderSelf = numEncoderLayers * 4 * d * n * n;
        long decoderSelf = numDecoderLayers * 4 * d * m * m;
        long cross = numDecoderLayers * 4 * d * n * m;
        long logits = m * 2 * d * outputVocab;
        return new Flops(projections, feedForward, encoderSelf, decoderSelf, cross, logits);
    }

    /** The forward FLOPs divided by the tokens processed ({@code srcLen + tgtLen}, or {@code srcLen} alone). */
    public double forwardFlopsPerToken(int srcLen, int tgtLen) {
        long tokens = srcLen + (numDecoderLayers == 0 ? 0 : (long) tgtLen);
        return tokens == 0 ? 0 : (double) forwardFlops(srcLen, tgtLen).total() / tokens;
    }

    /** Backward: twice the forward. */
    public long backwardFlops(int srcLen, int tgtLen) {
        return 2 * forwardFlops(srcLen, tgtLen).total();
    }

    /** The activations a training step keeps for backward, in bytes, for {@code batchSize} examples. */
    public long activationBytes(int batchSize, int srcLen, int tgtLen) {
        requireNonNegative("batchSize", batchSize);
        long d = layer.modelDim();
        long f = layer.ffnDim();
        long h = layer.numHeads();
        long n = srcLen;
        long m = numDecoderLayers == 0 ? 0 : tgtLen;
        long selfAttention = 5 * d + h;       // input, Q, K, V, attended; one log-sum-exp per head
        long feedForward = d + 2 * f;          // input, hidden pre-activation, activation
        long crossPerTarget = 2 * d + h;       // Q, attended; log-sum-exp
        long crossPerSource = 2 * d;           // K, V of the memory
        long encoderPerToken = selfAttention + feedForward + 2 * d;               // + 2 LayerNorm inputs
        long decoderPerToken = selfAttention + crossPerTarget + feedForward + 3 * d; // + 3 LayerNorm inputs
        long floats = numEncoderLayers * n * encoderPerToken
                + numDecoderLayers * (m * decoderPerToken + n * crossPerSource);
        return batchSize * floats * Float.BYTES;
    }

    /**
     * The decoder's self-attention cache after {@code tgtLen} tokens: {@code 2 numDecoderLayers batchSize tgtLen d}
     * floats (what {@code DecoderCache.bytes()} reports).
     */
    public long selfCacheBytes(int batchSize, int tgtLen) {
        return 2L * numDecoderLayers * batchSize * tgtLen * layer.modelDim() * Float.BYTES;
    }

    /**
     * The memory's cross-attention keys and values: {@code 2 numDecoderLayers batchSize srcLen d} floats, once per
     * source (what {@code DecoderCache.memoryBytes()} reports).
     */
    public long crossCacheBytes(int batchSize, int srcLen) {
        return 2L * numDecoderLayers * batchSize * srcLen * layer.modelDim() * Float.BYTES;
    }

    /** The parameters held in float32, in bytes. */
    public long parameterBytes() {
        return parameters() * Float.BYTES;
    }

    private static long layerNorm(long d) {
        return 2 * d;
    }

    private static void requireNonNegative(String field, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(field + ": expected >= 0 but got " + value);
        }
    }

    /**
     * The FLOPs of a forward pass by where they go.
     *
     * @param projections         the W_Q, W_K, W_V, W_O products of every attention block
     * @param feedForward         both feed-forward products of every layer
     * @param encoderSelfAttention scores and weighted sums of the encoder's self-attention, {@code O(n^2)}
     * @param decoderSelfAttention those of the decoder's masked self-attention, {@code O(m^2)}
     * @param crossAttention      those of cross-attention, {@code O(n m)}
     * @param logits              the output projection
     */
    public record Flops(long projections, long feedForward, long encoderSelfAttention, long decoderSelfAttention,
                        long crossAttention, long logits) {

        public long total() {
            return projections + feedForward + encoderSelfAttention + decoderSelfAttention + crossAttention + logits;
        }

        /** Attention's length-dependent share: scores and weighted sums over the total. */
        public double attentionShare() {
            long t = total();
            return t == 0 ? 0 : (double) (encoderSelfAttention + decoderSelfAttention + crossAttention) / t;
        }

        /** The quadratic terms' share ({@code n^2} and {@code m^2}) of the total. */
        public double quadraticShare() {
            long t = total();
            return t == 0 ? 0 : (double) (encoderSelfAttention + decoderSelfAttention) / t;
        }

        /** The {@code n m} term's share of the total. */
        public double crossShare() {
            long t = total();
            return t == 0 ? 0 : (double) crossAttention / t;
        }
    }
}
