/**
 * Side-by-side benchmarks of attention4j against rival runtimes in the same JVM, on the same inputs and thread count,
 * reported as ratios (see BENCHMARKS.md). Runnable mains, not tests; {@code scripts/bench-embeddings} runs
 * {@link dev.attention4j.bench.EmbeddingThroughput}.
 *
 * <p>May import anything: nothing in attention4j depends on this package.
 */
package dev.attention4j.bench;
