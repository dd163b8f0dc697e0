package dev.attention4j.generate;

import dev.attention4j.nn.transformer.DecoderCache;
import dev.attention4j.tensor.Tensor;

import java.util.Arrays;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A model seen one step at a time by the search strategies: feed each row's new tokens, get the scores of each row's
 * next token. Rows are {@code (source, beam)} pairs, {@code rows = sources * beamsPerSource}. Two implementations:
 * {@link Cached} (a {@link DecoderCache} per run) and {@link Recomputing} (the whole prefix at every step: the
 * reference, and the "no cache" side of the benchmark).
 */
sealed interface StepDecoder {

    int rows();

    int vocabSize();

    /**
     * Feeds {@code tokens (rows, newLen)} after everything fed so far.
     *
     * @return the next-token logits of every row, {@code (rows, vocabSize)} row-major; valid until the next call
     */
    float[] feed(int[][] tokens);

    /**
     * Afterwards row {@code r} holds what row {@code rowIndices[r]} held; an index stays within its group of
     * {@code groupSize} rows (the beams of one source).
     */
    void reorderWithinGroups(int[] rowIndices, int groupSize);

    /** The logits of the last new position of {@code logits (rows, newLen, vocab)}. */
    private static float[] lastPosition(Tensor logits, float[] buffer) {
        int rows = logits.dim(0);
        int newLen = logits.dim(1);
        int vocab = logits.dim(2);
        if (newLen == 1) {
            return logits.data(); // already (rows, vocab)
        }
        for (int r = 0; r < rows; r++) {
            System.arraycopy(logits.data(), (r * newLen + newLen - 1) * vocab, buffer, r * vocab, vocab);
        }
        return buffer;
    }

    /** A model's one-token decoding step: {@code lastTokens (rows)} -> a view of the logits {@code (rows, vocab)}. */
    @FunctionalInterface
    interface OneTokenStep {
        float[] decodeStep(int[] lastTokens, DecoderCache cache);
    }

    /**
     * Incremental decoding on a cache: a step feeds only the new tokens. One token per row (every step after the
     * prompt) goes through the model's allocation-free {@code decodeStep}; several (the prompt) through its
     * {@code decodeCached}.
     */
    final class Cached implements StepDecoder {
        private final DecoderCache cache;
        private final BiFunction<int[][], DecoderCache, Tensor> decodeCached; // (rows, newLen) -> (rows, newLen, vocab)
        private final OneTokenStep decodeStep;                                 // (rows) -> (rows, vocab)
        private final int vocabSize;
        private final int[] lastTokens;   // (rows): the tokens of a one-token step
        private final float[] lastLogits; // (rows, vocabSize)

        Cached(DecoderCache cache, BiFunction<int[][], DecoderCache, Tensor> decodeCached, OneTokenStep decodeStep,
               int vocabSize) {
            this.cache = cache;
            this.decodeCached = decodeCached;
            this.decodeStep = decodeStep;
            this.vocabSize = vocabSize;
            this.lastTokens = new int[cache.batchSize()];
            this.lastLogits = new float[cache.batchSize() * vocabSize];
        }

        @Override
        public int rows() {
            return cache.batchSize();
        }

        @Override
        public int vocabSize() {
            return vocabSize;
        }

        @Override
        public float[] feed(int[][] tokens) {
            if (tokens.length != lastTokens.length || tokens.length == 0 || tokens[0].length != 1) {
                return lastPosition(decodeCached.apply(tokens, cache), lastLogits);
            }
            for (int r = 0; r < tokens.length; r++) {
                if (tokens[r].length != 1) {
                    throw new IllegalArgumentException("tokens: expected every row to have 1 token but row " + r
                            + " has " + tokens[r].length);
                }
                lastTokens[r] = tokens[r][0];
            }
            return decodeStep.decodeStep(lastTokens, cache); // (rows, vocab), a view valid until the next step
        }

        @Override
        public void reorderWithinGroups(int[] rowIndices, int groupSize) {
            cache.reorderWithinGroups(rowIndices, groupSize);
        }
    }

    /** No cache: every step reruns the model on each row's whole prefix. */
    final class Recomputing implements StepDecoder {
        private final Function<int[][], Tensor> forward; // prefixes (rows, len) -> (rows, len, vocab)
        private final int vocabSize;
        private int[][] prefixes; // (rows, capacity)
        private int[][] spare;    // (rows, capacity), for reordering
        private int length;
        private final float[] lastLogits;

        Recomputing(int rows, int capacity, Function<int[][], Tensor> forward, int vocabSize) {
            this.forward = forward;
            this.vocabSize = vocabSize;
            this.prefixes = new int[rows][capacity];
            this.spare = new int[rows][capacity];
            this.lastLogits = new float[rows * vocabSize];
        }

        @Override
        public int rows() {
            return prefixes.length;
        }

        @Override
        public int vocabSize() {
            return vocabSize;
        }

        @Override
        public float[] feed(int[][] tokens) {
            int newLen = tokens.length == 0 ? 0 : tokens[0].length;
            if (length + newLen > (prefixes.length == 0 ? 0 : prefixes[0].length)) {
                throw new IllegalStateException("prefix capacity exceeded: position " + length + ", cannot feed "
                        + newLen + " more");
            }
            int[][] whole = new int[prefixes.length][];
            for (int r = 0; r < prefixes.length; r++) {
                System.arraycopy(tokens[r], 0, prefixes[r], length, newLen);
                whole[r] = Arrays.copyOf(prefixes[r], length + newLen);
            }
            length += newLen;
            Tensor logits = forward.apply(whole); // (rows, length, vocab)
            for (int r = 0; r < prefixes.length; r++) {
                System.arraycopy(logits.data(), (r * length + length - 1) * vocabSize, lastLogits, r * vocabSize,
                        vocabSize);
            }
            return lastLogits;
        }

        @Override
        public void reorderWithinGroups(int[] rowIndices, int groupSize) {
            for (int r = 0; r < prefixes.length; r++) {
                System.arraycopy(prefixes[rowIndices[r]], 0, spare[r], 0, length);
            }
            int[][] t = prefixes;
            prefixes = spare;
            spare = t;
        }
    }
}
