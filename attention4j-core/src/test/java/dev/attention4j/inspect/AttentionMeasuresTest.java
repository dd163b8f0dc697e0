package dev.attention4j.inspect;

import dev.attention4j.nn.attention.AttentionKind;
import dev.attention4j.nn.attention.AttentionMap;
import dev.attention4j.nn.attention.AttentionObserver;
import dev.attention4j.nn.attention.AttentionSite;
import dev.attention4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Entropy, rollout and top keys on hand-made maps, against values derived here from the definitions. */
class AttentionMeasuresTest {

    private static AttentionMap map(int layer, int heads, int tgtLen, int srcLen, float... weights) {
        return new AttentionMap(new AttentionSite(AttentionSite.Stack.ENCODER, layer, AttentionKind.SELF, 0),
                AttentionObserver.allHeads(heads), Tensor.of(weights, 1, heads, tgtLen, srcLen));
    }

    /** One head, four rows over four keys: uniform, one-hot, uniform over the 2 unmasked keys, fully masked. */
    private final AttentionMap rows = map(0, 1, 4, 4,
            0.25f, 0.25f, 0.25f, 0.25f,
            0f, 1f, 0f, 0f,
            0.5f, 0.5f, 0f, 0f,
            0f, 0f, 0f, 0f);

    @Test
    void aUniformRowHasLogNAOneHotRowZeroAndAMaskedRowIsMeasuredOverWhatItSees() {
        AttentionEntropy e = AttentionEntropy.of(rows);
        // uniform over 4: H = ln 4 nats = 2 bits, normalised ln 4 / ln 4 = 1
        assertThat(e.row(0, 0, 0, EntropyUnit.NATS)).isCloseTo(Math.log(4), within(1e-12));
        assertThat(e.row(0, 0, 0, EntropyUnit.BITS)).isCloseTo(2.0, within(1e-12));
        assertThat(e.row(0, 0, 0, EntropyUnit.NORMALIZED)).isCloseTo(1.0, within(1e-12));
        // one-hot: nothing to choose, 0 in every unit
        assertThat(e.row(0, 0, 1, EntropyUnit.NATS)).isZero();
        assertThat(e.row(0, 0, 1, EntropyUnit.NORMALIZED)).isZero();
        assertThat(e.attendedKeys(0, 0, 1)).isEqualTo(1);
        // two visible keys, uniform: ln 2 nats = 1 bit, and normalised by ln 2 (not ln 4) it is as spread as can be
        assertThat(e.attendedKeys(0, 0, 2)).isEqualTo(2);
        assertThat(e.row(0, 0, 2, EntropyUnit.BITS)).isCloseTo(1.0, within(1e-12));
        assertThat(e.row(0, 0, 2, EntropyUnit.NORMALIZED)).isCloseTo(1.0, within(1e-12));
        // fully masked: no distribution
        assertThat(e.row(0, 0, 3, EntropyUnit.NATS)).isNaN();
        assertThat(e.attendedKeys(0, 0, 3)).isZero();
    }

    @Test
    void headAndLayerMeansSkipFullyMaskedRows() {
        AttentionEntropy e = AttentionEntropy.of(rows);
        // rows 0..2: ln 4, 0, ln 2 nats; row 3 skipped
        assertThat(e.head(0, EntropyUnit.NATS)).isCloseTo((Math.log(4) + 0 + Math.log(2)) / 3, within(1e-12));
        assertThat(e.head(0, EntropyUnit.NORMALIZED)).isCloseTo((1 + 0 + 1) / 3.0, within(1e-12));

        // Two heads: head 0 a skewed row (1/4, 3/4), head 1 uniform over 2.
        AttentionMap two = map(0, 2, 1, 2, 0.25f, 0.75f, 0.5f, 0.5f);
        AttentionEntropy t = AttentionEntropy.of(two);
        double skewed = -(0.25 * Math.log(0.25) + 0.75 * Math.log(0.75));
        assertThat(t.head(0, EntropyUnit.NATS)).isCloseTo(skewed, within(1e-7));
        assertThat(t.heads(EntropyUnit.BITS)).containsExactly(new double[] {skewed / Math.log(2), 1.0},
                within(1e-7));
        assertThat(t.layer(EntropyUnit.NATS)).isCloseTo((skewed + Math.log(2)) / 2, within(1e-7));
        assertThat(AttentionEntropy.perLayer(List.of(rows, two), EntropyUnit.NORMALIZED))
                .containsExactly(new double[] {2 / 3.0, (skewed / Math.log(2) + 1) / 2}, within(1e-7));
    }

    @Test
    void rolloutAveragesHeadsAddsTheResidualRenormalisesAndMultipliesAcrossLayers() {
        // Layer 0: head 0 = I, head 1 = swap. Mean = all 1/2; + I -> [[1.5, .5], [.5, 1.5]]; rows / 2
        //   A0 = [[.75, .25], [.25, .75]]
        AttentionMap layer0 = map(0, 2, 2, 2, 1, 0, 0, 1, 0, 1, 1, 0);
        // Layer 1: both heads send everything to token 0. Mean = [[1, 0], [1, 0]]; + I -> [[2, 0], [1, 1]];
        //   A1 = [[1, 0], [.5, .5]]
        AttentionMap layer1 = map(1, 2, 2, 2, 1, 0, 1, 0, 1, 0, 1, 0);
        List<Tensor> r = AttentionRollout.perLayer(List.of(layer0, layer1));

        assertThat(r.get(0).data()).containsExactly(new float[] {0.75f, 0.25f, 0.25f, 0.75f}, within(1e-7f));
        // R1 = A1 A0 = [[1*.75 + 0*.25, 1*.25 + 0*.75], [.5*.75 + .5*.25, .5*.25 + .5*.75]] = [[.75, .25], [.5, .5]]
        assertThat(r.get(1).data()).containsExactly(new float[] {0.75f, 0.25f, 0.5f, 0.5f}, within(1e-7f));
        assertThat(AttentionRollout.of(List.of(layer0, layer1)).shape().dims()).containsExactly(1, 2, 2);
    }

    @Test
    void rolloutRejectsMapsThatAreNotOneStacksSelfAttention() {
        AttentionMap cross = map(0, 1, 2, 3, 0.2f, 0.3f, 0.5f, 0.2f, 0.3f, 0.5f);
        assertThatThrownBy(() -> AttentionRollout.perLayer(List.of(cross)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("layers[0]");
    }

    @Test
    void topKeysAreLargestFirstLowerKeyOnTiesAndNeverMasked() {
        AttentionMap m = map(0, 1, 2, 4,
                0.1f, 0.4f, 0.1f, 0.4f,
                0f, 0.7f, 0.3f, 0f);
        List<List<AttendedKey>> top = TopAttended.of(m, 0, 0, 3);
        assertThat(top.get(0)).containsExactly(new AttendedKey(1, 0.4f), new AttendedKey(3, 0.4f),
                new AttendedKey(0, 0.1f));
        assertThat(top.get(1)).containsExactly(new AttendedKey(1, 0.7f), new AttendedKey(2, 0.3f));

        AttentionMap two = map(0, 2, 1, 2, 0.2f, 0.8f, 0.6f, 0.4f);
        // mean over heads: (0.4, 0.6)
        assertThat(TopAttended.ofHeadAverage(two, 0, 1).get(0)).containsExactly(new AttendedKey(1, 0.6f));
    }
}
