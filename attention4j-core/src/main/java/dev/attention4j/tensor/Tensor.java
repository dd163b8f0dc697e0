package dev.attention4j.tensor;

import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A dense, row-major block of fp32 numbers with a {@link Shape}. Deliberately small: creation, element access and
 * reshaping only. The operations live in focused classes ({@link MatMul}, {@link Activations}, {@link Normalization},
 * {@link Elementwise}); the modules in {@code nn} compose them.
 *
 * <p>The backing array is always exactly {@code shape.size()} long and starts at element 0, so {@link #data()} can
 * be handed straight to a kernel. {@link #reshape} returns a view that shares it; everything else allocates.
 */
public final class Tensor {

    private final Shape shape;
    private final float[] data;
    /** (1): bumped by {@link #markModified}, shared with the views of the same data (see {@link #reshape}). */
    private final long[] version;

    private Tensor(Shape shape, float[] data) {
        this(shape, data, new long[1]);
    }

    private Tensor(Shape shape, float[] data, long[] version) {
        this.shape = shape;
        this.data = data;
        this.version = version;
    }

    /** A tensor of zeros (its array lent by the thread's open {@link BufferPool} scope, if any). */
    public static Tensor zeros(int... dims) {
        return zeros(Shape.of(dims));
    }

    /** A tensor of zeros of the given shape (its array lent by the thread's open {@link BufferPool} scope, if any). */
    public static Tensor zeros(Shape shape) {
        return new Tensor(shape, BufferPool.zeros(shape.size()));
    }

    /**
     * A tensor for an op that writes every element before anything reads it: from the thread's open
     * {@link BufferPool} scope without zeroing (so holding whatever the array held: NaN under the test suite's
     * {@code attention4j.pool.poison}, so an op that misses an element shows), else zeros.
     */
    public static Tensor forOverwrite(Shape shape) {
        return new Tensor(shape, BufferPool.forOverwrite(shape.size()));
    }

    /** Wraps {@code data} (not copied) as a tensor of the given dims; the lengths must agree. */
    public static Tensor of(float[] data, int... dims) {
        Objects.requireNonNull(data, "data");
        Shape shape = Shape.of(dims);
        if (data.length != shape.size()) {
            throw new IllegalArgumentException("data has " + data.length + " elements but shape " + shape
                    + " needs " + shape.size());
        }
        return new Tensor(shape, data);
    }

    /** A rank-0 tensor holding {@code value}. */
    public static Tensor scalar(float value) {
        return new Tensor(Shape.of(), new float[] {value});
    }

    /** Standard normal samples from a seeded generator: the same seed gives the same tensor. */
    public static Tensor randn(long seed, int... dims) {
        Shape shape = Shape.of(dims);
        float[] data = new float[shape.size()];
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) random.nextGaussian();
        }
        return new Tensor(shape, data);
    }

    /** Uniform samples in {@code [low, high)} from a seeded generator. */
    public static Tensor uniform(long seed, float low, float high, int... dims) {
        Shape shape = Shape.of(dims);
        float[] data = new float[shape.size()];
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < data.length; i++) {
            data[i] = low + (high - low) * (float) random.nextDouble();
        }
        return new Tensor(shape, data);
    }

    public Shape shape() {
        return shape;
    }

    public int rank() {
        return shape.rank();
    }

    /** Size of dimension {@code i}; negative counts from the end. */
    public int dim(int i) {
        return shape.dim(i);
    }

    public int size() {
        return data.length;
    }

    /**
     * The backing array itself (row-major, offset 0). Writes are visible through this tensor and its reshaped
     * views; this is how kernels and loaders fill tensors without copying.
     */
    public float[] data() {
        return data;
    }

    /** The element at the given indices (one per dim). */
    public float get(int... index) {
        return data[flatIndex(index)];
    }

    /** Sets the element at the given indices (and marks the tensor modified, see {@link #version}). */
    public void set(float value, int... index) {
        data[flatIndex(index)] = value;
        markModified();
    }

    /**
     * A counter that changes whenever the data is written in place through the library: {@link #set}, loading a
     * state dict, an optimizer step. What is derived from a parameter and kept (the transposed weights of decoding
     * steps, {@link TransposedWeight}) is rebuilt when it changes. Shared by the views of the same data
     * ({@link #reshape}).
     */
    public long version() {
        return version[0];
    }

    /**
     * Records that the data was written in place. Code that writes a parameter's {@link #data()} itself (rather than
     * through {@code Module.loadStateDict} or an optimizer) calls this afterwards, so that the copies kept for
     * decoding steps are rebuilt; without it they would keep the old values.
     */
    public void markModified() {
        version[0]++;
    }

    private int flatIndex(int[] index) {
        if (index.length != shape.rank()) {
            throw new IllegalArgumentException("index " + Arrays.toString(index) + " has " + index.length
                    + " coordinates but the tensor has shape " + shape);
        }
        int flat = 0;
        for (int i = 0; i < index.length; i++) {
            int d = shape.dim(i);
            if (index[i] < 0 || index[i] >= d) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " is out of bounds for shape "
                        + shape + " (dim " + i + ")");
            }
            flat = flat * d + index[i];
        }
        return flat;
    }

    /** A view with new dims and the same data; one dim may be -1 (inferred). */
    public Tensor reshape(int... dims) {
        int[] resolved = dims.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < resolved.length; i++) {
            if (resolved[i] == -1) {
                if (infer >= 0) {
                    throw new IllegalArgumentException("reshape " + Arrays.toString(dims) + ": only one dim may be -1");
                }
                infer = i;
            } else {
                known *= resolved[i];
            }
        }
        if (infer >= 0 && known != 0 && data.length % known == 0) {
            resolved[infer] = (int) (data.length / known);
        }
        Shape target = Shape.of(resolved);
        if (target.size() != data.length) {
            throw new IllegalArgumentException("cannot reshape a tensor of shape " + shape + " (" + data.length
                    + " elements) to " + Arrays.toString(dims));
        }
        return new Tensor(target, data, version);
    }

    /** A deep copy (its array lent by the thread's open {@link BufferPool} scope, if any). */
    public Tensor copy() {
        return new Tensor(shape, BufferPool.copyOf(data));
    }

    /** True when the shapes are equal and every element is bit-for-bit the same. */
    public boolean bitEquals(Tensor other) {
        return shape.equals(other.shape) && Arrays.equals(data, other.data);
    }

    /** The largest {@code |this - other|} over all elements; the shapes must be equal. */
    public float maxAbsDifference(Tensor other) {
        Shapes.requireShape("other", other, shape);
        float max = 0;
        for (int i = 0; i < data.length; i++) {
            float d = Math.abs(data[i] - other.data[i]);
            if (!(d <= max)) {
                max = Float.isNaN(d) ? Float.NaN : d;
                if (Float.isNaN(d)) {
                    return d;
                }
            }
        }
        return max;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Tensor").append(shape).append(' ');
        int n = Math.min(data.length, 8);
        sb.append('[');
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(data[i]);
        }
        if (data.length > n) {
            sb.append(", ...");
        }
        return sb.append(']').toString();
    }
}
