package dev.attention4j.generate;

import dev.attention4j.nn.Mode;
import dev.attention4j.nn.attention.Mask;
import dev.attention4j.nn.transformer.Seq2SeqTransformer;
import dev.attention4j.tensor.Tensor;

import java.util.Arrays;

/**
 * Greedy decoding: at each step every unfinished sequence takes its most likely next token. The source batch is
 * encoded once; the decoder reruns on the growing prefix (no KV cache yet), so a step costs O(prefix).
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
        int batchSize = src.length;
        if (srcLengths.length != batchSize) {
            throw new IllegalArgumentException("srcLengths: expected " + batchSize + " lengths (one per source) but got "
                    + srcLengths.length);
        }
        if (maxLen < 0) {
            throw new IllegalArgumentException("maxLen: expected >= 0 but got " + maxLen);
        }
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
