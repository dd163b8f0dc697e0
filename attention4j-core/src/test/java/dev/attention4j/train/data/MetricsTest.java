package dev.attention4j.train.data;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class MetricsTest {

    private static List<List<String>> tokens(String... sentences) {
        return Arrays.stream(sentences).map(s -> s.isEmpty() ? List.<String>of() : List.of(s.split(" "))).toList();
    }

    @Test
    void perfectMatchIs100() {
        List<List<String>> corpus = tokens("the cat sat on the mat", "a b c d");
        assertThat(Metrics.bleu(corpus, corpus)).isCloseTo(100, within(1e-12));
    }

    /**
     * By hand. Sentence 1: hyp "the cat sat on the mat", ref "the cat sat on a mat".
     * 1-grams: the x2 (clipped to 1), cat, sat, on, mat -> 5 of 6. 2-grams: the cat, cat sat, sat on match; on the,
     * the mat do not -> 3 of 5. 3-grams: the cat sat, cat sat on -> 2 of 4. 4-grams: the cat sat on -> 1 of 3.
     * Sentence 2: hyp "hello world", ref "hello there world". 1-grams 2 of 2; 2-grams "hello world" 0 of 1; no 3- or
     * 4-grams.
     * Corpus: p1 = 7/8, p2 = 3/6, p3 = 2/4, p4 = 1/3; c = 8, r = 9, BP = exp(1 - 9/8) = exp(-1/8).
     * BLEU = 100 * exp(-1/8) * (7/8 * 1/2 * 1/2 * 1/3)^(1/4) = 100 * exp(-0.125) * (7/96)^(1/4) = 45.8585...
     * (sacreBLEU 2.6.0, tokenize='none', gives 45.85850489459746 with precisions 87.5/50/50/33.3 and BP 0.8825.)
     */
    @Test
    void twoSentenceCorpusWorkedByHand() {
        double expected = 100 * Math.exp(-0.125) * Math.pow(7.0 / 96, 0.25);
        double bleu = Metrics.bleu(tokens("the cat sat on the mat", "hello world"),
                tokens("the cat sat on a mat", "hello there world"));
        assertThat(bleu).isCloseTo(expected, within(1e-9)).isCloseTo(45.8585, within(1e-4));
    }

    /**
     * Longer hypothesis than reference: no brevity penalty. hyp "a b c d e", ref "a b c d": p1 = 4/5, p2 = 3/4,
     * p3 = 2/3, p4 = 1/2, so BLEU = 100 * (4/5 * 3/4 * 2/3 * 1/2)^(1/4) = 100 * (1/5)^(1/4) = 66.87...
     */
    @Test
    void noBrevityPenaltyWhenLonger() {
        assertThat(Metrics.bleu(tokens("a b c d e"), tokens("a b c d"))).isCloseTo(100 * Math.pow(0.2, 0.25),
                within(1e-9));
    }

    @Test
    void aZeroPrecisionGivesZero() {
        // every 4-gram misses
        assertThat(Metrics.bleu(tokens("a b c x d e f"), tokens("a b c y d e f"))).isZero();
        // too short for any 4-gram
        assertThat(Metrics.bleu(tokens("a b c"), tokens("a b c"))).isZero();
        assertThat(Metrics.bleu(tokens(""), tokens("a b c d"))).isZero();
        assertThatThrownBy(() -> Metrics.bleu(tokens("a"), tokens("a", "b")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(2)");
    }

    @Test
    void accuracies() {
        // reference tokens: 3 + 2 = 5; correct: positions 0 and 2 of the first, position 0 of the second -> 3/5
        assertThat(Metrics.tokenAccuracy(List.of(new int[] {4, 9, 6, 7}, new int[] {8}),
                List.of(new int[] {4, 5, 6}, new int[] {8, 2}))).isEqualTo(0.6);
        assertThat(Metrics.exactMatch(List.of("a", "b", "c", "d"), List.of("a", "x", "c", "D"))).isEqualTo(0.5);
        assertThatThrownBy(() -> Metrics.tokenAccuracy(List.of(new int[0]), List.of(new int[0])))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Metrics.exactMatch(List.of(), List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
