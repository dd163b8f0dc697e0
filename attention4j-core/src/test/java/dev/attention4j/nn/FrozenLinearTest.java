package dev.attention4j.nn;

import dev.attention4j.kernels.WithThreads;
import dev.attention4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A frozen {@link Linear} (its weight read from the kept panels at inference) gives the bits of the same map unfrozen,
 * at a few rows and at many (a 128-token sentence through all-MiniLM-L6-v2's shapes; 500 rows, which the product cuts
 * into chunks), at 1 and 2 threads, with and without its activation fused.
 */
class FrozenLinearTest {

    @Test
    void frozenGivesTheBitsOfUnfrozenAtAnyNumberOfRows() {
        for (int[] io : new int[][] {{384, 1152}, {1536, 384}, {384, 1536}}) {
            Linear frozen = Linear.withBias(io[0], io[1], new SplittableRandom(io[1]));
            Linear plain = Linear.of(frozen.weight(), frozen.bias());     // the same tensors, not frozen
            frozen.freeze();
            for (int rows : new int[] {1, 16, 17, 100, 128, 500}) { // 500: in chunks of 240 rows
                Tensor x = Tensor.randn(rows, 1, rows, io[0]);             // (batchSize, seqLen, inFeatures)
                Tensor expected = plain.forward(x);
                Tensor expectedGelu = plain.forwardActivated(x, Activation.GELU);
                for (int threads : new int[] {1, 2}) {
                    String what = rows + " x " + io[0] + " x " + io[1] + ", " + threads + " threads";
                    WithThreads.run(threads, () -> {
                        assertThat(frozen.forward(x).bitEquals(expected)).as(what).isTrue();
                        assertThat(frozen.forwardActivated(x, Activation.GELU).bitEquals(expectedGelu))
                                .as("GELU, %s", what).isTrue();
                    });
                }
            }
        }
    }
}
