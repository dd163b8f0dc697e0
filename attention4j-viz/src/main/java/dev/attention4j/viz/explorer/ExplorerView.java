package dev.attention4j.viz.explorer;

import java.util.List;
import java.util.Objects;

/**
 * One attention map of an {@link ExplorerDocument}: every layer's and head's weights between query tokens (rows) and
 * key tokens (columns), with the normalised entropy of each head.
 *
 * <p>Weights are stored quantised to one byte on a square-root scale ({@code q = round(255 * sqrt(w))}, read back as
 * {@code (q / 255)^2}): a weight {@code w} comes back within {@code sqrt(w) / 255} (plus 4e-6), so small weights keep
 * their resolution (0.002, a uniform row over 512 keys, within 1.8e-4) and none moves by more than 1/255. The entropy is computed from the exact weights before quantisation. Instances are
 * immutable.
 */
public abstract sealed class ExplorerView permits SelfAttentionView, CrossAttentionView {

    /** Largest number of query or key tokens a view accepts. */
    public static final int MAX_TOKENS = 4_096;

    private final String title;
    private final List<String> queryTokens;
    private final List<String> keyTokens;
    private final int numLayers;
    private final int numHeads;
    private final byte[] weights;        // (numLayers, numHeads, queryLen, keyLen), sqrt-quantised
    private final float[][] entropy;     // (numLayers, numHeads), normalised to [0, 1]

    ExplorerView(String title, String queryName, List<String> queryTokens, String keyName, List<String> keyTokens,
                 float[][][] weights, float[][] entropy) {
        this.title = Objects.requireNonNull(title, "title");
        this.queryTokens = tokens(queryName, queryTokens);
        this.keyTokens = tokens(keyName, keyTokens);
        Objects.requireNonNull(weights, "weights");
        int queryLen = this.queryTokens.size();
        int keyLen = this.keyTokens.size();
        if (weights.length == 0) {
            throw new IllegalArgumentException("weights must hold at least one layer, got 0 layers");
        }
        this.numLayers = weights.length;
        this.numHeads = checkLayers(weights, queryName, queryLen, keyName, keyLen);
        this.weights = Quantized.encode(weights, queryLen, keyLen);
        this.entropy = entropy == null
                ? NormalizedEntropy.perHead(weights, queryLen, keyLen)
                : checkedEntropy(entropy, numLayers, numHeads);
    }

    /** The title shown in the explorer's view selector. */
    public String title() {
        return title;
    }

    /** The row labels: the tokens of a self-attention view, the target tokens of a cross-attention view. */
    public List<String> queryTokens() {
        return queryTokens;
    }

    /** The column labels: the tokens of a self-attention view, the source tokens of a cross-attention view. */
    public List<String> keyTokens() {
        return keyTokens;
    }

    public int numLayers() {
        return numLayers;
    }

    public int numHeads() {
        return numHeads;
    }

    /** The stored (quantised) weight of query {@code row} on key {@code col} in one layer and head. */
    public float weight(int layer, int head, int row, int col) {
        Objects.checkIndex(layer, numLayers);
        Objects.checkIndex(head, numHeads);
        Objects.checkIndex(row, queryTokens.size());
        Objects.checkIndex(col, keyTokens.size());
        long index = (((long) layer * numHeads + head) * queryTokens.size() + row) * keyTokens.size() + col;
        return Quantized.decode(weights[Math.toIntExact(index)]);
    }

    /**
     * The normalised entropy of one head, in [0, 1]: as given to the factory, or else the mean over query rows of
     * {@code H(row) / ln(k)}, where {@code H} is the Shannon entropy in nats and {@code k} the number of keys with a
     * non-zero weight in that row (the keys the mask allowed). A row with one allowed key scores 0 (fully focused), a
     * uniform row 1; rows with no non-zero weight (fully masked queries) are left out of the mean, and a head with
     * only such rows scores NaN.
     */
    public float entropy(int layer, int head) {
        return entropy[Objects.checkIndex(layer, numLayers)][Objects.checkIndex(head, numHeads)];
    }

