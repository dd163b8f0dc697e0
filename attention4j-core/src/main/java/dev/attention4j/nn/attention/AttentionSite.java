package dev.attention4j.nn.attention;

import java.util.Objects;

/**
 * Where in a model an attention call happens, as an {@link AttentionObserver} is told: which stack, which layer,
 * which mechanism and which decoding step.
 *
 * @param stack the encoder or the decoder stack (a decoder-only model's layers are a {@link Stack#DECODER})
 * @param layer the layer's index in its stack, {@code >= 0}
 * @param kind  self-, masked self- or cross-attention
 * @param step  the position of the map's first query row: 0 for a whole sequence, the cache position (the number of
 *              target tokens fed before) when decoding incrementally, so one generated token per step
 */
public record AttentionSite(Stack stack, int layer, AttentionKind kind, int step) {

    /** The two stacks of the encoder-decoder Transformer. */
    public enum Stack {
        ENCODER,
        DECODER
    }

    public AttentionSite {
        Objects.requireNonNull(stack, "stack");
        Objects.requireNonNull(kind, "kind");
        if (layer < 0) {
            throw new IllegalArgumentException("layer: expected >= 0 but got " + layer);
        }
        if (step < 0) {
            throw new IllegalArgumentException("step: expected >= 0 but got " + step);
        }
    }

    /** The same site with another mechanism (a decoder layer's cross-attention beside its self-attention). */
    public AttentionSite withKind(AttentionKind newKind) {
        return new AttentionSite(stack, layer, newKind, step);
    }

    @Override
    public String toString() {
        return stack.name().toLowerCase(java.util.Locale.ROOT) + ".layers." + layer + " " + kind + " @" + step;
    }
}
