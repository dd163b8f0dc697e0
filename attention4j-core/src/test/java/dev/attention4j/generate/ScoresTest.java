package dev.attention4j.generate;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** The processors and warpers on hand-made rows whose answers follow from the definitions. */
class ScoresTest {

    private static final float NEG_INF = Float.NEGATIVE_INFINITY;

    @Test
    void repetitionPenaltyDividesPositiveAndMultipliesNegativeScoresOnceEach() {
        float[] x = {2f, -2f, 3f, -1f};
        int[] history = {0, 1, 0, 0, 1};
        Scores.penalizeRepetitions(x, history, history.length, 2.0, new int[4], 1);
        assertThat(x).containsExactly(1f, -4f, 3f, -1f);
    }

    @Test
    void topKKeepsTheKHighestAndEveryTieWithTheKth() {
        float[] x = {1f, 5f, 3f, 3f, 0f};
        Scores.keepTopK(x, 5, 2, sorted(x));
        assertThat(x).containsExactly(NEG_INF, 5f, 3f, 3f, NEG_INF); // the 2nd highest is 3, tied twice
    }

    @Test
    void topPKeepsTheSmallestMostLikelySetReachingP() {
        // probabilities 0.5, 0.3, 0.15, 0.05 (as logs): p = 0.75 needs {0.5, 0.3}; p = 0.85 needs {0.5, 0.3, 0.15}
        float[] probs = {0.15f, 0.5f, 0.05f, 0.3f};
        float[] x = logs(probs);
        Scores.keepTopP(x, 4, 0.75, sorted(x));
        assertThat(kept(x)).containsExactly(false, true, false, true);
        x = logs(probs);
        Scores.keepTopP(x, 4, 0.85, sorted(x));
        assertThat(kept(x)).containsExactly(true, true, false, true);
        x = logs(probs);
        Scores.keepTopP(x, 4, 1e-9, sorted(x));
        assertThat(kept(x)).containsExactly(false, true, false, false); // the most likely is always kept
    }

    /** Top-p reads the order sorted before top-k: the same as sorting again after top-k removed its tokens. */
    @Test
    void topPAfterTopKNeedsNoSecondSort() {
        SplittableRandom random = new SplittableRandom(11);
        for (int trial = 0; trial < 200; trial++) {
            float[] x = new float[37];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) random.nextGaussian() * 3 + (random.nextInt(4) == 0 ? 1f : 0f);
            }
            int k = 1 + random.nextInt(40);
            double p = random.nextDouble();
            float[] once = x.clone();
            long[] order = sorted(once);
            Scores.keepTopK(once, once.length, k, order);
            Scores.keepTopP(once, once.length, p, order);
            float[] twice = x.clone();
            Scores.keepTopK(twice, twice.length, k, sorted(twice));
            Scores.keepTopP(twice, twice.length, p, sorted(twice));
            assertThat(once).as("trial %d, k %d, p %s", trial, k, p).containsExactly(twice);
        }
    }

    @Test
    void sortAscendingOrdersByScoreThenIndex() {
        float[] x = {0.5f, -1f, 0.5f, NEG_INF, -0f, 0f, 7f};
        long[] order = new long[x.length];
        Scores.sortAscending(x, x.length, order);
        int[] indices = new int[x.length];
        for (int i = 0; i < x.length; i++) {
            indices[i] = Scores.indexOf(order[i]);
        }
        assertThat(indices).containsExactly(3, 1, 4, 5, 0, 2, 6);
        SplittableRandom random = new SplittableRandom(3);
        float[] y = new float[1001];
        for (int i = 0; i < y.length; i++) {
            y[i] = (float) random.nextGaussian();
        }
        long[] big = new long[y.length];
        Scores.sortAscending(y, y.length, big);
        for (int i = 1; i < y.length; i++) {
            assertThat(y[Scores.indexOf(big[i])]).isGreaterThanOrEqualTo(y[Scores.indexOf(big[i - 1])]);
        }
    }

    @Test
    void drawWalksTheCumulativeDistributionAndSkipsRemovedTokens() {
        float[] x = logs(new float[] {0.25f, 0f, 0.75f});
        x[1] = NEG_INF;
        assertThat(Scores.draw(x, 3, 0.0)).isEqualTo(0);
        assertThat(Scores.draw(x, 3, 0.2499)).isEqualTo(0);
        assertThat(Scores.draw(x, 3, 0.2501)).isEqualTo(2);
        assertThat(Scores.draw(x, 3, 0.9999999)).isEqualTo(2);
    }

    private static long[] sorted(float[] x) {
        long[] order = new long[x.length];
        Scores.sortAscending(x, x.length, order);
        return order;
    }

    private static float[] logs(float[] p) {
        float[] x = new float[p.length];
        for (int i = 0; i < p.length; i++) {
            x[i] = (float) Math.log(p[i]);
        }
        return x;
    }

    private static boolean[] kept(float[] x) {
        boolean[] k = new boolean[x.length];
        for (int i = 0; i < x.length; i++) {
            k[i] = x[i] != NEG_INF;
        }
        return k;
    }
}
