package dev.attention4j.cli;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class WeightGridTest {

    @Test
    void exactZeroPrintsAsZeroAndATinyWeightAsTwoDecimals() {
        assertThat(WeightGrid.cell(0f)).isEqualTo("0");
        assertThat(WeightGrid.cell(1e-9f)).isEqualTo("0.00");
        assertThat(WeightGrid.cell(0.456f)).isEqualTo("0.46");
        assertThat(WeightGrid.shade(0f)).isEqualTo(' ');
        assertThat(WeightGrid.shade(1e-9f)).isEqualTo('.');
        assertThat(WeightGrid.shade(1f)).isEqualTo('@');
    }

    @Test
    void columnsLineUpWithCjkLabels() {
        float[] w = {1f, 0f, 0f, 0.5f, 0.5f, 0f, 0.2f, 0.3f, 0.5f};
        List<String> labels = List.of("猫", "垫子", "x");
        List<String> lines = WeightGrid.render(w, 0, labels, labels, "q\\k", "  ");
        assertThat(lines).hasSize(4);
        // every row has the same display width, and the header ends where the last number column ends
        int rowWidth = DisplayWidth.of(lines.get(1));
        for (String row : lines.subList(1, 4)) {
            assertThat(DisplayWidth.of(row)).isEqualTo(rowWidth);
        }
        String firstRow = lines.get(1);
        int numbersEnd = DisplayWidth.of(firstRow.substring(0, firstRow.indexOf('|')).stripTrailing());
        assertThat(DisplayWidth.of(lines.get(0))).isEqualTo(numbersEnd);
        // each label sits right above its column: the header's column ends match the rows' column ends
        for (int row = 1; row <= 3; row++) {
            assertThat(columnEnds(lines.get(0)).subList(1, 4)).isEqualTo(columnEnds(lines.get(row)).subList(1, 4));
        }
        assertThat(lines.get(0)).isEqualTo("  q\\k     猫  垫子     x");
        assertThat(lines.get(1)).isEqualTo("  猫    1.00     0     0  |@  |");
        assertThat(lines.get(2)).isEqualTo("  垫子  0.50  0.50     0  |++ |");
    }

    /** Display columns at which each whitespace-separated field ends. */
    private static List<Integer> columnEnds(String line) {
        java.util.ArrayList<Integer> ends = new java.util.ArrayList<>();
        int col = 0;
        boolean inField = false;
        for (int i = 0; i < line.length(); ) {
            int cp = line.codePointAt(i);
            boolean space = cp == ' ';
            if (inField && space) {
                ends.add(col);
            }
            inField = !space;
            col += DisplayWidth.of(cp);
            i += Character.charCount(cp);
        }
        if (inField) {
            ends.add(col);
        }
        return ends;
    }
}
