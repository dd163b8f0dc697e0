package dev.attention4j.nn.transformer;

import dev.attention4j.nn.attention.KeyValueCache;
import dev.attention4j.nn.attention.Mask;

import java.util.Arrays;

/**
 * The state of incremental decoding for a {@link Decoder}: per layer, a growing self-attention
 * {@link KeyValueCache} and the cross-attention keys and values of the memory (computed once per source), and the
 * memory's mask. Built by {@link Decoder#startCache} (or {@link Seq2SeqTransformer#startDecoding}); advanced by
 * {@link Decoder#forwardCached}. Every layer's self cache always holds the same number of tokens, the
 * {@link #position()}.
 */
public final class DecoderCache {

    private final KeyValueCache[] selfCaches;   // per layer: (batchSize, capacity, modelDim) keys and values
    private final KeyValueCache[] memoryCaches; // per layer: (batchSize, srcLen, modelDim) keys and values
    private Mask memoryMask;

    DecoderCache(KeyValueCache[] selfCaches, KeyValueCache[] memoryCaches, Mask memoryMask) {
        this.selfCaches = selfCaches.clone();
        this.memoryCaches = memoryCaches.clone();
        this.memoryMask = memoryMask;
    }

    public int numLayers() {
        return selfCaches.length;
    }

    public int batchSize() {
        return selfCaches[0].batchSize();
    }

    /** The most target tokens the self caches hold. */
    public int capacity() {
        return selfCaches[0].capacity();
    }

    /** Target tokens fed so far: the position of the next one. */
    public int position() {
        return selfCaches[0].length();
    }

    /** Layer {@code layer}'s self-attention keys and values. */
    public KeyValueCache selfCache(int layer) {
        return selfCaches[layer];
    }

    /** Layer {@code layer}'s cross-attention keys and values of the memory. */
    public KeyValueCache memoryKeysValues(int layer) {
        return memoryCaches[layer];
    }

    /** The cross-attention mask (usually the source key padding). */
    public Mask memoryMask() {
        return memoryMask;
    }

    /**
     * Bytes of the self caches in use: {@code 2 * numLayers * batchSize * position * modelDim * 4}. The memory's
     * keys and values ({@link #memoryBytes()}) are fixed per source.
     */
    public long bytes() {
        return Arrays.stream(selfCaches).mapToLong(KeyValueCache::bytes).sum();
    }

    /** Bytes of the memory's cross-attention keys and values: {@code 2 * numLayers * batchSize * srcLen * modelDim * 4}. */
    public long memoryBytes() {
        return Arrays.stream(memoryCaches).mapToLong(KeyValueCache::bytes).sum();
    }

    /**
     * Checks that {@code newLen} more tokens fit in every layer.
     *
     * @throws IllegalStateException naming the capacity and the position when they do not
     */
    public void requireRoom(int newLen) {
        selfCaches[0].requireRoom(newLen);
    }

    /**
     * Reorders the sequences (beam search): afterwards sequence {@code b} holds what sequence {@code batchIndices[b]}
     * held, in every layer's caches and in the memory mask ({@link Mask#none()} or key padding; other masks are not
     * reordered and are rejected).
     */
    public void reorder(int[] batchIndices) {
        if (!(memoryMask instanceof Mask.None || memoryMask instanceof Mask.KeyPadding)) {
            throw new UnsupportedOperationException("reorder: the memory mask " + memoryMask.getClass().getSimpleName()
                    + " cannot be reordered (only none or key padding)");
        }
        for (KeyValueCache c : selfCaches) {
            c.reorder(batchIndices); // the first call checks the indices before anything changes
        }
        for (KeyValueCache c : memoryCaches) {
            c.reorder(batchIndices);
        }
        if (memoryMask instanceof Mask.KeyPadding kp) {
            boolean[][] keep = kp.keep();
            boolean[][] reordered = new boolean[keep.length][];
            for (int b = 0; b < keep.length; b++) {
                reordered[b] = keep[batchIndices[b]];
            }
            memoryMask = Mask.keyPadding(reordered);
        }
    }
}
