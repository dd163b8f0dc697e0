/**
 * Pretrained sentence-embedding models by name or by path: {@link dev.attention4j.models.pretrained.EmbeddingModels}
 * knows the BERT-family encoders that langchain4j ships as Maven artifacts (all-MiniLM-L6-v2, bge-small-en/zh-v1.5,
 * e5-small-v2: an exported {@code .onnx} and its {@code tokenizer.json} as classpath resources) with the pooling and
 * normalisation each was trained with ({@link dev.attention4j.models.pretrained.KnownEmbeddingModel}), and loads
 * Hugging Face or ONNX directories from disk, giving a ready
 * {@link dev.attention4j.models.pretrained.EmbeddingModel}.
 *
 * <p>May import: {@code dev.attention4j.models.bert}, {@code .embeddings}, {@code .tokenizers}, {@code .formats}, core
 * and the JDK. Never prints.
 */
package dev.attention4j.models.pretrained;
