package dev.attention4j.bench.kernels;

import dev.attention4j.kernels.Kernels;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The two row-wise kernels of every Transformer layer, SIMD ({@code active}) against the scalar reference, one
 * thread: {@link Kernels#softmax} over each row of a {@code (128, 128)} block of attention scores, and
 * {@link Kernels#layerNorm} over 128 tokens of all-MiniLM-L6-v2's 384 features. Time per whole block.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class NormalizationBenchmark {

    private static final int ROWS = 128;
    private static final int SCORE_COLS = 128;
    private static final int MODEL_DIM = 384;

    @Param({"active", "scalar"})
    public String kernels;

    private Kernels kernel;
    private float[] scores;   // (ROWS, SCORE_COLS), softmaxed in place: a fresh copy each call
    private float[] work;     // (ROWS, SCORE_COLS)
    private float[] hidden;   // (ROWS, MODEL_DIM)
    private float[] normed;   // (ROWS, MODEL_DIM)
    private float[] gamma;    // (MODEL_DIM)
    private float[] beta;     // (MODEL_DIM)

    @Setup
    public void setUp() {
        kernel = GemmBenchmark.kernels(kernels);
        SplittableRandom random = new SplittableRandom(7);
        scores = GemmBenchmark.random(random, ROWS * SCORE_COLS);
        work = new float[scores.length];
        hidden = GemmBenchmark.random(random, ROWS * MODEL_DIM);
        normed = new float[hidden.length];
        gamma = GemmBenchmark.random(random, MODEL_DIM);
        beta = GemmBenchmark.random(random, MODEL_DIM);
    }

    /** Softmax of 128 rows of 128 scores (the copy that restores the input is part of the time: 64 KiB). */
    @Benchmark
    public float[] softmax() {
        System.arraycopy(scores, 0, work, 0, scores.length);
        for (int r = 0; r < ROWS; r++) {
            kernel.softmax(work, r * SCORE_COLS, SCORE_COLS);
        }
        return work;
    }

    /** Layer norm of 128 rows of 384 features. */
    @Benchmark
    public float[] layerNorm() {
        kernel.layerNorm(normed, 0, hidden, 0, gamma, beta, ROWS, MODEL_DIM, 1e-12f);
        return normed;
    }
}
