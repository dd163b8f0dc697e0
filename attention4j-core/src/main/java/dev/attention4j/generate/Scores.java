package dev.attention4j.generate;

/**
 * The operations on one row of next-token scores {@code x[0 .. n)} that the strategies share, as Hugging Face's logits
 * processors and warpers define them. Everything works in place on caller-owned buffers and allocates nothing.
 * Removed tokens get {@code -Infinity}.
 */
final class Scores {

    private Scores() {
    }

    /**
     * HF's repetition penalty: every distinct token of {@code history[0 .. length)} has its score divided by
     * {@code penalty} when positive and multiplied by it when negative (each token once, however often it occurs).
     *
     * @param stamps a {@code (n)} scratch array; entries equal to {@code stamp} mark tokens already penalised
     * @param stamp  a value never used before with this {@code stamps} array
     */
    static void penalizeRepetitions(float[] x, int[] history, int length, double penalty, int[] stamps, int stamp) {
        if (penalty == 1.0) {
            return;
        }
        float p = (float) penalty;
        for (int i = 0; i < length; i++) {
            int t = history[i];
            if (t >= 0 && t < x.length && stamps[t] != stamp) {
                stamps[t] = stamp;
                x[t] = x[t] < 0 ? x[t] * p : x[t] / p;
            }
        }
    }

    /** The index of the largest of {@code x[off .. off+n)}; the first on ties. */
    static int argmax(float[] x, int off, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (x[off + i] > x[off + best]) {
                best = i;
            }
        }
        return best;
    }

    /** {@code log(sum(exp(x[0 .. n))))} in double; {@code -Infinity} when every score is {@code -Infinity}. */
    static double logSumExp(float[] x, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, x[i]);
        }
        if (max == Double.NEGATIVE_INFINITY) {
            return max;
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Math.exp(x[i] - max);
        }
        return max + Math.log(sum);
    }

    /** Replaces {@code x[0 .. n)} by its log-softmax, {@code x - logSumExp(x)}. */
    static void logSoftmax(float[] x, int n) {
        double lse = logSumExp(x, n);
        for (int i = 0; i < n; i++) {
            x[i] = (float) (x[i] - lse);
        }
    }

    /** HF's temperature warper: {@code x / temperature}. */
    static void divide(float[] x, int n, double temperature) {
        if (temperature == 1.0) {
            return;
        }
        float t = (float) temperature;
        for (int i = 0; i < n; i++) {
            x[i] /= t;
        }
    }

    /**
     * HF's top-k warper: removes every score below the {@code k}-th largest (ties with it are kept). {@code k = 0} or
     * {@code k >= n} keeps everything. The order stays valid for {@link #keepTopP}: the removed scores were the lowest.
     *
     * @param order {@code x}'s indices from {@link #sortAscending}
     */
    static void keepTopK(float[] x, int n, int k, long[] order) {
        if (k == 0 || k >= n) {
            return;
        }
        float kth = x[indexOf(order[n - k])];
        for (int i = 0; i < n; i++) {
            if (x[i] < kth) {
                x[i] = Float.NEGATIVE_INFINITY;
            }
        }
    }

    /**
     * HF's top-p (nucleus) warper: sorts the scores ascending, accumulates their softmax probabilities and removes
     * every token whose running sum is {@code <= 1 - p}; the most likely token is always kept. {@code p = 1} keeps
     * everything.
     *
     * @param order {@code x}'s indices from {@link #sortAscending} (possibly followed by {@link #keepTopK})
     */
    static void keepTopP(float[] x, int n, double p, long[] order) {
        if (p >= 1.0) {
            return;
        }
        double lse = logSumExp(x, n);
        double cumulative = 0;
        for (int rank = 0; rank < n - 1; rank++) { // the last (most likely) token is always kept
            int i = indexOf(order[rank]);
            cumulative += Math.exp(x[i] - lse);
            if (cumulative > 1 - p) {
                break;
            }
            x[i] = Float.NEGATIVE_INFINITY;
        }
    }

    /**
     * Draws an index from the softmax of {@code x[0 .. n)} with {@code u} uniform in {@code [0, 1)}: the first index
     * whose running probability exceeds {@code u}. Tokens at {@code -Infinity} are never drawn.
     */
    static int draw(float[] x, int n, double u) {
        double lse = logSumExp(x, n);
        double cumulative = 0;
        int last = -1;
        for (int i = 0; i < n; i++) {
            if (x[i] == Float.NEGATIVE_INFINITY) {
                continue;
            }
            cumulative += Math.exp(x[i] - lse);
            last = i;
            if (cumulative > u) {
                return i;
            }
        }
        return last; // rounding left the total a hair below u: the last possible token
    }

    /**
     * Fills {@code order[0 .. n)} with the indices of {@code x} sorted by ascending score, ties by ascending index,
     * each packed as {@code (sortableScore << 32) | index} (read with {@link #indexOf}); heap sort, in place.
     */
    static void sortAscending(float[] x, int n, long[] order) {
        for (int i = 0; i < n; i++) {
            order[i] = ((long) sortable(x[i]) << 32) | i;
        }
        for (int i = n / 2 - 1; i >= 0; i--) {
            siftDown(order, i, n);
        }
        for (int end = n - 1; end > 0; end--) {
            long t = order[0];
            order[0] = order[end];
            order[end] = t;
            siftDown(order, 0, end);
        }
    }

    static int indexOf(long packed) {
        return (int) packed;
    }

    /** An int whose signed order is the float's numeric order ({@code -0.0 < 0.0}; NaN is not expected). */
    private static int sortable(float v) {
        int bits = Float.floatToRawIntBits(v);
        return bits ^ ((bits >> 31) & 0x7fffffff);
    }

    private static void siftDown(long[] heap, int i, int n) {
        while (true) {
            int child = 2 * i + 1;
            if (child >= n) {
                return;
            }
            if (child + 1 < n && heap[child + 1] > heap[child]) {
                child++;
            }
            if (heap[i] >= heap[child]) {
                return;
            }
            long t = heap[i];
            heap[i] = heap[child];
            heap[child] = t;
            i = child;
        }
    }
}
