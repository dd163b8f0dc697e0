package dev.attention4j.train;

import dev.attention4j.autograd.Gradients;
import dev.attention4j.kernels.Kernels;
import dev.attention4j.tensor.Tensor;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Gradient accumulation: one optimizer step from several micro-batches, for batches too big to run at once.
 * <pre>{@code
 * GradientAccumulator acc = new GradientAccumulator(model.namedParameters());
 * for (Batch micro : split(batch, 4)) {
 *     Tape tape = new Tape();
 *     Tensor loss = lossOf(model, micro, tape);   // the mean over this micro-batch, not scaled
 *     acc.add(tape.backward(loss));
 * }
 * optimizer.step(params, acc.takeAverage(), lr);
 * }</pre>
 *
 * <p>The accumulator does the scaling: write each micro-batch's loss exactly as for a full batch (the mean over its
 * own examples) and {@link #takeAverage} divides the summed gradients by the number of micro-batches. With
 * micro-batches of equal size this is the gradient of the full batch's mean loss, up to float rounding. (PyTorch code
 * usually divides each micro-batch loss by the count before {@code backward()} instead; the two agree.) Micro-batches
 * of unequal size are weighted equally, not by their sizes.
 *
 * <p>The sums live in buffers the accumulator owns, added micro-batch by micro-batch in the order received, so the
 * result is deterministic. A parameter that gets no gradient from a micro-batch counts as zero there; one that gets
 * none from any has none in the result, so an optimizer skips it.
 */
public final class GradientAccumulator {

    private final Map<String, Tensor> params;
    /** Parameter (by identity) to the sum of its gradients so far; owned. */
    private final Map<Tensor, Tensor> sums = new IdentityHashMap<>();
    private int microBatches;

    /** An empty accumulator for {@code params} (the live tensors; their gradients are looked up by identity). */
    public GradientAccumulator(Map<String, Tensor> params) {
        Objects.requireNonNull(params, "params");
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        params.forEach((name, t) -> {
            Objects.requireNonNull(name, "params has a null name");
            Objects.requireNonNull(t, () -> "params['" + name + "'] is null");
            if (!seen.add(t)) {
                throw new IllegalArgumentException("params['" + name + "'] is the same tensor as an earlier entry;"
                        + " a tied parameter must be listed once (Module.namedParameters() does so)");
            }
        });
        this.params = new LinkedHashMap<>(params);
    }

    /** Adds one micro-batch's gradients (read, never kept: the next backward pass may reuse nothing of them). */
    public void add(Gradients grads) {
        Objects.requireNonNull(grads, "grads");
        for (Tensor param : params.values()) {
            Tensor grad = grads.get(param);
            if (grad == null) {
                continue;
            }
            Tensor sum = sums.get(param);
            if (sum == null) {
                sums.put(param, grad.copy());
            } else {
                Kernels.active().add(sum.data(), 0, sum.data(), 0, grad.data(), 0, sum.size());
            }
        }
        microBatches++;
    }

    /** The number of micro-batches added since the last {@link #takeAverage} or {@link #reset}. */
    public int microBatches() {
        return microBatches;
    }

    /**
     * The average gradient over the micro-batches added (each parameter's sum divided by {@link #microBatches()}),
     * for one optimizer step; the accumulator is emptied and hands its buffers over to the result.
     *
     * @throws IllegalStateException if no micro-batch was added
     */
    public Gradients takeAverage() {
        if (microBatches == 0) {
            throw new IllegalStateException("no micro-batch gradients to average: call add(grads) first");
        }
        Gradients average = new Gradients();
        for (Tensor param : params.values()) {
            Tensor sum = sums.get(param);
            if (sum != null) {
                float[] s = sum.data();
                for (int i = 0; i < s.length; i++) {
                    s[i] /= microBatches;
                }
                average.add(param, sum);
            }
        }
        reset();
        return average;
    }

    /** Discards everything added so far. */
    public void reset() {
        sums.clear();
        microBatches = 0;
    }
}
