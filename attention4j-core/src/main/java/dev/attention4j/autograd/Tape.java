package dev.attention4j.autograd;

import dev.attention4j.tensor.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The record of one training forward pass: ops append their backward {@link Node}s in execution order, and
 * {@link #backward} replays them in reverse. A tape is used once; make a new one per step.
 */
public final class Tape {

    private final List<Node> nodes = new ArrayList<>();
    private boolean used;

    /** Appends an op's backward pass. */
    public void record(Node node) {
        if (used) {
            throw new IllegalStateException("this tape has already run backward; use a new Tape per step");
        }
        nodes.add(node);
    }

    /** The number of recorded ops. */
    public int size() {
        return nodes.size();
    }

    /** The recorded nodes, oldest first, read-only (lets this package's tests check what an op keeps). */
    List<Node> nodes() {
        return Collections.unmodifiableList(nodes);
    }

    /**
     * Back-propagates from {@code loss}, a tensor of one element produced on this tape: its gradient is seeded with
     * 1 and every recorded op's backward runs, last first.
     */
    public Gradients backward(Tensor loss) {
        if (loss.size() != 1) {
            throw new IllegalArgumentException("loss: expected a tensor with one element but got shape " + loss.shape());
        }
        if (used) {
            throw new IllegalStateException("backward already ran on this tape; use a new Tape per step");
        }
        used = true;
        Gradients grads = new Gradients();
        Tensor seed = Tensor.zeros(loss.shape());
        seed.data()[0] = 1f;
        grads.add(loss, seed);
        for (int i = nodes.size() - 1; i >= 0; i--) {
            nodes.get(i).backward(grads);
        }
        nodes.clear();
        return grads;
    }
}
