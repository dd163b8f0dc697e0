package dev.attention4j.autograd;

import dev.attention4j.tensor.Shapes;
import dev.attention4j.tensor.Tensor;

/**
 * {@code loss = sum_i x[i] * w[i]}, a rank-0 tensor: PyTorch's {@code (x * w).sum()} with a fixed {@code w}.
 * Summed in double, in order. Backward: {@code dx = dLoss * w} ({@code w} is a constant and gets no gradient).
 */
public final class WeightedSumOp {

    private WeightedSumOp() {
    }

    public static Tensor apply(Tape tape, Tensor x, Tensor weights) {
        Shapes.requireShape("weights", weights, x.shape());
        double sum = 0;
        for (int i = 0; i < x.size(); i++) {
            sum += (double) x.data()[i] * weights.data()[i];
        }
        Tensor loss = Tensor.scalar((float) sum);
        if (tape != null) {
            tape.record(grads -> {
                Tensor dLoss = grads.get(loss);
                if (dLoss != null) {
                    float d = dLoss.data()[0];
                    Tensor dx = Tensor.zeros(x.shape());
                    for (int i = 0; i < dx.size(); i++) {
                        dx.data()[i] = d * weights.data()[i];
                    }
                    grads.add(x, dx);
                }
            });
        }
        return loss;
    }
}
