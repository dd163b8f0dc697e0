package dev.attention4j.autograd;

import dev.attention4j.kernels.Kernels;
import dev.attention4j.kernels.Parallel;
import dev.attention4j.tensor.BufferPool;
import dev.attention4j.tensor.Tensor;

/**
 * Softmax + cross-entropy with label smoothing, fused, as PyTorch's
 * {@code cross_entropy(logits, targets, ignore_index, label_smoothing)} with mean reduction: over the rows whose
 * target is not {@code ignoreIndex},
 * <pre>
 *   loss_r = (1 - eps) * (-log p[r, y_r]) + eps / V * sum_v (-log p[r, v]),   p[r] = softmax(logits[r])
 *   loss   = mean over counted rows of loss_r
 * </pre>
 * Forward keeps each counted row's softmax (the kernels' {@code softmax}, which also gives the log-sum-exp of the
 * loss); backward turns it into the gradient in place, with {@code n} counted rows:
 * {@code dlogits[r, v] = dloss / n * (p[r, v] - (1 - eps) [v == y_r] - eps / V)}, 0 on ignored rows.
 *
 * <p>When every row is ignored the loss is 0 and so is the gradient (PyTorch returns NaN there: 0 / 0); a batch of
 * padding alone then leaves the weights alone instead of poisoning them.
 *
 * <p>Rows are split across threads; each row's sums run in order and the rows' losses are added in row order, so the
 * loss and the gradient have the same bits at any thread count.
 */
public final class CrossEntropyOp {

    /** Target logits per parallel chunk. */
    private static final int WORK_PER_CHUNK = 16384;

    /** Token accuracy: {@code correct} of the {@code counted} (not ignored) rows have the target as their argmax. */
    public record Stats(int correct, int counted) {

        /** {@code correct / counted}, or 0 when no row was counted. */
        public double accuracy() {
            return counted == 0 ? 0.0 : (double) correct / counted;
        }
    }

    private CrossEntropyOp() {
    }

    /**
     * @param tape           where to record the backward pass, or null at inference
     * @param logits         {@code (..., vocabSize)}, rank >= 1, {@code vocabSize >= 1}
     * @param targets        one class index per row of {@code logits} (leading dims flattened), each in
     *                       {@code [0, vocabSize)} or equal to {@code ignoreIndex}
     * @param ignoreIndex    rows with this target count neither in the loss nor in the mean (PyTorch: -100)
     * @param labelSmoothing {@code eps} in {@code [0, 1)}
     * @return the mean loss, a rank-0 tensor
     */
    public static Tensor apply(Tape tape, Tensor logits, int[] targets, int ignoreIndex, float labelSmoothing) {
        if (!(labelSmoothing >= 0f && labelSmoothing < 1f)) {
            throw new IllegalArgumentException("labelSmoothing: expected a value in [0, 1) but got " + labelSmoothing);
        }
        int vocabSize = validate(logits, targets, ignoreIndex);
        int rows = targets.length;
        float[] x = logits.data();                                // (rows, vocabSize)
        double eps = labelSmoothing;
        // With a tape, the softmax of every counted row is kept and becomes the gradient in place; without one, each
        // chunk reuses one row.
        float[] probs = tape == null ? null : BufferPool.zeros(logits.size()); // (rows, vocabSize), 0 on ignored rows
        float[] ones = new float[vocabSize];
        java.util.Arrays.fill(ones, 1f);
        double[] rowLoss = new double[rows];                      // (rows), 0 on ignored rows
        Kernels k = Kernels.active();
        Parallel.forRange(rows, rowGrain(vocabSize), (start, end) -> {
            float[] p = probs != null ? probs : new float[vocabSize];
            for (int r = start; r < end; r++) {
                if (targets[r] == ignoreIndex) {
                    continue;
                }
                int off = r * vocabSize;
                int pOff = probs != null ? off : 0;
                System.arraycopy(x, off, p, pOff, vocabSize);
                double lse = k.softmax(p, pOff, vocabSize);
                double sumLogits = k.dot(x, off, ones, 0, vocabSize);
                // (1 - eps)(lse - x_y) + eps / V * sum_v (lse - x_v)
                rowLoss[r] = lse - (1.0 - eps) * x[off + targets[r]] - eps * sumLogits / vocabSize;
            }
        });
        int counted = 0;
        double total = 0.0;
        for (int r = 0; r < rows; r++) {
            if (targets[r] != ignoreIndex) {
                counted++;
                total += rowLoss[r];
            }
        }
        Tensor loss = Tensor.scalar(counted == 0 ? 0f : (float) (total / counted));
        if (tape != null) {
            int[] savedTargets = targets.clone();                 // the caller may reuse its array
            int n = counted;
            tape.record(grads -> backward(grads, loss, logits, probs, savedTargets, ignoreIndex, eps, n));
        }
        return loss;
    }

