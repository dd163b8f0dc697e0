package dev.attention4j.models.pretrained;

import dev.attention4j.models.embeddings.TextEmbedder;
import java.util.Objects;

/**
 * A loaded sentence-embedding model: texts in, unit-length vectors out ({@link #embedder()}), with what a retrieval
 * system needs to know about it. Immutable and thread-safe.
 *
 * @param name          the registry name, or the path it was loaded from
 * @param identity      changes whenever the model's weights, tokenizer or recipe may have changed (the registry name
 *                      with the resources' sizes, or the path with the files' sizes and modification times); caches
 *                      of embeddings compare it
 * @param embedder      tokenizer, encoder, pooling and normalisation
 * @param queryPrefix   to prepend to search queries ({@code ""} for none), e.g. e5's {@code "query: "}
 * @param passagePrefix to prepend to the passages searched ({@code ""} for none), e.g. e5's {@code "passage: "}
 */
public record EmbeddingModel(String name, String identity, TextEmbedder embedder, String queryPrefix,
                             String passagePrefix) {

    public EmbeddingModel {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(embedder, "embedder");
        Objects.requireNonNull(queryPrefix, "queryPrefix");
        Objects.requireNonNull(passagePrefix, "passagePrefix");
    }

    /** The length of each embedding. */
    public int dimension() {
        return embedder.dimension();
    }
}
