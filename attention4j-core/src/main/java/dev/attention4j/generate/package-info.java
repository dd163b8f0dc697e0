/**
 * Generating target sequences from a trained model: {@link dev.attention4j.generate.GreedySearch} (batched, each
 * sequence stopping on its own). The source is encoded once per batch and its memory reused at every step; the decoder
 * runs one token per step on a {@link dev.attention4j.nn.transformer.DecoderCache} of every layer's keys and values
 * (the recomputing path stays as the tested reference). Beam search and sampling come next.
 *
 * <p>Dim legend: {@code batchSize}; {@code srcLen}; {@code maxLen} — the longest output allowed, EOS excluded.
 *
 * <p>May import: {@code nn} (and below), the JDK. Never {@code train} or {@code inspect}.
 */
package dev.attention4j.generate;
