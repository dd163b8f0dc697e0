package dev.attention4j.autograd;

import dev.attention4j.tensor.MatMul;
import dev.attention4j.tensor.Tensor;

/**
 * {@code y = x W^T + b}. Backward: {@code dx = dy W}, {@code dW = dy^T x}, {@code db = sum over rows of dy}.
 */
public final class LinearOp {

    private LinearOp() {
    }

    /**
     * @param tape   where to record the backward pass, or null at inference
     * @param x      {@code (..., inFeatures)}
     * @param weight {@code (outFeatures, inFeatures)}
     * @param bias   {@code (outFeatures)} or null
     * @return {@code (..., outFeatures)}
     */
    public static Tensor apply(Tape tape, Tensor x, Tensor weight, Tensor bias) {
        Tensor y = MatMul.linear(x, weight, bias);
        if (tape != null) {
            tape.record(grads -> backward(grads, y, x, weight, bias));
        }
        return y;
    }

    private static void backward(Gradients grads, Tensor y, Tensor x, Tensor weight, Tensor bias) {
        Tensor dy = grads.get(y);
        if (dy == null) {
            return;
        }
        int outFeatures = weight.dim(0);
        int inFeatures = weight.dim(1);
        int rows = dy.size() / outFeatures;
        Tensor dy2 = dy.reshape(rows, outFeatures);                      // (rows, outFeatures)
        grads.add(x, MatMul.matmul(dy2, weight).reshape(x.shape().dims())); // (rows, inFeatures)
        grads.add(weight, MatMul.transposedTimes(dy2, x.reshape(rows, inFeatures))); // (outFeatures, inFeatures)
        if (bias != null) {
            grads.add(bias, MatMul.columnSums(dy2));                     // (outFeatures)
        }
    }
}
