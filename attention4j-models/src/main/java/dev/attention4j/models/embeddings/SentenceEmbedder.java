package dev.attention4j.models.embeddings;

import dev.attention4j.tensor.Tensor;
import java.util.Objects;

/**
 * Token ids in, one embedding per sequence out: an encoder, a {@link Pooling} and a {@link Normalize}, as a
 * sentence-transformers model. Immutable and safe to call from several threads at once (each call computes on its own
 * buffers; the kernels' thread pool is shared). Tokenizing the text is the caller's job.
 *
 * <pre>{@code
 * var embedder = new SentenceEmbedder(BertModel.fromOnnx(Path.of("all-minilm-l6-v2.onnx")), Pooling.MEAN,
 *         Normalize.L2);
 * Tensor vectors = embedder.embed(TokenBatch.padded(0, ids1, ids2)); // (2, 384), unit length
 * }</pre>
 *
 * @param encoder   the model, e.g. a {@code BertModel}
 * @param pooling   how token states become one vector
 * @param normalize what is done to that vector
 */
public record SentenceEmbedder(TokenEncoder encoder, Pooling pooling, Normalize normalize) {

    public SentenceEmbedder {
        Objects.requireNonNull(encoder, "encoder");
        Objects.requireNonNull(pooling, "pooling");
        Objects.requireNonNull(normalize, "normalize");
    }

    /** {@code batch -> (batchSize, hiddenSize)}. */
    public Tensor embed(TokenBatch batch) {
        Objects.requireNonNull(batch, "batch");
        return normalize.apply(pooling.apply(encoder.encode(batch), batch));
    }

    /** The length of each embedding. */
    public int dimension() {
        return encoder.hiddenSize();
    }
}
