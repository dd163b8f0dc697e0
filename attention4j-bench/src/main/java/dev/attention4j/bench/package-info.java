/**
 * Side-by-side benchmarks of attention4j against rival runtimes in the same JVM, on the same inputs and thread count,
 * reported as ratios (see BENCHMARKS.md). Runnable mains, not tests: {@code scripts/bench-embeddings} runs
 * {@link dev.attention4j.bench.EmbeddingThroughput}, {@code scripts/bench-corpus}
 * {@link dev.attention4j.bench.CorpusThroughput}. Both are also {@link java.util.spi.ToolProvider}s (registered in
 * {@code META-INF/services}), which is how {@code attention4j bench embed} runs them without the command line depending
 * on this module: the {@code ./attention4j} launcher puts this module and ONNX Runtime on the class path for that
 * subcommand only, and the CLI finds the tool by name. The JMH kernel benchmarks are in
 * {@link dev.attention4j.bench.kernels}.
 *
 * <p>May import anything: nothing in attention4j depends on this package (the CLI's tests use it at run time).
 */
package dev.attention4j.bench;
