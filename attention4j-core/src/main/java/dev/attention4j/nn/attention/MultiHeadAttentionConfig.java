package dev.attention4j.nn.attention;

import dev.attention4j.nn.Dropout;

/**
 * The shape of a {@link MultiHeadAttention}, as {@code nn.MultiheadAttention}'s constructor arguments. Start from
 * {@link #of} and adjust: {@code MultiHeadAttentionConfig.of(512, 8).withKeyValueDims(768, 768).withDropout(0.1f)}.
 *
 * @param modelDim    {@code embed_dim}: query input width and output width
 * @param numHeads    {@code num_heads}; must divide {@code modelDim}
 * @param keyDim      {@code kdim}: width of the key input (cross-attention may differ from {@code modelDim})
 * @param valueDim    {@code vdim}: width of the value input
 * @param bias        {@code bias}: biases on the input and output projections
 * @param addBiasKv   {@code add_bias_kv}: a learned key and value appended to every sequence
 * @param addZeroAttn {@code add_zero_attn}: an all-zero key and value appended to every sequence
 * @param dropout     {@code dropout} on the attention weights, in training mode
 */
public record MultiHeadAttentionConfig(int modelDim, int numHeads, int keyDim, int valueDim, boolean bias,
                                       boolean addBiasKv, boolean addZeroAttn, float dropout) {

    public MultiHeadAttentionConfig {
        requirePositive("modelDim", modelDim);
        requirePositive("numHeads", numHeads);
        if (modelDim % numHeads != 0) {
            throw new IllegalArgumentException("numHeads: expected a divisor of modelDim = " + modelDim + " but got "
                    + numHeads);
        }
        requirePositive("keyDim", keyDim);
        requirePositive("valueDim", valueDim);
        Dropout.requireProbability("dropout", dropout);
    }

    private static void requirePositive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + ": expected > 0 but got " + value);
        }
    }

    /** {@code nn.MultiheadAttention(modelDim, numHeads)}: biases on, key/value widths = modelDim, no dropout. */
    public static MultiHeadAttentionConfig of(int modelDim, int numHeads) {
        return new MultiHeadAttentionConfig(modelDim, numHeads, modelDim, modelDim, true, false, false, 0f);
    }

    /** Key and value inputs of other widths ({@code kdim}, {@code vdim}), for cross-attention. */
    public MultiHeadAttentionConfig withKeyValueDims(int newKeyDim, int newValueDim) {
        return new MultiHeadAttentionConfig(modelDim, numHeads, newKeyDim, newValueDim, bias, addBiasKv, addZeroAttn,
                dropout);
    }

    /** No biases on the projections ({@code bias=False}). */
    public MultiHeadAttentionConfig withoutBias() {
        return new MultiHeadAttentionConfig(modelDim, numHeads, keyDim, valueDim, false, addBiasKv, addZeroAttn,
                dropout);
    }

    /** PyTorch's {@code add_bias_kv=True}. */
    public MultiHeadAttentionConfig withBiasKv() {
        return new MultiHeadAttentionConfig(modelDim, numHeads, keyDim, valueDim, bias, true, addZeroAttn, dropout);
    }

    /** PyTorch's {@code add_zero_attn=True}. */
    public MultiHeadAttentionConfig withZeroAttn() {
        return new MultiHeadAttentionConfig(modelDim, numHeads, keyDim, valueDim, bias, addBiasKv, true, dropout);
    }

    public MultiHeadAttentionConfig withDropout(float p) {
        return new MultiHeadAttentionConfig(modelDim, numHeads, keyDim, valueDim, bias, addBiasKv, addZeroAttn, p);
    }

    /** {@code modelDim / numHeads}. */
    public int headDim() {
        return modelDim / numHeads;
    }

    /** Whether the projections are packed into one {@code in_proj_weight}, as PyTorch does when kdim = vdim = modelDim. */
    public boolean packedInputProjection() {
        return keyDim == modelDim && valueDim == modelDim;
    }

    /** Keys appended to every sequence by {@code add_bias_kv} and {@code add_zero_attn}. */
    int extraKeys() {
        return (addBiasKv ? 1 : 0) + (addZeroAttn ? 1 : 0);
    }
}
