package dev.attention4j.viz;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One attention matrix with its token labels, as {@link AttentionHeatmap} draws it: row {@code i} is query token
 * {@code rowLabels[i]}, column {@code j} key token {@code columnLabels[j]}, and {@code weight(i, j)} how much that
 * query attends to that key. The weights are copied in and never change; each must be finite and {@code >= 0} (rows of
 * softmax weights sum to 1, but other non-negative measures such as attention rollout are accepted too).
 *
 * <p>An optional keep-mask marks the cells the query was allowed to see, in attention4j's polarity: {@code true} =
 * kept, {@code false} = masked (blocked). Masked cells are drawn hatched grey whatever their weight.
 *
 * <p>From the core's {@code AttentionMap} (weights {@code (batchSize, heads, tgtLen, srcLen)}, row-major), the
 * matrix of sequence {@code b} and the {@code k}-th head held is
 * {@code AttentionMatrix.of(title, map.weights().data(), ((b * heads + k) * tgtLen) * srcLen, queryTokens, keyTokens)}.
 */
public final class AttentionMatrix {

    private final String title;
    private final List<String> rowLabels;
    private final List<String> columnLabels;
    private final float[] weights; // (rows, columns), row-major
    private final boolean[] keep;  // (rows, columns), row-major; null = nothing masked

    private AttentionMatrix(String title, List<String> rowLabels, List<String> columnLabels, float[] weights,
                            boolean[] keep) {
        this.title = title;
        this.rowLabels = rowLabels;
        this.columnLabels = columnLabels;
        this.weights = weights;
        this.keep = keep;
    }

    /**
     * A matrix of {@code rowLabels.size()} rows (query tokens) and {@code columnLabels.size()} columns (key tokens)
     * whose weights are {@code weights}, row-major, copied.
     *
     * @param title shown above the matrix (e.g. {@code "layer 2 · head 5"}); {@code ""} for none
     * @throws IllegalArgumentException if there are no rows or no columns, {@code weights.length} is not
     *     rows x columns, or a weight is negative, NaN or infinite (the message names the index, row and column)
     */
    public static AttentionMatrix of(String title, float[] weights, List<String> rowLabels,
                                     List<String> columnLabels) {
        Objects.requireNonNull(weights, "weights");
        List<String> rows = labels("rowLabels", rowLabels);
        List<String> columns = labels("columnLabels", columnLabels);
        long cells = (long) rows.size() * columns.size();
        if (weights.length != cells) {
            throw new IllegalArgumentException("weights: expected rows x columns = " + rows.size() + " x "
                    + columns.size() + " = " + cells + " values (row-major, one row per query label) but got "
                    + weights.length);
        }
        return of(title, weights, 0, rows, columns);
    }

    /**
     * The same, reading the rows x columns weights from {@code data[offset..]}: one matrix out of a larger row-major
     * buffer, such as a head of a {@code (batchSize, heads, tgtLen, srcLen)} tensor's data.
     *
     * @throws IllegalArgumentException as {@link #of(String, float[], List, List)}, or if {@code data} holds fewer
     *     than {@code offset + rows x columns} values
     */
    public static AttentionMatrix of(String title, float[] data, int offset, List<String> rowLabels,
                                     List<String> columnLabels) {
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(data, "data");
        List<String> rows = labels("rowLabels", rowLabels);
        List<String> columns = labels("columnLabels", columnLabels);
        int r = rows.size();
        int c = columns.size();
        long cells = (long) r * c;
        if (offset < 0 || offset + cells > data.length) {
            throw new IllegalArgumentException("data: expected offset >= 0 and offset + rows x columns = " + offset
                    + " + " + r + " x " + c + " <= data.length, but data.length = " + data.length);
        }
        float[] weights = Arrays.copyOfRange(data, offset, offset + (int) cells);
        for (int i = 0; i < weights.length; i++) {
            float w = weights[i];
            if (!(w >= 0) || w == Float.POSITIVE_INFINITY) {
                throw new IllegalArgumentException("weights[" + i + "] (row " + i / c + " '" + rows.get(i / c)
                        + "', column " + i % c + " '" + columns.get(i % c) + "') = " + w
                        + ": expected a finite value >= 0");
            }
        }
        return new AttentionMatrix(title, rows, columns, weights, null);
    }

    private static List<String> labels(String name, List<String> labels) {
        Objects.requireNonNull(labels, name);
        for (int i = 0; i < labels.size(); i++) {
            if (labels.get(i) == null) {
                throw new IllegalArgumentException(name + "[" + i + "]: expected a label (\"\" for none) but got null");
            }
        }
        if (labels.isEmpty()) {
            throw new IllegalArgumentException(name + ": expected at least one label (one per "
                    + (name.startsWith("row") ? "query row" : "key column") + ") but got none");
        }
        return List.copyOf(labels);
    }

    /**
     * This matrix with a keep-mask: {@code keep[i * columns + j]} is {@code true} when query {@code i} may attend to
     * key {@code j} (attention4j's polarity) and {@code false} when that cell is masked, which draws it hatched.
     * Copied; {@code null} removes the mask.
     *
     * @throws IllegalArgumentException if {@code keep.length} is not rows x columns
     */
    public AttentionMatrix withKeepMask(boolean[] keep) {
        if (keep != null && keep.length != weights.length) {
            throw new IllegalArgumentException("keep: expected rows x columns = " + rows() + " x " + columns() + " = "
                    + weights.length + " values (true = kept, false = masked) but got " + keep.length);
        }
        return new AttentionMatrix(title, rowLabels, columnLabels, weights, keep == null ? null : keep.clone());
    }

    /** This matrix with another title. */
    public AttentionMatrix withTitle(String title) {
        return new AttentionMatrix(Objects.requireNonNull(title, "title"), rowLabels, columnLabels, weights, keep);
    }

    public String title() {
        return title;
    }

    /** Number of query rows. */
    public int rows() {
        return rowLabels.size();
    }

    /** Number of key columns. */
    public int columns() {
        return columnLabels.size();
    }

    public List<String> rowLabels() {
        return rowLabels;
    }

    public List<String> columnLabels() {
        return columnLabels;
    }

    public float weight(int row, int column) {
        return weights[index(row, column)];
    }

    /** Whether the cell is masked ({@code false} in the keep-mask); {@code false} everywhere without a mask. */
    public boolean isMasked(int row, int column) {
        int i = index(row, column);
        return keep != null && !keep[i];
    }

    /** The weights, row-major, as a copy. */
    public float[] weights() {
        return weights.clone();
    }

    /** The largest weight. */
    float max() {
        float max = 0;
        for (float w : weights) {
            max = Math.max(max, w);
        }
        return max;
    }

    float weightAt(int index) {
        return weights[index];
    }

    boolean maskedAt(int index) {
        return keep != null && !keep[index];
    }

    private int index(int row, int column) {
        Objects.checkIndex(row, rows());
        Objects.checkIndex(column, columns());
        return row * columns() + column;
    }

    @Override
    public String toString() {
        return "AttentionMatrix[" + (title.isEmpty() ? "" : "'" + title + "', ") + rows() + " x " + columns()
                + (keep == null ? "" : ", masked") + "]";
    }
}
