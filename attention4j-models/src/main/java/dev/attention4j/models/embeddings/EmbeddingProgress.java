package dev.attention4j.models.embeddings;

/**
 * Told how far a long {@link TextEmbedder#embed(java.util.List, EmbeddingProgress)} call has got, after each batch,
 * on the calling thread. A command line draws a progress bar with it; library code never prints.
 */
@FunctionalInterface
public interface EmbeddingProgress {

    /** Reports nothing. */
    EmbeddingProgress NONE = (done, total) -> { };

    /**
     * @param done  texts embedded so far, {@code 0 < done <= total}; the last call has {@code done == total}
     * @param total texts in the call
     */
    void update(int done, int total);
}
