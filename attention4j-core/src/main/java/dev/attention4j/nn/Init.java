package dev.attention4j.nn;

import dev.attention4j.tensor.Tensor;

import java.util.random.RandomGenerator;

/** PyTorch's default parameter initialisations, drawn from a caller's seeded generator. */
public final class Init {

    private Init() {
    }

    /** {@code U(-bound, bound)}. */
    public static Tensor uniform(RandomGenerator random, float bound, int... dims) {
        Tensor t = Tensor.zeros(dims);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
        }
        return t;
    }

    /** {@code N(0, std^2)}. */
    public static Tensor normal(RandomGenerator random, float std, int... dims) {
        Tensor t = Tensor.zeros(dims);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) (random.nextGaussian() * std);
        }
        return t;
    }

    /** Glorot/Xavier uniform for a {@code (fanOut, fanIn)} weight: bound {@code sqrt(6 / (fanIn + fanOut))}. */
    public static Tensor xavierUniform(RandomGenerator random, int fanOut, int fanIn) {
        return uniform(random, (float) Math.sqrt(6.0 / (fanIn + fanOut)), fanOut, fanIn);
    }

    /** A tensor of ones. */
    public static Tensor ones(int... dims) {
        Tensor t = Tensor.zeros(dims);
        java.util.Arrays.fill(t.data(), 1f);
        return t;
    }
}
