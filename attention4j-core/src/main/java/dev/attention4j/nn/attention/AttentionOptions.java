package dev.attention4j.nn.attention;

import dev.attention4j.nn.Dropout;
import dev.attention4j.nn.Mode;

import java.util.Objects;

/**
 * Options of {@link ScaledDotProductAttention}: start from {@link #DEFAULTS} and change what you need,
 * e.g. {@code AttentionOptions.DEFAULTS.withScale(0.5f).withWeights(AttentionWeights.PER_HEAD)}.
 *
 * @param scale   the factor on {@code Q K^T}; {@code NaN} means the default {@code 1 / sqrt(headDim)}
 * @param dropout the probability of dropping an attention weight in training mode
 * @param mode    inference, or training with a dropout seed
 * @param weights which weights to return
 */
public record AttentionOptions(float scale, float dropout, Mode mode, AttentionWeights weights) {

    /** Default scale, no dropout, inference, no weights returned. */
    public static final AttentionOptions DEFAULTS =
            new AttentionOptions(Float.NaN, 0f, Mode.INFERENCE, AttentionWeights.NONE);

    public AttentionOptions {
        if (!Float.isNaN(scale) && !Float.isFinite(scale)) {
            throw new IllegalArgumentException("scale: expected a finite number (or NaN for 1/sqrt(headDim)) but got "
                    + scale);
        }
        Dropout.requireProbability("dropout", dropout);
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(weights, "weights");
    }

    public AttentionOptions withScale(float newScale) {
        return new AttentionOptions(newScale, dropout, mode, weights);
    }

    /** Dropout {@code p} on the attention weights when {@code newMode} is training. */
    public AttentionOptions withDropout(float p, Mode newMode) {
        return new AttentionOptions(scale, p, newMode, weights);
    }

    public AttentionOptions withWeights(AttentionWeights newWeights) {
        return new AttentionOptions(scale, dropout, mode, newWeights);
    }

    /** The scale in use for a given head width. */
    float scaleFor(int headDim) {
        return Float.isNaN(scale) ? (float) (1.0 / Math.sqrt(headDim)) : scale;
    }
}
