/**
 * The BERT family of encoders (BERT, all-MiniLM, bge, e5, ...): {@link dev.attention4j.models.bert.BertModel} built
 * from core's modules (embeddings, then post-norm {@link dev.attention4j.nn.transformer.EncoderLayer}s with exact
 * GELU), its configuration ({@link dev.attention4j.models.bert.BertConfig}, Hugging Face's {@code config.json}), and
 * the ways its weights arrive: a Hugging Face directory ({@code config.json} + {@code model.safetensors}), whose names
 * {@link dev.attention4j.models.bert.BertWeightNames} maps onto attention4j's, or an ONNX export, whose unnamed
 * MatMul weights {@code BertOnnxGraph} finds by following the graph.
 *
 * <p>Dim legend: {@code batchSize}; {@code seqLen} — padded tokens per sequence; {@code hiddenSize} (h) — the model
 * width; {@code intermediateSize} (ffn) — the feed-forward width; {@code numAttentionHeads}, {@code headDim}.
 *
 * <p>May import: {@code dev.attention4j.nn} (and below), {@code dev.attention4j.models.formats},
 * {@code dev.attention4j.models.embeddings} and the JDK; never the tokenizers (ids come in ready-made).
 */
package dev.attention4j.models.bert;