    /** Turns the kept softmax {@code probs} into the gradient in place and hands it to {@code grads}. */
    private static void backward(Gradients grads, Tensor loss, Tensor logits, float[] probs, int[] targets,
                                 int ignoreIndex, double eps, int counted) {
        Tensor dLoss = grads.get(loss);
        if (dLoss == null) {
            return;
        }
        int vocabSize = logits.dim(-1);
        int rows = targets.length;
        float[] dx = probs;                                       // (rows, vocabSize), 0 on ignored rows
        if (counted > 0) {
            double g = (double) dLoss.data()[0] / counted;
            float gf = (float) g;
            float uniform = (float) (eps / vocabSize);
            float onTarget = (float) (1.0 - eps);
            Parallel.forRange(rows, rowGrain(vocabSize), (start, end) -> {
                for (int r = start; r < end; r++) {
                    int y = targets[r];
                    if (y == ignoreIndex) {
                        continue;                                 // stays 0
                    }
                    int off = r * vocabSize;
                    float py = dx[off + y];
                    for (int v = off; v < off + vocabSize; v++) {
                        dx[v] = gf * (dx[v] - uniform);
                    }
                    dx[off + y] = gf * (py - onTarget - uniform);
                }
            });
        }
        grads.add(logits, Tensor.of(dx, logits.shape().dims()));
    }

    /**
     * How many counted rows (target not {@code ignoreIndex}) have their target as the argmax of their logits (the
     * first maximum on ties, as {@code torch.argmax}). Not differentiable; records nothing.
     */
    public static Stats stats(Tensor logits, int[] targets, int ignoreIndex) {
        int vocabSize = validate(logits, targets, ignoreIndex);
        float[] x = logits.data();                                // (rows, vocabSize)
        int correct = 0;
        int counted = 0;
        for (int r = 0; r < targets.length; r++) {
            if (targets[r] == ignoreIndex) {
                continue;
            }
            counted++;
            int off = r * vocabSize;
            int best = 0;
            for (int v = 1; v < vocabSize; v++) {
                if (x[off + v] > x[off + best]) {
                    best = v;
                }
            }
            if (best == targets[r]) {
                correct++;
            }
        }
        return new Stats(correct, counted);
    }

    /** Checks the arguments and returns {@code vocabSize}. */
    private static int validate(Tensor logits, int[] targets, int ignoreIndex) {
        if (logits == null) {
            throw new NullPointerException("logits must not be null");
        }
        if (targets == null) {
            throw new NullPointerException("targets must not be null");
        }
        if (logits.rank() < 1 || logits.dim(-1) < 1) {
            throw new IllegalArgumentException("logits: expected shape (..., vocabSize) with vocabSize >= 1 but got "
                    + logits.shape());
        }
        int vocabSize = logits.dim(-1);
        int rows = logits.size() / vocabSize;
        if (targets.length != rows) {
            throw new IllegalArgumentException("targets: expected one target per row of logits " + logits.shape()
                    + " (" + rows + ") but got " + targets.length);
        }
        for (int r = 0; r < rows; r++) {
            int y = targets[r];
            if (y != ignoreIndex && (y < 0 || y >= vocabSize)) {
                throw new IllegalArgumentException("targets[" + r + "]: expected a class index in [0, " + vocabSize
                        + ") or the ignoreIndex " + ignoreIndex + " but got " + y);
            }
        }
        return vocabSize;
    }

    private static int rowGrain(int vocabSize) {
        return Math.max(1, WORK_PER_CHUNK / vocabSize);
    }
}
