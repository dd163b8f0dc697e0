package dev.attention4j.viz.explorer;

import java.util.List;
import java.util.Objects;

/**
 * Self-attention over one sequence: each token (row, the query) attends to the same tokens (columns, the keys). An
 * encoder's maps, or a decoder's masked self-attention (the weights above the diagonal are then zero).
 */
public final class SelfAttentionView extends ExplorerView {

    private SelfAttentionView(String title, List<String> tokens, float[][][] weights, float[][] entropy) {
        super(title, "tokens", tokens, "tokens", tokens, weights, entropy);
    }

    /**
     * A view whose per-head entropy is computed from the weights (see {@link ExplorerView#entropy}).
     *
     * @param tokens  the sequence's tokens, 1 to {@link #MAX_TOKENS} of them, in order
     * @param weights {@code weights[layer][head]}: a row-major {@code (n, n)} matrix for {@code n} tokens, row = query,
     *                column = key, every value in [0, 1]; every layer with the same number of heads
     * @throws IllegalArgumentException naming the argument, index and value when something does not fit
     */
    public static SelfAttentionView of(String title, List<String> tokens, float[][][] weights) {
        return new SelfAttentionView(title, tokens, weights, null);
    }

    /** As {@link #of(String, List, float[][][])}, with the normalised entropy {@code [layer][head]} given, in [0, 1]. */
    public static SelfAttentionView of(String title, List<String> tokens, float[][][] weights, float[][] entropy) {
        return new SelfAttentionView(title, tokens, weights, Objects.requireNonNull(entropy, "entropy"));
    }

    /** The sequence's tokens. */
    public List<String> tokens() {
        return queryTokens();
    }

    @Override
    String kind() {
        return "self";
    }
}
