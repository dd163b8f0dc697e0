package dev.attention4j.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Renders one attention-weight matrix as text: one row per query, one column per key, values to 2 decimals in
 * aligned columns (CJK labels count as two columns), and a shade strip on the right (one character per key, darker =
 * more weight). A weight that is exactly {@code 0.0f} prints as {@code 0}, so "0" means masked out and "0.00" means
 * small but not zero.
 *
 * <pre>
 *   query\key   the   cat   sat
 *   the        0.61  0.20  0.19  |%:.|
 * </pre>
 */
final class WeightGrid {

    /** Shades for weights in (0, 1]; an exact zero is a blank. */
    static final String RAMP = ".:-=+*#%@";

    private static final String GAP = "  ";

    private WeightGrid() {
    }

    /**
     * The lines of the grid.
     *
     * @param weights   row-major {@code (rowLabels.size(), colLabels.size())} block starting at {@code offset}
     * @param corner    the label of the top-left cell, e.g. {@code query\key}
     * @param indent    prefix of every line
     */
    static List<String> render(float[] weights, int offset, List<String> rowLabels, List<String> colLabels,
                               String corner, String indent) {
        int rows = rowLabels.size();
        int cols = colLabels.size();
        int labelWidth = DisplayWidth.of(corner);
        for (String label : rowLabels) {
            labelWidth = Math.max(labelWidth, DisplayWidth.of(label));
        }
        int[] colWidth = new int[cols];
        for (int j = 0; j < cols; j++) {
            colWidth[j] = Math.max(4, DisplayWidth.of(colLabels.get(j)));
        }

        List<String> lines = new ArrayList<>(rows + 1);
        StringBuilder header = new StringBuilder(indent).append(DisplayWidth.padRight(corner, labelWidth));
        for (int j = 0; j < cols; j++) {
            header.append(GAP).append(DisplayWidth.padLeft(colLabels.get(j), colWidth[j]));
        }
        lines.add(header.toString().stripTrailing());
        for (int i = 0; i < rows; i++) {
            StringBuilder line = new StringBuilder(indent).append(DisplayWidth.padRight(rowLabels.get(i), labelWidth));
            StringBuilder shade = new StringBuilder(cols);
            for (int j = 0; j < cols; j++) {
                float w = weights[offset + i * cols + j];
                line.append(GAP).append(DisplayWidth.padLeft(cell(w), colWidth[j]));
                shade.append(shade(w));
            }
            lines.add(line.append(GAP).append('|').append(shade).append('|').toString());
        }
        return lines;
    }

    /** {@code 0} for an exact zero, else two decimals. */
    static String cell(float w) {
        return w == 0f ? "0" : String.format(Locale.ROOT, "%.2f", w);
    }

    /** A blank for an exact zero, else a ramp character, darker for more weight. */
    static char shade(float w) {
        if (w == 0f) {
            return ' ';
        }
        int level = (int) (Math.max(0f, Math.min(1f, w)) * (RAMP.length() - 1) + 0.5f);
        return RAMP.charAt(level);
    }
}
