package dev.attention4j.generate;

import dev.attention4j.nn.Mode;
import dev.attention4j.nn.attention.Mask;
import dev.attention4j.nn.transformer.DecoderCache;
import dev.attention4j.nn.transformer.Seq2SeqTransformer;
import dev.attention4j.tensor.Tensor;

import java.util.Arrays;

/**
 * Greedy decoding: at each step every unfinished sequence takes its most likely next token. The source batch is
 * encoded once. {@link #decode} feeds one token per step to the decoder and keeps every layer's keys and values in a
 * {@link DecoderCache} (the memory's cross-attention keys and values are projected once), so a step costs O(prefix)
 * attention but O(1) projections and feed-forward. {@link #decodeRecomputing} reruns the decoder on the whole prefix at
 * every step (O(prefix) for everything): the reference the cached path is tested against.
 *
 * <p>Allocation on the cached hot path: the caches, the token array and the output buffers are preallocated; each
 * step still allocates its small activations ({@code (batchSize, 1, modelDim)} tensors, the attention scores of one
 * row per head, and the {@code (batchSize, tgtVocab)} logits), since the nn modules return new tensors. Finished
 * sequences keep being fed (their EOS) until every sequence is done or maxLen is reached.
 */
public final class GreedySearch {

    private GreedySearch() {
    }

    /**
     * Decodes a padded source batch.
     *
     * @param src        source ids {@code (batchSize, srcLen)}, padded with anything past each length
     * @param srcLengths real length of each source
     * @param bos        the id every target starts with
     * @param eos        the id that ends a target (not included in the result)
     * @param maxLen     the most tokens to generate per sequence
     * @return per sequence, the generated ids without BOS and EOS
     */
    public static int[][] decode(Seq2SeqTransformer model, int[][] src, int[] srcLengths, int bos, int eos, int maxLen) {
        requireArguments(src, srcLengths, maxLen);
        int batchSize = src.length;
        int srcLen = batchSize == 0 ? 0 : src[0].length;
        Mask srcPadding = Mask.keyLengths(srcLen, srcLengths);
        if (maxLen == 0 || batchSize == 0) {
            return new int[batchSize][0];
        }
        Tensor memory = model.encode(src, srcPadding, Mode.INFERENCE); // (batchSize, srcLen, modelDim), once
        // BOS and at most maxLen - 1 generated tokens are ever fed
        DecoderCache cache = model.startDecoding(memory, srcPadding, maxLen);
        int[][] generated = new int[batchSize][maxLen]; // (batchSize, maxLen)
        int[] length = new int[batchSize];
        boolean[] done = new boolean[batchSize];
        int[] last = new int[batchSize]; // (batchSize): the token fed at this step
        Arrays.fill(last, bos);
        for (int step = 0; step < maxLen; step++) {
            Tensor logits = model.decodeStep(last, cache); // (batchSize, tgtVocab)
            int vocab = logits.dim(1);
            boolean allDone = true;
            for (int b = 0; b < batchSize; b++) {
                if (done[b]) {
                    continue;
                }
                int next = argmax(logits.data(), b * vocab, vocab);
                last[b] = next;
                if (next == eos) {
                    done[b] = true;
                } else {
                    generated[b][length[b]++] = next;
                    allDone = false;
                }
            }
            if (allDone) {
                break;
            }
        }
        int[][] out = new int[batchSize][];
        for (int b = 0; b < batchSize; b++) {
            out[b] = Arrays.copyOf(generated[b], length[b]);
        }
        return out;
    }

    /**
     * {@link #decode} without a cache: the decoder reruns on the whole prefix at every step. The reference for the
     * cached path; same arguments and result.
     */
    static int[][] decodeRecomputing(Seq2SeqTransformer model, int[][] src, int[] srcLengths, int bos, int eos,
                                     int maxLen) {
        requireArguments(src, srcLengths, maxLen);
        int batchSize = src.length;
        int srcLen = batchSize == 0 ? 0 : src[0].length;
        Mask srcPadding = Mask.keyLengths(srcLen, srcLengths);
        Tensor memory = model.encode(src, srcPadding, Mode.INFERENCE); // (batchSize, srcLen, modelDim), once
        int[][] prefix = new int[batchSize][maxLen + 1];                // (batchSize, 1 + generated)
        int[] length = new int[batchSize];
        boolean[] done = new boolean[batchSize];
        for (int b = 0; b < batchSize; b++) {
            prefix[b][0] = bos;
        }
        for (int step = 0; step < maxLen; step++) {
            int[][] tgt = new int[batchSize][];
            for (int b = 0; b < batchSize; b++) {
                tgt[b] = Arrays.copyOf(prefix[b], step + 1);
            }
            Tensor logits = model.decode(tgt, memory, srcPadding, Mask.none(), Mode.INFERENCE); // (batch, step+1, vocab)
            int vocab = logits.dim(2);
            boolean allDone = true;
            for (int b = 0; b < batchSize; b++) {
                if (done[b]) {
                    continue;
                }
                int next = argmax(logits.data(), (b * (step + 1) + step) * vocab, vocab);
                if (next == eos) {
                    done[b] = true;
                } else {
                    prefix[b][step + 1] = next;
                    length[b]++;
                    allDone = false;
                }
            }
            if (allDone) {
                break;
            }
        }
        int[][] out = new int[batchSize][];
        for (int b = 0; b < batchSize; b++) {
            out[b] = Arrays.copyOfRange(prefix[b], 1, 1 + length[b]);
        }
        return out;
    }

    private static void requireArguments(int[][] src, int[] srcLengths, int maxLen) {
        if (srcLengths.length != src.length) {
            throw new IllegalArgumentException("srcLengths: expected " + src.length + " lengths (one per source) but got "
                    + srcLengths.length);
        }
        if (maxLen < 0) {
            throw new IllegalArgumentException("maxLen: expected >= 0 but got " + maxLen);
        }
    }

    /** The index of the largest value in {@code x[off .. off+n)}; the first on ties. */
    static int argmax(float[] x, int off, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (x[off + i] > x[off + best]) {
                best = i;
            }
        }
        return best;
    }
}
