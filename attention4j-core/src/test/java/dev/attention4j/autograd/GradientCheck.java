package dev.attention4j.autograd;

import dev.attention4j.tensor.Tensor;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Checks an op's hand-written backward against central differences of an independent forward written in double
 * precision from the op's formula. The loss is {@code sum(out * r)} for a fixed random {@code r}, so every output
 * element's gradient path is exercised.
 */
final class GradientCheck {

    /** The op's forward from its formula, in double, sharing no code with the library. */
    @FunctionalInterface
    interface DoubleForward {
        /** @param inputs the inputs' values, in the order given to {@link #check}; returns the flat output */
        double[] apply(double[][] inputs);
    }

    /** Central-difference step (inputs are O(1)). */
    static final double STEP = 1e-4;

    private GradientCheck() {
    }

    /**
     * Runs {@code forward} on a tape, back-propagates {@code sum(out * r)}, and compares the gradient of every
     * input in {@code inputs} (elementwise: {@code |analytic - numeric| <= atol + rtol * |numeric|}) and the output
     * itself against {@code oracle}. Inputs whose gradient must be absent are not listed.
     */
    static void check(String op, List<Tensor> inputs, Function<Tape, Tensor> forward, DoubleForward oracle,
                      double atol, double rtol) {
        Tape tape = new Tape();
        Tensor out = forward.apply(tape);
        double[][] values = new double[inputs.size()][];
        for (int i = 0; i < inputs.size(); i++) {
            values[i] = toDouble(inputs.get(i));
        }
        double[] expectedOut = oracle.apply(values);
        if (expectedOut.length != out.size()) {
            throw new AssertionError(op + ": oracle gives " + expectedOut.length + " outputs, op gives " + out.size());
        }
        for (int j = 0; j < expectedOut.length; j++) {
            double e = expectedOut[j];
            if (Math.abs(out.data()[j] - e) > atol + rtol * Math.abs(e)) {
                throw new AssertionError(op + " forward: output " + j + " is " + out.data()[j] + " but the oracle says " + e);
            }
        }
        Tensor r = Tensor.randn(12345, out.shape().dims());
        Tensor loss = Tensor.scalar(0f);
        tape.record(grads -> {
            Tensor dLoss = grads.get(loss);
            Tensor dOut = Tensor.zeros(out.shape());
            for (int j = 0; j < dOut.size(); j++) {
                dOut.data()[j] = r.data()[j] * dLoss.data()[0];
            }
            grads.add(out, dOut);
        });
        Gradients grads = tape.backward(loss);
        for (int i = 0; i < inputs.size(); i++) {
            Tensor analytic = grads.get(inputs.get(i));
            if (analytic == null) {
                throw new AssertionError(op + ": no gradient reached input " + i);
            }
            for (int j = 0; j < values[i].length; j++) {
                double saved = values[i][j];
                values[i][j] = saved + STEP;
                double plus = weightedSum(oracle.apply(values), r);
                values[i][j] = saved - STEP;
                double minus = weightedSum(oracle.apply(values), r);
                values[i][j] = saved;
                double numeric = (plus - minus) / (2 * STEP);
                double a = analytic.data()[j];
                if (Math.abs(a - numeric) > atol + rtol * Math.abs(numeric)) {
                    throw new AssertionError(String.format("%s backward: d/d input %d [%d] is %.7g but central "
                            + "differences give %.7g (diff %.3g)", op, i, j, a, numeric, Math.abs(a - numeric)));
                }
            }
        }
    }

    private static double weightedSum(double[] out, Tensor r) {
        double s = 0;
        for (int j = 0; j < out.length; j++) {
            s += out[j] * r.data()[j];
        }
        return s;
    }

    static double[] toDouble(Tensor t) {
        double[] d = new double[t.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = t.data()[i];
        }
        return d;
    }

    /** A seeded tensor of O(1) values. */
    static Tensor random(long seed, int... dims) {
        Tensor t = Tensor.zeros(dims);
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < t.size(); i++) {
            t.data()[i] = (float) (random.nextDouble() * 2 - 1);
        }
        return t;
    }
}
