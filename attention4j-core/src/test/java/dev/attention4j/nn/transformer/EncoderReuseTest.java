package dev.attention4j.nn.transformer;

import dev.attention4j.inspect.AttentionRecorder;
import dev.attention4j.kernels.Parallel;
import dev.attention4j.nn.Activation;
import dev.attention4j.nn.Mode;
import dev.attention4j.nn.attention.AttentionMap;
import dev.attention4j.nn.attention.AttentionObserver;
import dev.attention4j.nn.attention.Mask;
import dev.attention4j.tensor.BufferPool;
import dev.attention4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The encoder at inference runs each layer in a scope of a borrowed {@link BufferPool} (its arrays reused call after
 * call); the suite lends every array and poisons what a scope hands back, so anything that outlived its layer's
 * scope would show up as NaN or as different bits from the plain loop over the layers.
 */
class EncoderReuseTest {

    static Encoder encoder(NormPlacement placement, FinalNorm finalNorm) {
        TransformerLayerConfig layer = TransformerLayerConfig.of(32, 4, 64).withNormPlacement(placement)
                .withActivation(Activation.GELU);
        return new Encoder(layer, 3, finalNorm, new SplittableRandom(5));
    }

    static Tensor plainLoop(Encoder encoder, Tensor x, Mask mask) {
        for (EncoderLayer layer : encoder.layers()) {
            x = layer.forward(x, mask, Mode.INFERENCE); // no scope open: plain heap
        }
        return x;
    }

    @ParameterizedTest
    @EnumSource(NormPlacement.class)
    void repeatedCallsGiveTheBitsOfThePlainLoopAtAnyThreadCount(NormPlacement placement) {
        Encoder encoder = encoder(placement, FinalNorm.NONE);
        Mask mask = Mask.keyLengths(9, 9, 4);
        int before = Parallel.threads();
        try {
            for (int threads = 1; threads <= 2; threads++) {
                Parallel.setThreads(threads);
                for (int call = 0; call < 3; call++) {
                    Tensor x = Tensor.randn(call, 2, 9, 32);
                    Tensor want = plainLoop(encoder, x, mask);
                    Tensor got = encoder.forward(x, mask, Mode.INFERENCE);
                    assertThat(got.bitEquals(want)).as("%d threads, call %d", threads, call).isTrue();
                    assertThat(x.bitEquals(Tensor.randn(call, 2, 9, 32))).as("the input is not written").isTrue();
                }
            }
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void whatTheCallerKeepsSurvivesLaterCalls() {
        Encoder encoder = encoder(NormPlacement.POST, FinalNorm.LAYER_NORM);
        Tensor first = encoder.forward(Tensor.randn(1, 1, 7, 32), Mask.none(), Mode.INFERENCE);
        Tensor copy = first.copy();
        AttentionRecorder recorder = AttentionRecorder.heads(0, 2);
        encoder.forward(Tensor.randn(2, 1, 7, 32), Mask.none(), Mode.INFERENCE, recorder);
        encoder.forward(Tensor.randn(3, 1, 7, 32), Mask.none(), Mode.INFERENCE);   // reuses the pool again
        assertThat(first.bitEquals(copy)).isTrue();
        assertThat(recorder.maps()).hasSize(3);
        for (AttentionMap map : recorder.maps()) {                 // the recorded weights outlived their scopes
            float[] w = map.weights().data();
            assertThat(w).doesNotContain(Float.NaN);
            float rowSum = 0;
            for (int k = 0; k < 7; k++) {
                rowSum += w[k];
            }
            assertThat(rowSum).isCloseTo(1f, org.assertj.core.api.Assertions.within(1e-5f));
        }
    }

    @Test
    void insideACallersScopeItUsesThatScope() {
        Encoder encoder = encoder(NormPlacement.POST, FinalNorm.NONE);
        Tensor x = Tensor.randn(4, 2, 5, 32);
        Tensor want = plainLoop(encoder, x, Mask.none());
        BufferPool pool = new BufferPool(1);
        try (BufferPool.Scope scope = pool.open()) {
            Tensor got = encoder.forward(x, Mask.none(), Mode.INFERENCE, AttentionObserver.NONE);
            assertThat(got.bitEquals(want)).isTrue();
        }
        assertThat(pool.allocatedArrays()).as("the layers' arrays came from the caller's pool").isPositive();
    }
}
