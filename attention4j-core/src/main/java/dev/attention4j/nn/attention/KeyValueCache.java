package dev.attention4j.nn.attention;

import dev.attention4j.tensor.Shapes;
import dev.attention4j.tensor.Tensor;

/**
 * Projected keys and values kept between decoding steps, for one attention module: two preallocated buffers of
 * {@code (batchSize, capacity, modelDim)} of which the first {@link #length()} rows of every sequence are in use.
 *
 * <p>Self-attention caches grow: each step {@link #append}s the new tokens' keys and values at {@link #length()}
 * (the position of the next token). Cross-attention caches are filled once from the encoder's memory
 * ({@link MultiHeadAttention#projectKeysValues}) and then only read. Appending past {@link #capacity()} is an error:
 * the buffers never grow or move, so a step copies only the new rows.
 *
 * <p>Memory: {@link #bytes()} counts the rows in use, {@code 2 * batchSize * length * modelDim * 4};
 * {@link #allocatedBytes()} the buffers, {@code 2 * batchSize * capacity * modelDim * 4} (twice that after the first
 * {@link #reorder}, which keeps a second pair of buffers to permute into).
 */
public final class KeyValueCache {

    private final int batchSize;
    private final int capacity;
    private final int modelDim;
    private float[] keys;   // (batchSize, capacity, modelDim)
    private float[] values; // (batchSize, capacity, modelDim)
    private float[] spareKeys;   // (batchSize, capacity, modelDim), allocated by the first reorder
    private float[] spareValues; // (batchSize, capacity, modelDim), allocated by the first reorder
    private int length;

