package dev.attention4j.bench.kernels;

import dev.attention4j.autograd.AttentionLayout;
import dev.attention4j.autograd.AttentionOp;
import dev.attention4j.autograd.ScoreMask;
import dev.attention4j.nn.attention.Mask;
import dev.attention4j.tensor.Tensor;
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

import java.util.concurrent.TimeUnit;

/**
 * Attention forward without projections, {@code softmax(Q K^T / sqrt(headDim)) V} for one sequence of
 * {@code seqLen} tokens, 8 heads of 64: the tiled ("flash") path ({@link AttentionOp#apply}, no {@code (n, n)}
 * block held) against the materialising path ({@link AttentionOp#applyMaterialized}, each head's whole weight block),
 * no mask and causal. Inference (no tape). Both split heads across the library's threads (all processors).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class AttentionBenchmark {

    private static final int NUM_HEADS = 8;
    private static final int HEAD_DIM = 64;

    @Param({"512", "2048"})
    public int seqLen;

    /** {@code none} or {@code causal}. */
    @Param({"none", "causal"})
    public String mask;

    private Tensor query; // (1, seqLen, numHeads * headDim)
    private Tensor key;   // (1, seqLen, numHeads * headDim)
    private Tensor value; // (1, seqLen, numHeads * headDim)
    private ScoreMask scoreMask;
    private float scale;

    @Setup
    public void setUp() {
        query = Tensor.randn(1, 1, seqLen, NUM_HEADS * HEAD_DIM);
        key = Tensor.randn(2, 1, seqLen, NUM_HEADS * HEAD_DIM);
        value = Tensor.randn(3, 1, seqLen, NUM_HEADS * HEAD_DIM);
        scoreMask = switch (mask) {
            case "none" -> Mask.none().toScoreMask();
            case "causal" -> Mask.causal().toScoreMask();
            default -> throw new IllegalArgumentException("mask: expected none or causal but got " + mask);
        };
        scale = (float) (1.0 / Math.sqrt(HEAD_DIM));
    }

    @Benchmark
    public Tensor tiled() {
        return AttentionOp.apply(null, query, key, value, AttentionLayout.TOKENS_MAJOR, NUM_HEADS, scale, scoreMask,
                seqLen, 0f, 0L, null);
    }

    @Benchmark
    public Tensor materialized() {
        return AttentionOp.applyMaterialized(null, query, key, value, AttentionLayout.TOKENS_MAJOR, NUM_HEADS, scale,
                scoreMask, seqLen, 0f, 0L, null);
    }
}
