package dev.attention4j.tensor;

import java.util.Arrays;

/**
 * The dimensions of a {@link Tensor}, outermost first (row-major). Immutable.
 *
 * @param dims the sizes; each {@code >= 0}. The array is copied in and never handed out.
 */
public record Shape(int[] dims) {

    public Shape {
        dims = dims.clone();
        long size = 1;
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] < 0) {
                throw new IllegalArgumentException("shape " + Arrays.toString(dims) + ": dim " + i + " is negative");
            }
            size *= dims[i];
            if (size > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("shape " + Arrays.toString(dims)
                        + " has more than " + (Integer.MAX_VALUE - 8) + " elements");
            }
        }
    }

    public static Shape of(int... dims) {
        return new Shape(dims);
    }

    /** The number of dimensions. */
    public int rank() {
        return dims.length;
    }

    /** The size of dimension {@code i}; negative {@code i} counts from the end, as in PyTorch. */
    public int dim(int i) {
        int j = i < 0 ? dims.length + i : i;
        if (j < 0 || j >= dims.length) {
            throw new IndexOutOfBoundsException("dim " + i + " of a rank-" + dims.length + " shape " + this);
        }
        return dims[j];
    }

    /** The number of elements: the product of the dims (1 for rank 0). */
    public int size() {
        int size = 1;
        for (int d : dims) {
            size *= d;
        }
        return size;
    }

    @Override
    public int[] dims() {
        return dims.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && Arrays.equals(dims, s.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    /** PyTorch's spelling: {@code [2, 3, 4]}. */
    @Override
    public String toString() {
        return Arrays.toString(dims);
    }
}
