package dev.attention4j.nn;

import dev.attention4j.tensor.Tensor;

import java.util.Map;
import java.util.random.RandomGenerator;

/** A lookup table of token vectors, {@code nn.Embedding(vocabSize, dim)}: parameter {@code weight}, init N(0, 1). */
public final class Embedding implements Module {

    private final Tensor weight;

    public Embedding(int vocabSize, int dim, RandomGenerator random) {
        if (vocabSize <= 0 || dim <= 0) {
            throw new IllegalArgumentException("Embedding: expected vocabSize > 0 and dim > 0 but got " + vocabSize
                    + " and " + dim);
        }
        this.weight = Init.normal(random, 1f, vocabSize, dim);
    }

    /**
     * Looks up {@code tokens (batchSize, seqLen)} (rectangular) and returns {@code (batchSize, seqLen, dim)} times
     * {@code scale} ({@code sqrt(modelDim)} in the Transformer, 1 for plain lookups).
     */
    public Tensor forward(int[][] tokens, float scale) {
        int vocabSize = weight.dim(0);
        int dim = weight.dim(1);
        int batchSize = tokens.length;
        int seqLen = batchSize == 0 ? 0 : tokens[0].length;
        Tensor out = Tensor.zeros(batchSize, seqLen, dim);
        float[] o = out.data();
        float[] w = weight.data();
        for (int b = 0; b < batchSize; b++) {
            if (tokens[b].length != seqLen) {
                throw new IllegalArgumentException("tokens: expected every sequence to have length " + seqLen
                        + " (pad them and pass a padding mask) but sequence " + b + " has " + tokens[b].length);
            }
            for (int t = 0; t < seqLen; t++) {
                int id = tokens[b][t];
                if (id < 0 || id >= vocabSize) {
                    throw new IllegalArgumentException("tokens[" + b + "][" + t + "]: expected a token id in [0, "
                            + vocabSize + ") but got " + id);
                }
                int dst = (b * seqLen + t) * dim;
                for (int d = 0; d < dim; d++) {
                    o[dst + d] = w[id * dim + d] * scale;
                }
            }
        }
        return out;
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
