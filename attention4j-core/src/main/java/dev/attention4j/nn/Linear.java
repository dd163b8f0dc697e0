package dev.attention4j.nn;

import dev.attention4j.autograd.LinearOp;
import dev.attention4j.tensor.MatMul;
import dev.attention4j.tensor.PanelWeight;
import dev.attention4j.tensor.Shapes;
import dev.attention4j.tensor.Tensor;
import dev.attention4j.tensor.TransposedWeight;

import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * {@code y = x W^T + b}, as {@code nn.Linear}. Parameters {@code weight (outFeatures, inFeatures)} and, unless built
 * {@link #withoutBias}, {@code bias (outFeatures)}. Initialised as PyTorch does: {@code U(-1/sqrt(in), 1/sqrt(in))}.
 */
public final class Linear implements Module {

    private final Tensor weight;
    private final Tensor bias;
    /** The weight's kept transpose for {@link #forwardInto}, made at its first call. */
    private volatile TransposedWeight transposed;
    /** The weight in panels for inference once {@link #freeze}d, else null. */
    private volatile PanelWeight panels;

    private Linear(Tensor weight, Tensor bias) {
        this.weight = weight;
        this.bias = bias;
    }

    /** A linear map with a bias. */
    public static Linear withBias(int inFeatures, int outFeatures, RandomGenerator random) {
        requirePositive(inFeatures, outFeatures);
        float bound = (float) (1 / Math.sqrt(inFeatures));
        return new Linear(Init.uniform(random, bound, outFeatures, inFeatures), Init.uniform(random, bound, outFeatures));
    }

    /** A linear map without a bias. */
    public static Linear withoutBias(int inFeatures, int outFeatures, RandomGenerator random) {
        requirePositive(inFeatures, outFeatures);
        float bound = (float) (1 / Math.sqrt(inFeatures));
        return new Linear(Init.uniform(random, bound, outFeatures, inFeatures), null);
    }

    /** A linear map over existing tensors (e.g. a weight tied to an embedding); {@code bias} may be null. */
    public static Linear of(Tensor weight, Tensor bias) {
        return new Linear(weight, bias);
    }

    private static void requirePositive(int inFeatures, int outFeatures) {
        if (inFeatures <= 0 || outFeatures <= 0) {
            throw new IllegalArgumentException("Linear: expected inFeatures > 0 and outFeatures > 0 but got "
                    + inFeatures + " and " + outFeatures);
        }
    }

    /**
     * Declares this module's weights fixed from now on, for inference: {@link #forward} and {@link #forwardActivated}
     * then read copies of the weights packed in panels ({@link dev.attention4j.tensor.PanelWeight}), kept between
     * calls, at any number of rows (the products skip the packing of the weight that every product on the weight
     * itself does). A weight changed later through the library (a state dict loaded, an
     * optimizer step, {@code Tensor.set}, {@code markModified}) is packed again at its next use; one written through
     * {@code data()} without {@code markModified()} is not seen, so a frozen module's weights must not be written that
     * way. Costs as much memory again as the weights, from the first forward at inference, whatever its number of rows
     * (a model that only ever sees long inputs makes the copies too). Results are the same bits frozen or not.
     */
    public void freeze() {
        if (panels == null) {
            panels = new PanelWeight(weight);
        }
    }

    /** {@code x (..., inFeatures) -> (..., outFeatures)}, at inference. */
    public Tensor forward(Tensor x) {
        return forward(x, Mode.INFERENCE);
    }

    /** {@code x (..., inFeatures) -> (..., outFeatures)}, recorded on the mode's tape when training. */
    public Tensor forward(Tensor x, Mode mode) {
        PanelWeight p = panels;
        if (mode.tape() == null && p != null) { // frozen, at inference: the kept panels (same bits)
            return MatMul.linear(x, p, bias, MatMul.Epilogue.NONE);
        }
        return LinearOp.apply(mode.tape(), x, weight, bias);
    }

    /**
     * {@code activation(x W^T + b)} at inference, the activation applied to each block of the product as it is
     * computed (see {@link MatMul.Epilogue}): the bits of {@code activation.apply(null, forward(x))}, without the
     * separate pass over the output.
     */
    public Tensor forwardActivated(Tensor x, Activation activation) {
        PanelWeight p = panels;
        return p != null ? MatMul.linear(x, p, bias, activation.epilogue())
                : MatMul.linear(x, weight, bias, activation.epilogue());
    }

    /**
     * {@code y (rows, outFeatures) = activation(x W^T + b)} at inference on caller-owned buffers, the activation fused
     * as in {@link #forwardActivated}: the bits of {@link #forwardInto} followed by the activation.
     */
    public void forwardActivatedInto(float[] y, float[] x, int rows, Activation activation) {
        forwardInto(y, x, rows, activation.epilogue());
    }

    /**
     * {@code y (rows, outFeatures) = x (rows, inFeatures) W^T + b} at inference, on caller-owned buffers: the bits of
     * {@link #forward(Tensor)}. For a few rows (a decoding step, up to {@code MatMul.FEW_ROWS}) it reads a kept
     * transpose of the weight (made at the first such call and again after the weight changed, see
     * {@link TransposedWeight}), so it does not pack the weight at every call; otherwise it allocates nothing.
     * {@code y} must not alias {@code x}.
     */
    public void forwardInto(float[] y, float[] x, int rows) {
        forwardInto(y, x, rows, MatMul.Epilogue.NONE);
    }

    private void forwardInto(float[] y, float[] x, int rows, MatMul.Epilogue then) {
        Shapes.requireBuffer("x", x, "(rows, inFeatures)", rows, inFeatures());
        Shapes.requireBuffer("y", y, "(rows, outFeatures)", rows, outFeatures());
        TransposedWeight t = transposed;
        if (t == null) {
            t = new TransposedWeight(weight);
            transposed = t;
        }
        MatMul.linearTransposedInto(y, 0, x, 0, t, bias == null ? null : bias.data(), 0, rows, then);
    }

    public Tensor weight() {
        return weight;
    }

    /** The bias, or null. */
    public Tensor bias() {
        return bias;
    }

    public int inFeatures() {
        return weight.dim(1);
    }

    public int outFeatures() {
        return weight.dim(0);
    }

    @Override
    public void collectParameters(String prefix, Map<String, Tensor> into) {
        into.putIfAbsent(prefix + "weight", weight);
        if (bias != null) {
            into.putIfAbsent(prefix + "bias", bias);
        }
    }
}
