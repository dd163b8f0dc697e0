package dev.attention4j.inspect;

import dev.attention4j.nn.attention.AttentionMap;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The keys each query attends to most: per query row, the {@code k} largest weights, largest first (ties: the lower
 * key first, so the answer is deterministic). Keys with weight 0 (masked) are never listed, so a row may list fewer
 * than {@code k}.
 */
public final class TopAttended {

    private TopAttended() {
    }

    /**
     * Per query of sequence {@code batch} in the {@code head}-th head held by {@code map} (head
     * {@code map.heads()[head]}), its top {@code k} keys.
     *
     * @return {@code tgtLen} lists of at most {@code k} keys
     */
    public static List<List<AttendedKey>> of(AttentionMap map, int batch, int head, int k) {
        Objects.checkIndex(batch, map.batchSize());
        Objects.checkIndex(head, map.heads().length);
        int tgtLen = map.tgtLen();
        int srcLen = map.srcLen();
        int base = (batch * map.heads().length + head) * tgtLen * srcLen;
        return rows(map.weights().data(), base, tgtLen, srcLen, k);
    }

    /** As {@link #of} on the mean of every head the map holds, e.g. to say what a layer as a whole looks at. */
    public static List<List<AttendedKey>> ofHeadAverage(AttentionMap map, int batch, int k) {
        Objects.checkIndex(batch, map.batchSize());
        int heads = map.heads().length;
        int tgtLen = map.tgtLen();
        int srcLen = map.srcLen();
        float[] w = map.weights().data();
        float[] mean = new float[tgtLen * srcLen]; // (tgtLen, srcLen)
        for (int h = 0; h < heads; h++) {
            int base = (batch * heads + h) * tgtLen * srcLen;
            for (int i = 0; i < mean.length; i++) {
                mean[i] += w[base + i] / heads;
            }
        }
        return rows(mean, 0, tgtLen, srcLen, k);
    }

    /**
     * The top {@code k} of each row of a {@code (rows, cols)} block of {@code weights} starting at {@code offset}
     * (e.g. a rollout matrix).
     */
    public static List<List<AttendedKey>> rows(float[] weights, int offset, int rows, int cols, int k) {
        if (k < 0) {
            throw new IllegalArgumentException("k: expected >= 0 but got " + k);
        }
        List<List<AttendedKey>> out = new ArrayList<>(rows);
        for (int i = 0; i < rows; i++) {
            out.add(top(weights, offset + i * cols, cols, k));
        }
        return List.copyOf(out);
    }

    private static List<AttendedKey> top(float[] w, int off, int n, int k) {
        List<AttendedKey> best = new ArrayList<>(Math.min(k, n) + 1);
        for (int j = 0; j < n; j++) {
            float v = w[off + j];
            if (!(v > 0)) {
                continue;
            }
            int at = best.size();
            while (at > 0 && best.get(at - 1).weight() < v) { // strictly: an equal weight keeps the lower key first
                at--;
            }
            if (at < k) {
                best.add(at, new AttendedKey(j, v));
                if (best.size() > k) {
                    best.remove(best.size() - 1);
                }
            }
        }
        return List.copyOf(best);
    }
}
