package dev.attention4j.nn;

import dev.attention4j.autograd.LayerNormOp;
import dev.attention4j.tensor.Normalization;
import dev.attention4j.tensor.Shapes;
import dev.attention4j.tensor.Tensor;

import java.util.Map;

/** {@code nn.LayerNorm(dim, eps)} over the last dim: parameters {@code weight} (gamma, ones) and {@code bias} (beta). */
public final class LayerNorm implements Module {

    private final Tensor weight;
    private final Tensor bias;
    private final float eps;

    public LayerNorm(int dim, float eps) {
        if (dim <= 0) {
            throw new IllegalArgumentException("LayerNorm: expected dim > 0 but got " + dim);
        }
        if (!(eps > 0f)) {
            throw new IllegalArgumentException("LayerNorm: expected eps > 0 but got " + eps);
        }
        this.weight = Init.ones(dim);
        this.bias = Tensor.zeros(dim);
        this.eps = eps;
    }

    /** {@code (..., dim) -> (..., dim)}, at inference. */
    public Tensor forward(Tensor x) {
        return forward(x, Mode.INFERENCE);
    }

    /** {@code (..., dim) -> (..., dim)}, recorded on the mode's tape when training. */
    public Tensor forward(Tensor x, Mode mode) {
        return LayerNormOp.apply(mode.tape(), x, weight, bias, eps);
    }

    /**
     * {@code y (rows, dim) = LayerNorm(x (rows, dim))} at inference, on caller-owned buffers ({@code y} may be
     * {@code x}): the kernel of {@link #forward(Tensor)}, so the same bits, allocating nothing when the rows are not
     * split across threads.
     */
    public void forwardInto(float[] y, float[] x, int rows) {
        int dim = weight.size();
        Shapes.requireBuffer("x", x, "(rows, dim)", rows, dim);
        Shapes.requireBuffer("y", y, "(rows, dim)", rows, dim);
        Normalization.layerNormInto(y, 0, x, 0, weight.data(), bias.data(), rows, dim, eps);
    }

    /**
     * {@code y = norm(x + residual)} over {@code rows} rows, the sum written over {@code x} first ({@code y} may be
     * {@code x}): the residual add runs in the norm's parallel chunks of rows. The same bits as an add then
     * {@link #forwardInto}.
     */
    public void forwardResidualInto(float[] y, float[] x, float[] residual, int rows) {
        int dim = weight.size();
        Shapes.requireBuffer("x", x, "(rows, dim)", rows, dim);
        Shapes.requireBuffer("residual", residual, "(rows, dim)", rows, dim);
        Shapes.requireBuffer("y", y, "(rows, dim)", rows, dim);
        Normalization.residualLayerNormInto(y, 0, x, 0, residual, weight.data(), bias.data(), rows, dim, eps);
    }

    public float eps() {
        return eps;
    }

    @Override
    public void collectParameters(String prefix, Map<String, Tensor> into) {
        into.putIfAbsent(prefix + "weight", weight);
        into.putIfAbsent(prefix + "bias", bias);
    }
}
