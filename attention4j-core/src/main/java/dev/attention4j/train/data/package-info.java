/**
 * Training data for sequence-to-sequence models: tokenizers ({@link dev.attention4j.train.data.Tokenizer} with
 * {@link dev.attention4j.train.data.CharTokenizer}, {@link dev.attention4j.train.data.WordTokenizer},
 * {@link dev.attention4j.train.data.BpeTokenizer}; PAD = 0, BOS = 1, EOS = 2, UNK = 3), built-in synthetic
 * {@link dev.attention4j.train.data.Tasks} (copy, reverse, English number words to Chinese numerals), TSV parallel
 * corpora ({@link dev.attention4j.train.data.ParallelCorpus}), length-bucketed padded
 * {@link dev.attention4j.train.data.Batch}es from a {@link dev.attention4j.train.data.Batcher}, and evaluation
 * {@link dev.attention4j.train.data.Metrics} (token accuracy, exact match, corpus BLEU). Metrics live here rather
 * than in {@code train} because they are plain functions of token ids and strings, like the rest of this package,
 * and need nothing from the model side.
 *
 * <p>Everything random is seeded and deterministic: the same inputs and seed give the same examples, splits and
 * batches on every JVM.
 *
 * <p>Dim legend: {@code batchSize} — sentences in a batch; {@code srcLen} — padded source tokens;
 * {@code tgtLen} — padded target tokens, counting the BOS of the decoder input ({@code tgtIn}) or the EOS of the
 * labels ({@code tgtOut}); {@code vocabSize} — token ids including the four specials.
 *
 * <p>May import: the JDK only (and {@code tensor} if a need appears; widen {@code LayeringTest} then); never
 * {@code nn.*}: the model consumes plain {@code int[][]} ids and lengths.
 */
package dev.attention4j.train.data;
