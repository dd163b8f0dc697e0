package dev.attention4j.viz.explorer;

import java.util.List;
import java.util.Objects;

/**
 * Cross-attention of a translation: each target token (row, the query) attends to the source tokens (columns, the
 * keys); the explorer shows it as a source x target alignment.
 */
public final class CrossAttentionView extends ExplorerView {

    private CrossAttentionView(String title, List<String> sourceTokens, List<String> targetTokens,
                               float[][][] weights, float[][] entropy) {
        super(title, "targetTokens", targetTokens, "sourceTokens", sourceTokens, weights, entropy);
    }

    /**
     * A view whose per-head entropy is computed from the weights (see {@link ExplorerView#entropy}).
     *
     * @param sourceTokens the source sentence's tokens (the keys), 1 to {@link #MAX_TOKENS}
     * @param targetTokens the generated tokens (the queries), 1 to {@link #MAX_TOKENS}
     * @param weights      {@code weights[layer][head]}: a row-major {@code (tgtLen, srcLen)} matrix, row = target
     *                     token, column = source token, every value in [0, 1]; every layer with the same heads
     * @throws IllegalArgumentException naming the argument, index and value when something does not fit
     */
    public static CrossAttentionView of(String title, List<String> sourceTokens, List<String> targetTokens,
                                        float[][][] weights) {
        return new CrossAttentionView(title, sourceTokens, targetTokens, weights, null);
    }

    /** As {@link #of(String, List, List, float[][][])}, with the normalised entropy {@code [layer][head]} given. */
    public static CrossAttentionView of(String title, List<String> sourceTokens, List<String> targetTokens,
                                        float[][][] weights, float[][] entropy) {
        return new CrossAttentionView(title, sourceTokens, targetTokens, weights,
                Objects.requireNonNull(entropy, "entropy"));
    }

    public List<String> sourceTokens() {
        return keyTokens();
    }

    public List<String> targetTokens() {
        return queryTokens();
    }

    @Override
    String kind() {
        return "cross";
    }
}
