/**
 * Generating sequences from a trained model: {@link dev.attention4j.generate.Generator} runs greedy decoding, beam
 * search or sampling ({@link dev.attention4j.generate.Sampler}) over a batch of padded sources (encoder-decoder) or of
 * prompts (decoder-only), each sequence stopping on its own, as a {@link dev.attention4j.generate.GenerationConfig}
 * says (length limit, stop tokens, repetition penalty, caching). The definitions follow Hugging Face's
 * {@code generate}: its beam scorer (length penalty, early stopping, n-best), its repetition penalty and its
 * temperature / top-k / top-p warpers.
 *
 * <p>The source is encoded once per batch; the decoder runs one token per step on a
 * {@link dev.attention4j.nn.transformer.DecoderCache} (self-attention keys and values growing per step, the memory's
 * cross-attention keys and values projected once) through the model's allocation-free {@code decodeStep}, so the
 * per-token loop of greedy decoding and sampling allocates nothing (beam search only when it records a finished
 * hypothesis, and once at its first reordering, for the caches' spare buffers).
 * {@link dev.attention4j.generate.DecoderCaching#NONE} reruns the whole prefix instead: the reference
 * every strategy is tested against, and the baseline of the benchmark.
 *
 * <p>Dim legend: {@code sources} — sources or prompts in the batch; {@code rows = sources * beams} — the sequences
 * decoded side by side (beams of one source are consecutive); {@code vocab} — the target vocabulary.
 *
 * <p>May import: {@code nn} (and below), the JDK. Never {@code train} or {@code inspect}.
 */
package dev.attention4j.generate;
