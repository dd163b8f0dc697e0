package dev.attention4j.nn;

import dev.attention4j.autograd.EmbeddingOp;
import dev.attention4j.tensor.Shapes;
import dev.attention4j.tensor.Tensor;

import java.util.Map;
import java.util.Objects;
import java.util.random.RandomGenerator;

/** A lookup table of token vectors, {@code nn.Embedding(vocabSize, dim)}: parameter {@code weight}, init N(0, 1). */
public final class Embedding implements Module {

    private final Tensor weight;

    /** A table initialised N(0, 1), as {@code nn.Embedding}. */
    public Embedding(int vocabSize, int dim, RandomGenerator random) {
        this(vocabSize, dim, 1f, random);
    }

    /**
     * A table initialised N(0, std^2). The Transformer uses {@code std = dim^-1/2}: times {@code sqrt(dim)} on the way
     * in the inputs have unit variance, and an output projection tied to the table starts with O(1) logits.
     */
    public Embedding(int vocabSize, int dim, float std, RandomGenerator random) {
        if (vocabSize <= 0 || dim <= 0) {
            throw new IllegalArgumentException("Embedding: expected vocabSize > 0 and dim > 0 but got " + vocabSize
                    + " and " + dim);
        }
        if (!(std > 0f)) {
            throw new IllegalArgumentException("Embedding: expected std > 0 but got " + std);
        }
        this.weight = Init.normal(random, std, vocabSize, dim);
    }

    /**
     * Looks up {@code tokens (batchSize, seqLen)} (rectangular) and returns {@code (batchSize, seqLen, dim)} times
     * {@code scale} ({@code sqrt(modelDim)} in the Transformer, 1 for plain lookups). Records nothing.
     */
    public Tensor forward(int[][] tokens, float scale) {
        return EmbeddingOp.apply(null, weight, tokens, scale);
    }

    /** As {@link #forward(int[][], float)}, recorded on the mode's tape when it has one. */
    public Tensor forward(int[][] tokens, float scale, Mode mode) {
        return EmbeddingOp.apply(Objects.requireNonNull(mode, "mode").tape(), weight, tokens, scale);
    }

    /**
     * Looks up one token per row, {@code tokens (rows)} -> {@code out (rows, dim)} times {@code scale}, at inference,
     * on a caller-owned buffer: the kernel of {@link #forward(int[][], float)}, so the same bits, allocating nothing.
     */
    public void forwardInto(float[] out, int[] tokens, float scale) {
        int vocabSize = weight.dim(0);
        int dim = weight.dim(1);
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] < 0 || tokens[i] >= vocabSize) {
                throw new IllegalArgumentException("tokens[" + i + "]: expected a token id in [0, " + vocabSize
                        + ") but got " + tokens[i]);
            }
        }
        Shapes.requireBuffer("out", out, "(rows, dim)", tokens.length, dim);
        EmbeddingOp.lookupInto(out, 0, weight.data(), dim, tokens, scale);
    }

    /** The table, {@code (vocabSize, dim)}; live, so it can be tied to an output projection. */
    public Tensor weight() {
        return weight;
    }

    public int vocabSize() {
        return weight.dim(0);
    }

    @Override
    public void collectParameters(String prefix, Map<String, Tensor> into) {
        into.putIfAbsent(prefix + "weight", weight);
    }
}
