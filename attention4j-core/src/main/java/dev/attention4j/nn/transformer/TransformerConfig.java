package dev.attention4j.nn.transformer;

import dev.attention4j.nn.Activation;

import java.util.Objects;

/**
 * An encoder-decoder Transformer, as {@code nn.Transformer}'s arguments.
 *
 * @param layer             every layer's shape
 * @param numEncoderLayers  {@code num_encoder_layers}
 * @param numDecoderLayers  {@code num_decoder_layers}
 */
public record TransformerConfig(TransformerLayerConfig layer, int numEncoderLayers, int numDecoderLayers) {

    public TransformerConfig {
        Objects.requireNonNull(layer, "layer");
        if (numEncoderLayers < 1) {
            throw new IllegalArgumentException("numEncoderLayers: expected >= 1 but got " + numEncoderLayers);
        }
        if (numDecoderLayers < 1) {
            throw new IllegalArgumentException("numDecoderLayers: expected >= 1 but got " + numDecoderLayers);
        }
    }

    /** The paper's base model: d_model 512, 8 heads, 6 + 6 layers, ffn 2048, dropout 0.1, ReLU, post-norm. */
    public static TransformerConfig base() {
        return new TransformerConfig(TransformerLayerConfig.of(512, 8, 2048), 6, 6);
    }

    /** The paper's big model: d_model 1024, 16 heads, 6 + 6 layers, ffn 4096, dropout 0.3. */
    public static TransformerConfig big() {
        return new TransformerConfig(TransformerLayerConfig.of(1024, 16, 4096).withDropout(0.3f), 6, 6);
    }

    /** A small model for examples and tests: d_model 64, 4 heads, 2 + 2 layers, ffn 128, GELU, no dropout. */
    public static TransformerConfig tiny() {
        return new TransformerConfig(TransformerLayerConfig.of(64, 4, 128).withDropout(0f)
                .withActivation(Activation.GELU), 2, 2);
    }
}
