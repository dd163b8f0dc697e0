package dev.attention4j.train;

/** How {@link Adam} applies weight decay. */
public enum WeightDecay {

    /** No weight decay; {@link AdamConfig#weightDecay()} must be 0. */
    NONE,

    /**
     * L2 regularisation, as {@code torch.optim.Adam(weight_decay=...)}: {@code grad += weightDecay * param} before
     * the moments are updated, so the decay is rescaled by the adaptive denominator.
     */
    L2,

    /**
     * Decoupled weight decay (Loshchilov and Hutter), as {@code torch.optim.AdamW}:
     * {@code param *= 1 - learningRate * weightDecay} before the Adam update, independent of the gradient.
     */
    DECOUPLED
}
