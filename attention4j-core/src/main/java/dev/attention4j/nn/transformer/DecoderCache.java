package dev.attention4j.nn.transformer;

import dev.attention4j.nn.attention.KeyValueCache;
import dev.attention4j.nn.attention.Mask;
import dev.attention4j.tensor.Tensor;

import java.util.Arrays;

/**
 * The state of incremental decoding: per layer, a growing self-attention {@link KeyValueCache}, and — for a
 * {@link Decoder} with cross-attention — the memory's cross-attention keys and values (projected once per source, see
 * {@link CrossAttentionCaching}) and the memory's mask. Built by {@link Decoder#startCache} (or
 * {@link Seq2SeqTransformer#startDecoding}, {@link DecoderOnlyTransformer#startDecoding}); advanced by the
 * {@code forwardCached} / {@code decodeCached} methods, or one token per sequence at a time by {@code decodeStep},
 * whose buffers (the activations of one token per sequence and the logits) the cache makes at the first step and
 * keeps, so that later steps allocate nothing. Every layer's self cache always holds the same number of tokens, the
 * {@link #position()}.
 */
public final class DecoderCache {

    private final KeyValueCache[] selfCaches;   // per layer: (batchSize, capacity, modelDim) keys and values
    private final KeyValueCache[] memoryCaches; // per layer: (batchSize, srcLen, modelDim); null when not kept
    private Tensor memory;                      // (batchSize, srcLen, modelDim), or null without cross-attention
    private Mask memoryMask;
    private StepWorkspace stepWorkspace;        // the buffers of one-token steps, made by the first

    private DecoderCache(KeyValueCache[] selfCaches, KeyValueCache[] memoryCaches, Tensor memory, Mask memoryMask) {
        this.selfCaches = selfCaches.clone();
        this.memoryCaches = memoryCaches == null ? null : memoryCaches.clone();
        this.memory = memory;
        this.memoryMask = memoryMask;
    }

    /** A cache with cross-attention: the memory's keys and values per layer, or null to project them every step. */
    static DecoderCache withMemory(KeyValueCache[] selfCaches, KeyValueCache[] memoryCaches, Tensor memory,
                                   Mask memoryMask) {
        return new DecoderCache(selfCaches, memoryCaches, memory, memoryMask);
    }

    /** A cache of self-attention only (a decoder-only stack). */
    static DecoderCache selfAttentionOnly(KeyValueCache[] selfCaches) {
        return new DecoderCache(selfCaches, null, null, Mask.none());
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

    /** Whether the memory's cross-attention keys and values are kept ({@link CrossAttentionCaching#PROJECT_ONCE}). */
    public boolean keepsMemoryKeysValues() {
        return memoryCaches != null;
    }

    /**
     * Layer {@code layer}'s cross-attention keys and values of the memory.
     *
     * @throws IllegalStateException when they are not kept (see {@link #keepsMemoryKeysValues()})
     */
    public KeyValueCache memoryKeysValues(int layer) {
        if (memoryCaches == null) {
            throw new IllegalStateException("this cache keeps no memory keys and values ("
                    + (memory == null ? "no cross-attention" : "projected every step") + ")");
        }
        return memoryCaches[layer];
    }

    /** The encoder's output, {@code (batchSize, srcLen, modelDim)}; null for a decoder-only stack. */
    public Tensor memory() {
        return memory;
    }

    /** The cross-attention mask (usually the source key padding). */
    public Mask memoryMask() {
        return memoryMask;
    }

    /**
     * The buffers of one-token steps for a model of these sizes: made at the first step, then the same every step
     * (made again only if a model of other sizes uses this cache).
     */
    StepWorkspace stepWorkspace(int numHeads, int modelDim, int ffnDim, int vocabSize) {
        int maxKeys = Math.max(capacity(), memory == null ? 0 : memory.dim(1));
        if (stepWorkspace == null
                || !stepWorkspace.fits(batchSize(), numHeads, modelDim, ffnDim, vocabSize, maxKeys)) {
            stepWorkspace = new StepWorkspace(batchSize(), numHeads, modelDim, ffnDim, vocabSize, maxKeys);
        }
        return stepWorkspace;
    }

    /**
     * Bytes of the self caches in use: {@code 2 * numLayers * batchSize * position * modelDim * 4}. The memory's
     * keys and values ({@link #memoryBytes()}) are fixed per source.
     */
    public long bytes() {
        return Arrays.stream(selfCaches).mapToLong(KeyValueCache::bytes).sum();
    }

    /**
     * Bytes of the memory's cross-attention keys and values: {@code 2 * numLayers * batchSize * srcLen * modelDim *
     * 4}, or 0 when they are not kept.
     */
    public long memoryBytes() {
        return memoryCaches == null ? 0 : Arrays.stream(memoryCaches).mapToLong(KeyValueCache::bytes).sum();
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
     * Reorders the sequences: afterwards sequence {@code b} holds what sequence {@code batchIndices[b]} held, in every
     * layer's caches, the memory and its mask ({@link Mask#none()} or key padding; other masks are not reordered and
     * are rejected).
     */
    public void reorder(int[] batchIndices) {
        if (!(memoryMask instanceof Mask.None || memoryMask instanceof Mask.KeyPadding)) {
            throw new UnsupportedOperationException("reorder: the memory mask " + memoryMask.getClass().getSimpleName()
                    + " cannot be reordered (only none or key padding)");
        }
        reorderSelfCaches(batchIndices);
        if (memoryCaches != null) {
            for (KeyValueCache c : memoryCaches) {
                c.reorder(batchIndices);
            }
        }
        if (memory != null) {
            memory = reorderRows(memory, batchIndices);
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

    /**
     * Reorders the sequences within consecutive groups of {@code groupSize} that share one source (the beams of beam
     * search): afterwards sequence {@code b} holds what sequence {@code batchIndices[b]} held, which must lie in the
     * same group. Only the self caches move: the memory, its keys and values and its mask are the same within a
     * group, so the cross-attention cache is never copied.
     */
    public void reorderWithinGroups(int[] batchIndices, int groupSize) {
        if (groupSize < 1 || batchSize() % groupSize != 0) {
            throw new IllegalArgumentException("groupSize: expected a divisor of batchSize = " + batchSize()
                    + " but got " + groupSize);
        }
        for (int b = 0; b < batchIndices.length && b < batchSize(); b++) {
            if (batchIndices[b] / groupSize != b / groupSize) {
                throw new IllegalArgumentException("batchIndices[" + b + "]: expected an index in the same group ["
                        + b / groupSize * groupSize + ", " + (b / groupSize + 1) * groupSize + ") but got "
                        + batchIndices[b]);
            }
        }
        reorderSelfCaches(batchIndices);
    }

    private void reorderSelfCaches(int[] batchIndices) {
        for (KeyValueCache c : selfCaches) {
            c.reorder(batchIndices); // the first call checks the indices before anything changes
        }
    }

    /** {@code x (batchSize, ...)} with its rows taken in the order of {@code batchIndices}. */
    private static Tensor reorderRows(Tensor x, int[] batchIndices) {
        int row = x.size() / x.dim(0);
        Tensor out = Tensor.zeros(x.shape());
        for (int b = 0; b < batchIndices.length; b++) {
            System.arraycopy(x.data(), batchIndices[b] * row, out.data(), b * row, row);
        }
        return out;
    }
}
