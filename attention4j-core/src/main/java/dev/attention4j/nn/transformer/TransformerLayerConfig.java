package dev.attention4j.nn.transformer;

import dev.attention4j.nn.Activation;
import dev.attention4j.nn.Dropout;

import java.util.Objects;

/**
 * One encoder or decoder layer, as {@code nn.TransformerEncoderLayer}'s arguments. {@link #of} gives PyTorch's
 * defaults (dropout 0.1, ReLU, eps 1e-5, post-norm); adjust with the {@code with*} methods.
 *
 * @param modelDim      {@code d_model}
 * @param numHeads      {@code nhead}; must divide modelDim
 * @param ffnDim        {@code dim_feedforward}
 * @param dropout       dropout after each sub-layer, inside the feed-forward net and on the attention weights
 * @param activation    of the feed-forward net
 * @param layerNormEps  {@code layer_norm_eps}
 * @param normPlacement {@link NormPlacement#POST} (the paper) or {@link NormPlacement#PRE}
 */
public record TransformerLayerConfig(int modelDim, int numHeads, int ffnDim, float dropout, Activation activation,
                                     float layerNormEps, NormPlacement normPlacement) {

    public TransformerLayerConfig {
        if (modelDim <= 0) {
            throw new IllegalArgumentException("modelDim: expected > 0 but got " + modelDim);
        }
        if (numHeads <= 0 || modelDim % numHeads != 0) {
            throw new IllegalArgumentException("numHeads: expected a divisor of modelDim = " + modelDim + " but got "
                    + numHeads);
        }
        if (ffnDim <= 0) {
            throw new IllegalArgumentException("ffnDim: expected > 0 but got " + ffnDim);
        }
        Dropout.requireProbability("dropout", dropout);
        Objects.requireNonNull(activation, "activation");
        if (!(layerNormEps > 0f)) {
            throw new IllegalArgumentException("layerNormEps: expected > 0 but got " + layerNormEps);
        }
        Objects.requireNonNull(normPlacement, "normPlacement");
    }

    /** PyTorch's defaults: dropout 0.1, ReLU, eps 1e-5, post-norm. */
    public static TransformerLayerConfig of(int modelDim, int numHeads, int ffnDim) {
        return new TransformerLayerConfig(modelDim, numHeads, ffnDim, 0.1f, Activation.RELU, 1e-5f, NormPlacement.POST);
    }

    public TransformerLayerConfig withDropout(float p) {
        return new TransformerLayerConfig(modelDim, numHeads, ffnDim, p, activation, layerNormEps, normPlacement);
    }

    public TransformerLayerConfig withActivation(Activation a) {
        return new TransformerLayerConfig(modelDim, numHeads, ffnDim, dropout, a, layerNormEps, normPlacement);
    }

    public TransformerLayerConfig withLayerNormEps(float eps) {
        return new TransformerLayerConfig(modelDim, numHeads, ffnDim, dropout, activation, eps, normPlacement);
    }

    public TransformerLayerConfig withNormPlacement(NormPlacement placement) {
        return new TransformerLayerConfig(modelDim, numHeads, ffnDim, dropout, activation, layerNormEps, placement);
    }
}
