package dev.attention4j.nn.transformer;

import dev.attention4j.kernels.WithThreads;
import dev.attention4j.nn.Activation;
import dev.attention4j.nn.Mode;
import dev.attention4j.nn.attention.Mask;
import dev.attention4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A frozen encoder (kept packed weights for inference) gives the bits of the same encoder unfrozen, at sequence
 * lengths on both sides of the few-rows kernel's 16 rows and up to 128 tokens (the register-blocked GEMM on the
 * panels), at 1, 2 and 3 threads, and keeps giving them after its weights are replaced through {@code loadStateDict}
 * (the kept copies are made again); and so does a layer of all-MiniLM-L6-v2's shape on a 128-token sentence.
 */
class FrozenEncoderTest {

    private static Encoder encoder(long seed) {
        TransformerLayerConfig layer = new TransformerLayerConfig(64, 4, 96, 0.1f, Activation.GELU, 1e-5f,
                NormPlacement.POST);
        return new Encoder(layer, 2, FinalNorm.NONE, new SplittableRandom(seed));
    }

    @Test
    void frozenGivesTheBitsOfUnfrozenAndFollowsLoadedWeights() {
        Encoder plain = encoder(7);
        Encoder frozen = encoder(7);
        frozen.freeze();
        for (int len : new int[] {1, 3, 7, 16, 17, 25, 128}) {
            Tensor x = Tensor.randn(100 + len, 2, len, 64);              // (batchSize, seqLen, modelDim)
            // batch 2: up to 8 tokens within the few-rows kernel's 16 rows, more past them; batch 1: up to 16 within
            Tensor one = Tensor.randn(200 + len, 1, len, 64);
            Tensor expected = plain.forward(x, Mask.none(), Mode.INFERENCE);
            Tensor expectedOne = plain.forward(one, Mask.none(), Mode.INFERENCE);
            for (int threads : new int[] {1, 2, 3}) {
                WithThreads.run(threads, () -> {
                    assertThat(frozen.forward(x, Mask.none(), Mode.INFERENCE).bitEquals(expected))
                            .as("batch 2 x %d, %d threads", len, threads).isTrue();
                    assertThat(frozen.forward(one, Mask.none(), Mode.INFERENCE).bitEquals(expectedOne))
                            .as("batch 1 x %d, %d threads", len, threads).isTrue();
                });
            }
        }
        Tensor x = Tensor.randn(300, 1, 16, 64);
        Tensor before = frozen.forward(x, Mask.none(), Mode.INFERENCE);
        Encoder other = encoder(8);
        frozen.loadStateDict(other.stateDict());
        plain.loadStateDict(other.stateDict());
        Tensor after = frozen.forward(x, Mask.none(), Mode.INFERENCE);
        assertThat(after.bitEquals(before)).as("new weights, new output").isFalse();
        assertThat(after.bitEquals(plain.forward(x, Mask.none(), Mode.INFERENCE))).isTrue();
        assertThat(after.bitEquals(other.forward(x, Mask.none(), Mode.INFERENCE))).isTrue();
    }

    /** The products of a sentence embedder at 128 tokens: 128 x 384 x 1152, 128 x 384 x 384, x 1536 and back. */
    @Test
    void aMiniLmShapedLayerFrozenGivesTheBitsOfUnfrozenAt128Tokens() {
        TransformerLayerConfig layer = new TransformerLayerConfig(384, 12, 1536, 0.1f, Activation.GELU, 1e-12f,
                NormPlacement.POST);
        Encoder plain = new Encoder(layer, 1, FinalNorm.NONE, new SplittableRandom(9));
        Encoder frozen = new Encoder(layer, 1, FinalNorm.NONE, new SplittableRandom(9));
        frozen.freeze();
        Tensor x = Tensor.randn(400, 1, 128, 384);                      // (batchSize, seqLen, modelDim)
        Tensor expected = plain.forward(x, Mask.none(), Mode.INFERENCE);
        for (int threads : new int[] {1, 2}) {
            WithThreads.run(threads, () -> assertThat(frozen.forward(x, Mask.none(), Mode.INFERENCE)
                    .bitEquals(expected)).as("%d threads", threads).isTrue());
        }
    }
}
