package dev.attention4j.nn;

import dev.attention4j.autograd.BroadcastAddOp;
import dev.attention4j.kernels.Kernels;
import dev.attention4j.tensor.Shapes;
import dev.attention4j.tensor.Tensor;

import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Position information added to token vectors, since attention alone is order-blind (permuting the keys permutes
 * nothing in the output). Two kinds: the paper's fixed sinusoids and a learned table (as BERT).
 */
public sealed interface PositionalEncoding extends Module {

    /** The fixed table of the paper: {@code PE[pos, 2i] = sin(pos / 10000^(2i/d))}, {@code PE[pos, 2i+1] = cos(...)}. */
    static PositionalEncoding sinusoidal(int maxLen, int modelDim) {
        return new Sinusoidal(sinusoidTable(maxLen, modelDim));
    }

    /** A learned {@code (maxLen, modelDim)} table (PyTorch name {@code weight}), initialised N(0, 1). */
    static PositionalEncoding learned(int maxLen, int modelDim, RandomGenerator random) {
        if (maxLen <= 0 || modelDim <= 0) {
            throw new IllegalArgumentException("positional encoding: expected maxLen > 0 and modelDim > 0 but got "
                    + maxLen + " and " + modelDim);
        }
        return new Learned(Init.normal(random, 1f, maxLen, modelDim));
    }

    /** The table, {@code (maxLen, modelDim)}. */
    Tensor table();

    /** The longest sequence covered. */
    default int maxLen() {
        return table().dim(0);
    }

    /**
     * {@code x (batchSize, seqLen, modelDim) + PE[0 .. seqLen)}, as a new tensor; a learned table gets its gradient
     * on the mode's tape when training.
     */
    default Tensor addTo(Tensor x, Mode mode) {
        return BroadcastAddOp.addRows(mode.tape(), x, table());
    }

    /**
     * {@code x (batchSize, newLen, modelDim) + PE[position .. position + newLen)}, as a new tensor, at inference: the
     * positions of new tokens that continue a cached prefix of {@code position} tokens.
     */
    default Tensor addAt(Tensor x, int position) {
        Shapes.requireDims("x", x, "(batchSize, newLen, modelDim)", -1, -1, table().dim(1));
        Tensor out = x.copy();
        addAtInPlace(out.data(), x.dim(0), x.dim(1), position);
        return out;
    }

    /**
     * {@code x (batchSize, newLen, modelDim) += PE[position .. position + newLen)} in place, at inference, on a
     * caller-owned buffer: what {@link #addAt} computes, allocating nothing (a decoding step adds one position per
     * sequence with it).
     */
    default void addAtInPlace(float[] x, int batchSize, int newLen, int position) {
        Tensor table = table();
        int modelDim = table.dim(1);
        if (position < 0 || newLen < 0 || position + newLen > table.dim(0)) {
            throw new IllegalArgumentException("position: expected positions [" + position + ", " + (position + newLen)
                    + ") within maxLen = " + table.dim(0));
        }
        Shapes.requireBuffer("x", x, "(batchSize, newLen * modelDim)", batchSize, newLen * modelDim);
        Kernels k = Kernels.active();
        int rows = newLen * modelDim;
        for (int b = 0; b < batchSize; b++) {
            k.add(x, b * rows, x, b * rows, table.data(), position * modelDim, rows);
        }
    }

    private static Tensor sinusoidTable(int maxLen, int modelDim) {
        if (maxLen <= 0 || modelDim <= 0 || modelDim % 2 != 0) {
            throw new IllegalArgumentException("sinusoidal encoding: expected maxLen > 0 and an even modelDim > 0 but got "
                    + maxLen + " and " + modelDim);
        }
        Tensor t = Tensor.zeros(maxLen, modelDim);
        float[] d = t.data();
        for (int pos = 0; pos < maxLen; pos++) {
            for (int i = 0; i < modelDim; i += 2) {
                double angle = pos / Math.pow(10000.0, (double) i / modelDim);
                d[pos * modelDim + i] = (float) Math.sin(angle);
                d[pos * modelDim + i + 1] = (float) Math.cos(angle);
            }
        }
        return t;
    }

    /** The fixed sinusoids: no parameters. */
    record Sinusoidal(Tensor table) implements PositionalEncoding {
        @Override
        public void collectParameters(String prefix, Map<String, Tensor> into) {
            // a fixed function of position: nothing to learn or save
        }
    }

    /** A learned table. */
    record Learned(Tensor table) implements PositionalEncoding {
        @Override
        public void collectParameters(String prefix, Map<String, Tensor> into) {
            into.putIfAbsent(prefix + "weight", table);
        }
    }
}
