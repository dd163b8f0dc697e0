package dev.attention4j.nn.attention;

/**
 * Receives attention weights while a model runs: passed explicitly to a forward or decoding call (modules never keep
 * a "last attention" field), it is asked at each attention call which heads it wants, and is then given their
 * weights as an {@link AttentionMap}. {@link #NONE} wants nothing and costs nothing: the modules then run exactly
 * their unobserved code.
 *
 * <p>This hook lives in {@code nn.attention}, beside the module that calls it, because {@code nn} may not import
 * {@code inspect}; the recorders and measures built on it live in {@code dev.attention4j.inspect}.
 *
 * <p>An observer is called on the thread running the model, in model order (layers in order, and within a decoder
 * layer its self-attention before its cross-attention). It must not keep the {@code weights} tensor's array past the
 * call if it intends to change it; the array is its own (a fresh copy).
 */
public interface AttentionObserver {

    /** Observes nothing. */
    AttentionObserver NONE = new AttentionObserver() {
        @Override
        public int[] heads(AttentionSite site, int numHeads) {
            return NO_HEADS;
        }

        @Override
        public void observe(AttentionMap map) {
        }

        @Override
        public String toString() {
            return "AttentionObserver.NONE";
        }
    };

    /** The empty selection: skip this site. */
    int[] NO_HEADS = new int[0];

    /**
     * Which heads' weights to compute at {@code site}: ascending indices in {@code [0, numHeads)}, or an empty array
     * to skip the site. Every head by default.
     */
    default int[] heads(AttentionSite site, int numHeads) {
        return allHeads(numHeads);
    }

    /** The weights of the heads {@link #heads} returned at {@code map.site()}. */
    void observe(AttentionMap map);

    /** {@code [0, 1, ..., numHeads - 1]}. */
    static int[] allHeads(int numHeads) {
        int[] all = new int[numHeads];
        for (int h = 0; h < numHeads; h++) {
            all[h] = h;
        }
        return all;
    }
}
