/**
 * Modules: structure only — parameters under PyTorch's own names and a {@code forward} that reads like the paper.
 * {@link dev.attention4j.nn.Module} (state dicts), {@link dev.attention4j.nn.Linear},
 * {@link dev.attention4j.nn.LayerNorm}, {@link dev.attention4j.nn.Embedding},
 * {@link dev.attention4j.nn.FeedForward}, the positional encodings, {@link dev.attention4j.nn.Mode} (inference or
 * seeded training) and {@link dev.attention4j.nn.Dropout}. Attention lives in {@code nn.attention}, the stacks in
 * {@code nn.transformer}. The modules a decoding step runs also have {@code forwardInto} forms on caller-owned
 * arrays, at inference: the same kernel calls as {@code forward}, allocating nothing.
 *
 * <p>Dim legend: {@code batchSize}; {@code seqLen} — tokens per sequence; {@code modelDim} — the model width
 * (PyTorch's {@code d_model} / {@code embed_dim}); {@code ffnDim} — the feed-forward hidden width;
 * {@code vocabSize}; {@code maxLen} — the longest sequence a positional table covers.
 *
 * <p>May import: {@code tensor}, {@code kernels}, the JDK. Never {@code train}, {@code generate}, {@code inspect}
 * or any weight-format code.
 */
package dev.attention4j.nn;
