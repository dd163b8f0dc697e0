package dev.attention4j.tensor;

import java.util.Arrays;

/**
 * User-facing shape checks. Every message names the argument, what was expected and what was received, in
 * PyTorch's notation, e.g. {@code query: expected shape (batch, tgtLen, 512) but got [2, 7, 256]}.
 */
public final class Shapes {

    private Shapes() {
    }

    /** Requires {@code t} to have exactly {@code expected}. */
    public static void requireShape(String name, Tensor t, Shape expected) {
        requireNonNull(name, t);
        if (!t.shape().equals(expected)) {
            throw new IllegalArgumentException(name + ": expected shape " + expected + " but got " + t.shape());
        }
    }

    /** Requires {@code t} to have the given rank; {@code legend} names the dims, e.g. "(batch, seqLen, modelDim)". */
    public static void requireRank(String name, Tensor t, int rank, String legend) {
        requireNonNull(name, t);
        if (t.rank() != rank) {
            throw new IllegalArgumentException(name + ": expected a rank-" + rank + " tensor " + legend + " but got shape "
                    + t.shape());
        }
    }

    /**
     * Requires {@code t} to have the given dims, where {@code -1} matches any size; {@code legend} names the dims.
     */
    public static void requireDims(String name, Tensor t, String legend, int... expected) {
        requireNonNull(name, t);
        int[] dims = t.shape().dims();
        boolean ok = dims.length == expected.length;
        for (int i = 0; ok && i < dims.length; i++) {
            ok = expected[i] == -1 || expected[i] == dims[i];
        }
        if (!ok) {
            throw new IllegalArgumentException(name + ": expected shape " + legend + " = " + pattern(expected)
                    + " but got " + t.shape());
        }
    }

    /** Requires {@code actual == expected} for a named dimension of a named argument. */
    public static void requireDim(String name, String dimName, int actual, int expected) {
        if (actual != expected) {
            throw new IllegalArgumentException(name + ": expected " + dimName + " = " + expected + " but got " + actual);
        }
    }

    /**
     * Requires a caller-owned buffer of at least {@code rows x cols} floats; {@code legend} names the dims, e.g.
     * {@code "(batchSize, modelDim)"}. Allocates nothing unless it throws, for the allocation-free paths that work on
     * plain arrays.
     */
    public static void requireBuffer(String name, float[] buffer, String legend, int rows, int cols) {
        if (buffer == null) {
            throw new NullPointerException(name + " must not be null");
        }
        long need = (long) rows * cols;
        if (rows < 0 || cols < 0 || buffer.length < need) {
            throw new IllegalArgumentException(name + ": expected a buffer of at least " + legend + " = [" + rows + ", "
                    + cols + "] = " + need + " floats but got " + buffer.length);
        }
    }

    private static void requireNonNull(String name, Tensor t) {
        if (t == null) {
            throw new NullPointerException(name + " must not be null");
        }
    }

    private static String pattern(int[] expected) {
        String[] parts = new String[expected.length];
        for (int i = 0; i < expected.length; i++) {
            parts[i] = expected[i] == -1 ? "*" : Integer.toString(expected[i]);
        }
        return Arrays.toString(parts);
    }
}