    /** {@code "self"} or {@code "cross"}, as the page's data says. */
    abstract String kind();

    /** The quantised weights, {@code (numLayers, numHeads, queryLen, keyLen)}; not copied, never modified. */
    byte[] quantizedWeights() {
        return weights;
    }

    private static List<String> tokens(String name, List<String> tokens) {
        Objects.requireNonNull(tokens, name);
        if (tokens.isEmpty() || tokens.size() > MAX_TOKENS) {
            throw new IllegalArgumentException(name + " must hold 1 to " + MAX_TOKENS + " tokens, got "
                    + tokens.size());
        }
        for (int i = 0; i < tokens.size(); i++) {
            if (tokens.get(i) == null) {
                throw new IllegalArgumentException(name + "[" + i + "] is null; expected a token's text");
            }
        }
        return List.copyOf(tokens);
    }

    private static int checkLayers(float[][][] weights, String queryName, int queryLen, String keyName, int keyLen) {
        int numHeads = -1;
        long size = (long) queryLen * keyLen;
        for (int layer = 0; layer < weights.length; layer++) {
            float[][] heads = weights[layer];
            if (heads == null || heads.length == 0) {
                throw new IllegalArgumentException("weights[" + layer + "] must hold at least one head, got "
                        + (heads == null ? "null" : "0 heads"));
            }
            if (numHeads < 0) {
                numHeads = heads.length;
            } else if (heads.length != numHeads) {
                throw new IllegalArgumentException("every layer must have the same number of heads: weights[0] has "
                        + numHeads + " and weights[" + layer + "] has " + heads.length);
            }
            for (int head = 0; head < heads.length; head++) {
                float[] m = heads[head];
                if (m == null || m.length != size) {
                    throw new IllegalArgumentException("weights[" + layer + "][" + head + "] must be a row-major ("
                            + queryName + " x " + keyName + ") = (" + queryLen + " x " + keyLen + ") matrix of "
                            + size + " floats, got " + (m == null ? "null" : m.length + " floats"));
                }
                for (int i = 0; i < m.length; i++) {
                    float w = m[i];
                    if (!(w >= 0f && w <= 1.0001f)) {
                        throw new IllegalArgumentException("weights[" + layer + "][" + head + "][" + i + "] (row "
                                + i / keyLen + ", column " + i % keyLen + ") must be an attention weight in [0, 1], got "
                                + w);
                    }
                }
            }
        }
        if ((long) weights.length * numHeads * size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("too many weights for one view: " + weights.length + " layers x "
                    + numHeads + " heads x " + queryLen + " x " + keyLen + " exceeds 2^31 - 9");
        }
        return numHeads;
    }

    private static float[][] checkedEntropy(float[][] entropy, int numLayers, int numHeads) {
        if (entropy.length != numLayers) {
            throw new IllegalArgumentException("entropy must have one row per layer (" + numLayers + "), got "
                    + entropy.length);
        }
        float[][] copy = new float[numLayers][];
        for (int layer = 0; layer < numLayers; layer++) {
            if (entropy[layer] == null || entropy[layer].length != numHeads) {
                throw new IllegalArgumentException("entropy[" + layer + "] must hold one value per head (" + numHeads
                        + "), got " + (entropy[layer] == null ? "null" : entropy[layer].length + " values"));
            }
            for (int head = 0; head < numHeads; head++) {
                float e = entropy[layer][head];
                if (!Float.isNaN(e) && !(e >= 0f && e <= 1.0001f)) {
                    throw new IllegalArgumentException("entropy[" + layer + "][" + head
                            + "] must be a normalised entropy in [0, 1] (or NaN for none), got " + e);
                }
            }
            copy[layer] = entropy[layer].clone();
        }
        return copy;
    }
}
