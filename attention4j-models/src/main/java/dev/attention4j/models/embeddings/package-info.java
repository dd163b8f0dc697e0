/**
 * Sentence embeddings from a token encoder: a {@link dev.attention4j.models.embeddings.TokenBatch} of padded token ids
 * goes through a {@link dev.attention4j.models.embeddings.TokenEncoder} (e.g. a BERT model) to per-token hidden
 * states, which {@link dev.attention4j.models.embeddings.Pooling} turns into one vector per sequence and
 * {@link dev.attention4j.models.embeddings.Normalize} scales, as sentence-transformers' Pooling and Normalize modules
 * do. {@link dev.attention4j.models.embeddings.SentenceEmbedder} puts the three together behind one thread-safe call;
 * {@link dev.attention4j.models.embeddings.TextEmbedder} puts a tokenizer in front of it (texts in, vectors out),
 * batching long lists by length and reporting progress through
 * {@link dev.attention4j.models.embeddings.EmbeddingProgress}.
 *
 * <p>Dim legend: {@code batchSize} — sequences; {@code seqLen} — padded tokens per sequence; {@code hiddenSize} — the
 * encoder's width, and so the embedding's.
 *
 * <p>May import: {@code dev.attention4j.tensor}, {@code dev.attention4j.models.tokenizers} and the JDK; never a model
 * family or a format.
 */
package dev.attention4j.models.embeddings;
