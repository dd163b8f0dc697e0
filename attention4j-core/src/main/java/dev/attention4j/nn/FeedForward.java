package dev.attention4j.nn;

import dev.attention4j.tensor.Tensor;

import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * The position-wise feed-forward network, {@code FFN(x) = linear2(dropout(act(linear1(x))))}. Its parameters sit
 * directly in the enclosing layer under PyTorch's names {@code linear1.*} and {@code linear2.*}.
 */
public final class FeedForward implements Module {

    private final Linear linear1;
    private final Linear linear2;
    private final Activation activation;
    private final float dropout;

    public FeedForward(int modelDim, int ffnDim, Activation activation, float dropout, RandomGenerator random) {
        this.linear1 = Linear.withBias(modelDim, ffnDim, random);
        this.linear2 = Linear.withBias(ffnDim, modelDim, random);
        this.activation = activation;
        this.dropout = Dropout.requireProbability("dropout", dropout);
    }

    /** {@code (batchSize, seqLen, modelDim) -> (batchSize, seqLen, modelDim)}. */
    public Tensor forward(Tensor x, Mode mode) {
        Tensor hidden = mode.tape() == null                                   // (batchSize, seqLen, ffnDim)
                ? linear1.forwardActivated(x, activation)  // no backward: the activation fused into the product
                : activation.apply(mode.tape(), linear1.forward(x, mode));
        return linear2.forward(Dropout.apply(hidden, dropout, mode), mode);
    }

    /**
     * {@code out (rows, modelDim) = linear2(act(linear1(x)))} at inference, on caller-owned buffers: the kernels of
     * {@link #forward} (dropout is the identity), so the same bits, allocating nothing when the rows are not split
     * across threads.
     *
     * @param out    {@code (rows, modelDim)}, written; must not alias {@code x}
     * @param x      {@code (rows, modelDim)}
     * @param hidden {@code (rows, ffnDim)} scratch
     */
    public void forwardInto(float[] out, float[] x, float[] hidden, int rows) {
        linear1.forwardActivatedInto(hidden, x, rows, activation); // (rows, ffnDim)
        linear2.forwardInto(out, hidden, rows);               // (rows, modelDim)
    }

    /** {@link Linear#freeze} for both linear maps: their weights fixed from now on, for inference. */
    public void freeze() {
        linear1.freeze();
        linear2.freeze();
    }

    /** The hidden width. */
    public int ffnDim() {
        return linear1.outFeatures();
    }

    @Override
    public void collectParameters(String prefix, Map<String, Tensor> into) {
        Module.collectChild(prefix, "linear1", linear1, into);
        Module.collectChild(prefix, "linear2", linear2, into);
    }
}
