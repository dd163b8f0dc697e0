package dev.attention4j.nn.attention;

import dev.attention4j.autograd.AttentionLayout;
import dev.attention4j.autograd.AttentionOp;
import dev.attention4j.nn.Init;
import dev.attention4j.nn.Mode;
import dev.attention4j.nn.Module;
import dev.attention4j.tensor.MatMul;
import dev.attention4j.tensor.Shapes;
import dev.attention4j.tensor.Tensor;

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
        int e = config.modelDim();
        Shapes.requireDims("query", query, "(batchSize, tgtLen, modelDim)", -1, -1, e);
        int batchSize = query.dim(0);
        int tgtLen = query.dim(1);
        Shapes.requireDims("key", key, "(batchSize, srcLen, keyDim)", batchSize, -1, config.keyDim());
        int srcLen = key.dim(1);
        Shapes.requireDims("value", value, "(batchSize, srcLen, valueDim)", batchSize, srcLen, config.valueDim());
        Mask m = mask == null ? Mask.none() : mask;
        MaskShapes.validate(m, batchSize, config.numHeads(), tgtLen, srcLen);

        int keys = srcLen + config.extraKeys();
        float[] q = new float[batchSize * tgtLen * e]; // (batchSize, tgtLen, modelDim)
        float[] k = new float[batchSize * keys * e];   // (batchSize, keys, modelDim)
        float[] v = new float[batchSize * keys * e];   // (batchSize, keys, modelDim)
        project(q, tgtLen, query, 0, tgtLen);
        project(k, keys, key, 1, srcLen);
        project(v, keys, value, 2, srcLen);
        if (config.addBiasKv()) {
            for (int b = 0; b < batchSize; b++) {
                System.arraycopy(biasK.data(), 0, k, (b * keys + srcLen) * e, e);
                System.arraycopy(biasV.data(), 0, v, (b * keys + srcLen) * e, e);
            }
        }
        // add_zero_attn: the last key and value stay zero

        int numHeads = config.numHeads();
        int headDim = config.headDim();
        float[] probs = weights == AttentionWeights.NONE ? null : new float[batchSize * numHeads * tgtLen * keys];
        float dropout = mode instanceof Mode.Training ? config.dropout() : 0f;
        long seed = mode instanceof Mode.Training t ? t.seed() : 0L;
        // attended: (batchSize, tgtLen, numHeads * headDim). No tape yet: the projections are not autograd ops, so no
        // gradient could flow on past q, k and v.
        Tensor attended = AttentionOp.apply(null, Tensor.of(q, batchSize, tgtLen, e), Tensor.of(k, batchSize, keys, e),
                Tensor.of(v, batchSize, keys, e), AttentionLayout.TOKENS_MAJOR, numHeads,
                (float) (1.0 / Math.sqrt(headDim)), MaskShapes.scoreMask(m), srcLen, dropout, seed, probs);

        Tensor output = MatMul.linear(attended, outProjWeight, outProjBias);
        Tensor w = switch (weights) {
            case NONE -> null;
            case PER_HEAD -> Tensor.of(probs, batchSize, numHeads, tgtLen, keys);
            case HEAD_AVERAGE -> HeadAverage.of(probs, batchSize, numHeads, tgtLen, keys);
        };
        return new AttentionOutput(output, w);
    }

    /**
     * Projects {@code input (batchSize, len, inWidth)} by the {@code which}-th input projection (0 = query,
     * 1 = key, 2 = value) into the first {@code len} rows of each sequence of {@code out (batchSize, rows, modelDim)}.
     */
    private void project(float[] out, int rows, Tensor input, int which, int len) {
        int e = config.modelDim();
        int inWidth = input.dim(2);
        float[] weight;
        int wOff;
        if (inProjWeight != null) {
            weight = inProjWeight.data();
            wOff = which * e * e;
        } else {
            weight = (which == 0 ? qProjWeight : which == 1 ? kProjWeight : vProjWeight).data();
            wOff = 0;
        }
        float[] bias = inProjBias == null ? null : inProjBias.data();
        for (int b = 0; b < input.dim(0); b++) {
            MatMul.linearInto(out, b * rows * e, input.data(), b * len * inWidth, weight, wOff, bias, which * e,
                    len, e, inWidth);
        }
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
