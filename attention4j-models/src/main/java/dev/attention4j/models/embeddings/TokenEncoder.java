package dev.attention4j.models.embeddings;

import dev.attention4j.tensor.Tensor;

/**
 * A model that turns padded token sequences into one hidden state per token (a BERT encoder's
 * {@code last_hidden_state}). Implementations are safe to call from several threads at once.
 */
public interface TokenEncoder {

    /**
     * @param batch the token ids, segment ids and padding mask
     * @return {@code (batchSize, seqLen, hiddenSize)}; rows at padding positions are computed too but carry no meaning
     */
    Tensor encode(TokenBatch batch);

    /** The width of each token's hidden state. */
    int hiddenSize();
}
