package dev.attention4j.bench.kernels;

import dev.attention4j.kernels.Kernels;
import dev.attention4j.kernels.ScalarKernels;
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
 * One thread's SGEMM, the kernel every {@code Linear} and {@code MatMul} runs: {@link Kernels#matmul}
 * ({@code c = a b}) and {@link Kernels#matmulTransB} ({@code c = a b^T}, a {@code Linear}'s {@code x W^T}) on square
 * shapes and on the shapes models run (all-MiniLM-L6-v2's feed-forward at 128 tokens, a 512-wide projection over
 * 4096 tokens, one decoding token against a 384 x 1536 weight). Time per call; GFLOP/s = {@code 2 m k n / time}.
 * The products split across threads in {@code MatMul}, not here: this is the single-core kernel.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class GemmBenchmark {

    /** {@code m:k:n}. */
    @Param({"256:256:256", "512:512:512", "1024:1024:1024", "128:384:1536", "128:1536:384", "4096:512:512",
        "1:384:1536"})
    public String shape;

    /** {@code active}: what the library runs here (the SIMD kernels when the Vector API is present); {@code scalar}. */
    @Param({"active"})
    public String kernels;

    private Kernels kernel;
    private int m;
    private int k;
    private int n;
    private float[] a; // (m, k)
    private float[] b; // (k, n) for matmul
    private float[] w; // (n, k) for matmulTransB
    private float[] c; // (m, n)

    @Setup
    public void setUp() {
        String[] mkn = shape.split(":");
        m = Integer.parseInt(mkn[0]);
        k = Integer.parseInt(mkn[1]);
        n = Integer.parseInt(mkn[2]);
        kernel = kernels(kernels);
        SplittableRandom random = new SplittableRandom(42);
        a = random(random, m * k);
        b = random(random, k * n);
        w = random(random, n * k);
        c = new float[m * n];
    }

    @Benchmark
    public float[] matmul() {
        kernel.matmul(c, 0, n, a, 0, k, b, 0, n, m, n, k);
        return c;
    }

    @Benchmark
    public float[] matmulTransB() {
        kernel.matmulTransB(c, 0, n, a, 0, k, w, 0, k, m, n, k);
        return c;
    }

    /** {@code active} or {@code scalar}. */
    static Kernels kernels(String name) {
        return switch (name) {
            case "active" -> Kernels.active();
            case "scalar" -> ScalarKernels.INSTANCE;
            default -> throw new IllegalArgumentException("kernels: expected active or scalar but got " + name);
        };
    }

    /** Standard normal floats. */
    static float[] random(SplittableRandom random, int size) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = (float) gaussian(random);
        }
        return x;
    }

    private static double gaussian(SplittableRandom random) {
        double u = random.nextDouble(1e-12, 1.0);
        double v = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}
