/**
 * The retrieval step of retrieval-augmented generation: a {@link dev.attention4j.models.retrieval.CorpusIndex} holds
 * one embedding per non-empty line of a corpus and returns the lines closest to a query by cosine similarity
 * ({@link dev.attention4j.models.retrieval.Hit}). Embedding a corpus is the slow part, so an index can be cached in a
 * safetensors file beside the corpus, stamped with the model's identity and the corpus's SHA-256, verified on read
 * and rebuilt when either changes or the file is damaged ({@link dev.attention4j.models.retrieval.CacheUse}).
 *
 * <p>Dim legend: {@code numLines} — embedded (non-empty) lines; {@code dim} — the embedding's length.
 *
 * <p>May import: {@code dev.attention4j.models.pretrained}, {@code .embeddings}, {@code .formats}, core and the
 * JDK. Never prints: progress goes through {@link dev.attention4j.models.embeddings.EmbeddingProgress}, what happened
 * to the cache comes back as a value.
 */
package dev.attention4j.models.retrieval;
