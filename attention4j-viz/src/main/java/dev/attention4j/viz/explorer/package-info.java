/**
 * An interactive attention explorer written as one self-contained HTML file: a neutral data model
 * ({@link dev.attention4j.viz.explorer.ExplorerDocument} with {@link dev.attention4j.viz.explorer.SelfAttentionView}s
 * and {@link dev.attention4j.viz.explorer.CrossAttentionView}s) and its writer.
 *
 * <p>Dim legend: {@code numLayers}, {@code numHeads}; a view's queries are its rows ({@code queryLen}: the tokens of a
 * self-attention view, the target tokens of a cross-attention view) and its keys its columns ({@code keyLen}: the
 * tokens again, or the source tokens). One head's weights are a {@code (queryLen, keyLen)} row-major {@code float[]}.
 *
 * <p>May import: the JDK and {@code dev.attention4j.viz} only; no core package and no third-party library. Callers
 * (the CLI's {@code explain} and {@code translate --explain}) convert their attention maps into plain arrays.
 */
package dev.attention4j.viz.explorer;
