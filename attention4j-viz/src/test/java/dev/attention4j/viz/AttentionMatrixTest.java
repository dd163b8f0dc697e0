package dev.attention4j.viz;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AttentionMatrixTest {

    private static final List<String> TWO = List.of("a", "b");
    private static final List<String> THREE = List.of("x", "y", "z");

    @Test
    void weightsAreRowMajorQueriesByKeysAndCopied() {
        float[] w = {0.1f, 0.2f, 0.7f, 0.5f, 0.5f, 0};
        AttentionMatrix m = AttentionMatrix.of("layer 0 · head 1", w, TWO, THREE);
        w[0] = 9;
        assertThat(m.rows()).isEqualTo(2);
        assertThat(m.columns()).isEqualTo(3);
        assertThat(m.weight(0, 2)).isEqualTo(0.7f);
        assertThat(m.weight(1, 0)).isEqualTo(0.5f);
        assertThat(m.weight(0, 0)).isEqualTo(0.1f);
        assertThat(m.title()).isEqualTo("layer 0 · head 1");
        assertThat(m.isMasked(0, 0)).isFalse();
    }

    @Test
    void oneHeadOfABatchByHeadsBufferIsReadAtItsOffset() {
        // (batchSize 2, heads 2, tgtLen 2, srcLen 3), value = flat index
        float[] data = new float[2 * 2 * 2 * 3];
        for (int i = 0; i < data.length; i++) {
            data[i] = i;
        }
        int b = 1;
        int k = 0;
        AttentionMatrix m = AttentionMatrix.of("", data, ((b * 2 + k) * 2) * 3, TWO, THREE);
        assertThat(m.weights()).containsExactly(12, 13, 14, 15, 16, 17);
        assertThatThrownBy(() -> AttentionMatrix.of("", data, 20, TWO, THREE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("20 + 2 x 3").hasMessageContaining("data.length = 24");
    }

    @Test
    void theKeepMaskUsesTheLibrarysPolarity() {
        AttentionMatrix m = AttentionMatrix.of("", new float[] {1, 0, 0.5f, 0.5f}, TWO, TWO)
                .withKeepMask(new boolean[] {true, false, true, true});
        assertThat(m.isMasked(0, 1)).isTrue();
        assertThat(m.isMasked(0, 0)).isFalse();
        assertThat(m.withKeepMask(null).isMasked(0, 1)).isFalse();
        assertThatThrownBy(() -> m.withKeepMask(new boolean[3]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("keep: expected rows x columns = 2 x 2 = 4").hasMessageContaining("got 3");
    }

    @Test
    void aWrongNumberOfWeightsSaysWhatTheLabelsImply() {
        assertThatThrownBy(() -> AttentionMatrix.of("", new float[5], TWO, THREE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("weights: expected rows x columns = 2 x 3 = 6 values (row-major, one row per query "
                        + "label) but got 5");
    }

    @Test
    void negativeNanAndInfiniteWeightsAreRefusedNamingTheCell() {
        float[] w = {0.5f, 0.5f, 0, 1, -0.25f, 0};
        assertThatThrownBy(() -> AttentionMatrix.of("", w, TWO, THREE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("weights[4] (row 1 'b', column 1 'y') = -0.25: expected a finite value >= 0");
        w[4] = Float.NaN;
        assertThatThrownBy(() -> AttentionMatrix.of("", w, TWO, THREE)).hasMessageContaining("= NaN");
        w[4] = Float.POSITIVE_INFINITY;
        assertThatThrownBy(() -> AttentionMatrix.of("", w, TWO, THREE)).hasMessageContaining("= Infinity");
    }

    @Test
    void labelsMustBeThereAndNotNull() {
        assertThatThrownBy(() -> AttentionMatrix.of("", new float[0], List.of(), THREE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rowLabels: expected at least one label");
        assertThatThrownBy(() -> AttentionMatrix.of("", new float[2], TWO, java.util.Arrays.asList("k", null)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("columnLabels[1]: expected a label");
    }
}
