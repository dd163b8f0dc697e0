package dev.attention4j.nn.attention;

import dev.attention4j.tensor.Tensor;

/**
 * The result of an attention call.
 *
 * @param output  the attended values
 * @param weights the attention probabilities as asked for by {@link AttentionWeights}, or null for
 *                {@link AttentionWeights#NONE}. With dropout in training they are the dropped-out probabilities
 *                that were applied, as PyTorch returns.
 */
public record AttentionOutput(Tensor output, Tensor weights) {
}
