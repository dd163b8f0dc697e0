package dev.attention4j.autograd;

import dev.attention4j.kernels.Parallel;
import dev.attention4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fused backward passes give the same bits at one thread and at two. The sizes are big enough that every
 * parallel loop is cut into several chunks.
 */
class BackwardDeterminismTest {

    @Test
    void layerNormBackward() {
        Tensor x = Tensor.randn(1, 1100, 129);                   // (rows, d): several row and column chunks
        Tensor gamma = Tensor.randn(2, 129);
        Tensor beta = Tensor.randn(3, 129);
        List<Tensor> inputs = List.of(x, gamma, beta);
        assertSameBits(inputs, tape -> LayerNormOp.apply(tape, x, gamma, beta, 1e-5f));
    }

    @Test
    void crossEntropyBackward() {
        Tensor logits = Tensor.randn(4, 3, 300, 101);            // (batch, seq, vocabSize)
        int[] targets = new int[900];
        for (int r = 0; r < targets.length; r++) {
            targets[r] = r % 7 == 3 ? -100 : (r * 31) % 101;
        }
        assertSameBits(List.of(logits), tape -> CrossEntropyOp.apply(tape, logits, targets, -100, 0.1f));
    }

    @Test
    void linearBackward() {
        Tensor x = Tensor.randn(1, 3, 70, 129);                  // (batch, seq, inFeatures): 210 rows
        Tensor weight = Tensor.randn(2, 301, 129);               // (outFeatures, inFeatures)
        Tensor bias = Tensor.randn(3, 301);
        assertSameBits(List.of(x, weight, bias), tape -> LinearOp.apply(tape, x, weight, bias));
    }

    /** Runs forward and backward (loss {@code sum(out * r)}) at 1 and at 2 threads and compares every gradient. */
    private static void assertSameBits(List<Tensor> inputs, Function<Tape, Tensor> forward) {
        int saved = Parallel.threads();
        try {
            Parallel.setThreads(1);
            List<Tensor> one = gradients(inputs, forward);
            Parallel.setThreads(2);
            List<Tensor> two = gradients(inputs, forward);
            for (int i = 0; i < one.size(); i++) {
                assertThat(one.get(i).bitEquals(two.get(i))).as("tensor %d (the output, then each gradient)", i)
                        .isTrue();
            }
        } finally {
            Parallel.setThreads(saved);
        }
    }

    private static List<Tensor> gradients(List<Tensor> inputs, Function<Tape, Tensor> forward) {
        Tape tape = new Tape();
        Tensor out = forward.apply(tape);
        Tensor r = Tensor.randn(99, out.shape().dims());
        Tensor loss = Tensor.scalar(0f);
        tape.record(grads -> {
            Tensor dOut = r.copy();
            float g = grads.get(loss).data()[0];
            for (int j = 0; j < dOut.size(); j++) {
                dOut.data()[j] *= g;
            }
            grads.add(out, dOut);
        });
        Gradients grads = tape.backward(loss);
        List<Tensor> result = new ArrayList<>();
        result.add(out);
        for (Tensor input : inputs) {
            result.add(grads.get(input));
        }
        return result;
    }
}
