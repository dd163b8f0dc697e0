/**
 * JMH benchmarks of attention4j's kernels (run them with {@code scripts/jmh [regex]}; figures in BENCHMARKS.md):
 * single-precision matrix products on square and model shapes ({@link dev.attention4j.bench.kernels.GemmBenchmark}),
 * tiled attention forward against the materialising path ({@link dev.attention4j.bench.kernels.AttentionBenchmark}),
 * softmax and layer normalisation, SIMD against the scalar reference
 * ({@link dev.attention4j.bench.kernels.NormalizationBenchmark}).
 *
 * <p>Dims: {@code m, k, n} a product {@code (m x k) (k x n)}; {@code seqLen} tokens, {@code numHeads},
 * {@code headDim}, {@code rows x cols} a block of rows normalised one by one.
 *
 * <p>Defaults are short (one fork, 2 x 1 s warm-up, 3 x 1 s measured) so that the whole set runs in a few minutes;
 * JMH's own flags override them. May import anything: nothing depends on this package.
 */
package dev.attention4j.bench.kernels;