    /** An empty cache with room for {@code capacity} tokens of each of {@code batchSize} sequences. */
    public KeyValueCache(int batchSize, int capacity, int modelDim) {
        if (batchSize < 0) {
            throw new IllegalArgumentException("batchSize: expected >= 0 but got " + batchSize);
        }
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity: expected >= 0 but got " + capacity);
        }
        if (modelDim < 1) {
            throw new IllegalArgumentException("modelDim: expected >= 1 but got " + modelDim);
        }
        long size = (long) batchSize * capacity * modelDim;
        if (size > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("batchSize * capacity * modelDim = " + batchSize + " * " + capacity
                    + " * " + modelDim + " floats do not fit in one Java array");
        }
        this.batchSize = batchSize;
        this.capacity = capacity;
        this.modelDim = modelDim;
        this.keys = new float[(int) size];
        this.values = new float[(int) size];
    }

    public int batchSize() {
        return batchSize;
    }

    /** The most tokens per sequence the buffers hold. */
    public int capacity() {
        return capacity;
    }

    public int modelDim() {
        return modelDim;
    }

    /** Tokens cached per sequence: also the position of the next token appended. */
    public int length() {
        return length;
    }

    /** Bytes of the rows in use: {@code 2 (keys and values) * batchSize * length * modelDim * 4}. */
    public long bytes() {
        return 2L * batchSize * length * modelDim * Float.BYTES;
    }

    /** Bytes of the buffers held, used or not. */
    public long allocatedBytes() {
        long pair = 2L * batchSize * capacity * modelDim * Float.BYTES;
        return spareKeys == null ? pair : 2 * pair;
    }

    /**
     * Copies {@code newKeys} and {@code newValues}, each {@code (batchSize, newLen, modelDim)}, to rows
     * {@code [length, length + newLen)} and advances {@link #length()} by {@code newLen}.
     *
     * @throws IllegalStateException when {@code length + newLen > capacity}; the cache is then unchanged
     */
    public void append(Tensor newKeys, Tensor newValues) {
        Shapes.requireDims("newKeys", newKeys, "(batchSize, newLen, modelDim)", batchSize, -1, modelDim);
        int newLen = newKeys.dim(1);
        Shapes.requireDims("newValues", newValues, "(batchSize, newLen, modelDim)", batchSize, newLen, modelDim);
        append(newKeys.data(), newValues.data(), newLen);
    }

    /**
     * As {@link #append(Tensor, Tensor)} from caller-owned buffers holding {@code (batchSize, newLen, modelDim)} each
     * (at least; the rest is ignored); allocates nothing.
     *
     * @throws IllegalStateException when {@code length + newLen > capacity}; the cache is then unchanged
     */
    public void append(float[] newKeys, float[] newValues, int newLen) {
        Shapes.requireBuffer("newKeys", newKeys, "(batchSize, newLen * modelDim)", batchSize, newLen * modelDim);
        Shapes.requireBuffer("newValues", newValues, "(batchSize, newLen * modelDim)", batchSize, newLen * modelDim);
        requireRoom(newLen);
        int rows = newLen * modelDim;
        for (int b = 0; b < batchSize; b++) {
            int to = (b * capacity + length) * modelDim;
            System.arraycopy(newKeys, b * rows, keys, to, rows);
            System.arraycopy(newValues, b * rows, values, to, rows);
        }
        length += newLen;
    }

    /**
     * Checks that {@code newLen} more tokens fit.
     *
     * @throws IllegalStateException naming the capacity, the position and {@code newLen} when they do not
     */
    public void requireRoom(int newLen) {
        if (newLen < 0 || length + newLen > capacity) {
            throw new IllegalStateException("KV cache capacity exceeded: capacity " + capacity + ", position "
                    + length + ", cannot append " + newLen + " more token" + (newLen == 1 ? "" : "s"));
        }
    }

    /**
     * Reorders the sequences for beam search: afterwards sequence {@code b} holds what sequence
     * {@code batchIndices[b]} held (an index may repeat, or be left out). The length is unchanged.
     */
    public void reorder(int[] batchIndices) {
        if (batchIndices.length != batchSize) {
            throw new IllegalArgumentException("batchIndices: expected " + batchSize + " indices (one per sequence) "
                    + "but got " + batchIndices.length);
        }
        for (int b = 0; b < batchSize; b++) {
            if (batchIndices[b] < 0 || batchIndices[b] >= batchSize) {
                throw new IllegalArgumentException("batchIndices[" + b + "]: expected an index in [0, " + batchSize
                        + ") but got " + batchIndices[b]);
            }
        }
        if (spareKeys == null) {
            spareKeys = new float[keys.length];
            spareValues = new float[values.length];
        }
        int rows = length * modelDim;
        int stride = capacity * modelDim;
        for (int b = 0; b < batchSize; b++) {
            System.arraycopy(keys, batchIndices[b] * stride, spareKeys, b * stride, rows);
            System.arraycopy(values, batchIndices[b] * stride, spareValues, b * stride, rows);
        }
        float[] t = keys;
        keys = spareKeys;
        spareKeys = t;
        t = values;
        values = spareValues;
        spareValues = t;
    }

    /** Forgets every cached token (the buffers are kept). */
    public void clear() {
        length = 0;
    }

    /** A copy of the keys in use, {@code (batchSize, length, modelDim)}; for tests and inspection. */
    public Tensor keys() {
        return rowsInUse(keys);
    }

    /** A copy of the values in use, {@code (batchSize, length, modelDim)}; for tests and inspection. */
    public Tensor values() {
        return rowsInUse(values);
    }

    private Tensor rowsInUse(float[] buffer) {
        Tensor out = Tensor.zeros(batchSize, length, modelDim);
        int rows = length * modelDim;
        for (int b = 0; b < batchSize; b++) {
            System.arraycopy(buffer, b * capacity * modelDim, out.data(), b * rows, rows);
        }
        return out;
    }

    /** The key buffer itself, {@code (batchSize, capacity, modelDim)}: read by attention, written only by the cache. */
    float[] keyBuffer() {
        return keys;
    }

    /** The value buffer itself, {@code (batchSize, capacity, modelDim)}. */
    float[] valueBuffer() {
        return values;
    }
}
