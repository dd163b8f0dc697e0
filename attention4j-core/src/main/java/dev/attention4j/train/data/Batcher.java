package dev.attention4j.train.data;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.RandomAccess;
import java.util.SplittableRandom;

/**
 * Length-bucketed batches, a new deterministic order every epoch.
 *
 * <p>For epoch {@code e}, with one random generator seeded from {@code (seed, e)}:
 * <ol>
 * <li>shuffle the examples;
 * <li>cut the shuffled list into chunks of {@link #CHUNK_BATCHES} {@code * batchSize} examples and sort each chunk
 *     by {@code (srcLen, tgtLen)} (stable, so equal lengths keep their shuffled order);
 * <li>walk each sorted chunk, closing a batch before it would exceed the {@link BatchLimits} (sentences or padded
 *     tokens); batches never span two chunks;
 * <li>shuffle the order of all the epoch's batches.
 * </ol>
 * Sorting within chunks keeps padding low; the chunks and the final shuffle keep the order random. Same examples,
 * limits, seed and epoch: same batches.
 *
 * <p>The epoch's random generator is {@code new SplittableRandom(seed + e * 0x9E3779B97F4A7C15L)}: a golden-ratio
 * stride instead of {@code seed + e}, so that run {@code seed + 1} does not replay run {@code seed}'s epochs shifted by
 * one.
 */
public final class Batcher {

    /** Chunk size, in batches of {@code batchSize} sentences, within which examples are sorted by length. */
    public static final int CHUNK_BATCHES = 100;

    private static final long EPOCH_STRIDE = 0x9E3779B97F4A7C15L;

    private final List<EncodedExample> examples;
    private final BatchLimits limits;
    private final long seed;

    /**
     * @throws IllegalArgumentException if an example alone exceeds {@code limits.maxTokens()} (filter long examples
     *                                  out first)
     */
    public Batcher(List<EncodedExample> examples, BatchLimits limits, long seed) {
        this.examples = List.copyOf(examples);
        this.limits = limits;
        this.seed = seed;
        for (int i = 0; i < this.examples.size(); i++) {
            int padded = paddedLength(this.examples.get(i));
            if (padded > limits.maxTokens()) {
                throw new IllegalArgumentException("examples[" + i + "]: needs " + padded + " padded tokens alone "
                        + "(max of srcLen and tgtLen + 1) but maxTokens = " + limits.maxTokens()
                        + "; filter out examples that long");
            }
        }
    }

    public int size() {
        return examples.size();
    }

    public BatchLimits limits() {
        return limits;
    }

    /**
     * The batches of epoch {@code epoch} (0, 1, ...), each example in exactly one. The list is built lazily: its
     * batches are padded when read.
     */
    public List<Batch> epoch(int epoch) {
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch: expected epoch >= 0 but got " + epoch);
        }
        SplittableRandom random = new SplittableRandom(seed + epoch * EPOCH_STRIDE);
        int n = examples.size();
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        shuffle(order, random);
        Comparator<Integer> byLengths = Comparator.<Integer>comparingInt(i -> examples.get(i).src().length)
                .thenComparingInt(i -> examples.get(i).tgt().length);
        int chunk = (int) Math.min(n, (long) CHUNK_BATCHES * limits.batchSize());
        List<int[]> plans = new ArrayList<>();
        for (int from = 0; from < n; from += chunk) {
            int to = Math.min(n, from + chunk);
            Arrays.sort(order, from, to, byLengths);
            cut(order, from, to, plans);
        }
        int[][] batches = plans.toArray(new int[0][]);
        shuffle(batches, random);
        return new Epoch(batches);
    }

    /** Appends the batches of {@code order[from, to)}, each closed before it would break a limit. */
    private void cut(Integer[] order, int from, int to, List<int[]> plans) {
        int start = from;
        int longest = 0;
        for (int i = from; i < to; i++) {
            int length = Math.max(longest, paddedLength(examples.get(order[i])));
            int count = i - start + 1;
            if (count > limits.batchSize() || (long) count * length > limits.maxTokens()) {
                plans.add(indices(order, start, i));
                start = i;
                length = paddedLength(examples.get(order[i]));
            }
            longest = length;
        }
        if (start < to) {
            plans.add(indices(order, start, to));
        }
    }

    private static int paddedLength(EncodedExample e) {
        return Math.max(e.src().length, e.tgt().length + 1);
    }

    private static int[] indices(Integer[] order, int from, int to) {
        int[] out = new int[to - from];
        for (int i = from; i < to; i++) {
            out[i - from] = order[i];
        }
        return out;
    }

    private static <T> void shuffle(T[] a, SplittableRandom random) { // Fisher-Yates
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            T t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    /** One epoch's batches, padded on demand from the example indices of each. */
    private final class Epoch extends AbstractList<Batch> implements RandomAccess {

        private final int[][] batches; // batch -> example indices

        Epoch(int[][] batches) {
            this.batches = batches;
        }

        @Override
        public Batch get(int index) {
            int[] members = batches[index];
            List<EncodedExample> chosen = new ArrayList<>(members.length);
            for (int i : members) {
                chosen.add(examples.get(i));
            }
            return Batch.of(chosen);
        }

        @Override
        public int size() {
            return batches.length;
        }
    }
}
