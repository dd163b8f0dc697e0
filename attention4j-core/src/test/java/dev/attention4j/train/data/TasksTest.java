package dev.attention4j.train.data;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TasksTest {

    @Test
    void copyAndReverseAreSeededAndWellFormed() {
        List<Example> copy = Tasks.copy(1, 500);
        assertThat(Tasks.copy(1, 500)).isEqualTo(copy);
        assertThat(Tasks.copy(2, 500)).isNotEqualTo(copy);
        Set<Integer> lengths = new HashSet<>();
        for (Example e : copy) {
            assertThat(e.target()).isEqualTo(e.source());
            assertThat(e.source()).matches("[a-j]{1,20}");
            lengths.add(e.source().length());
        }
        assertThat(lengths).hasSize(20); // every length 1..20 occurs in 500 draws
        List<Example> reverse = Tasks.reverse(1, 500);
        for (int i = 0; i < reverse.size(); i++) {
            assertThat(reverse.get(i).source()).isEqualTo(copy.get(i).source());
            assertThat(reverse.get(i).target()).isEqualTo(new StringBuilder(copy.get(i).source()).reverse().toString());
        }
        Example emoji = Tasks.reverse(3, 1, "😀x", 4, 4).get(0); // reversed by code point, not by char
        assertThat(emoji.target().codePoints().toArray()).hasSize(4)
                .containsExactly(new StringBuilder(emoji.source()).reverse().codePoints().toArray());
        assertThat(emoji.target()).matches("(😀|x){4}");
        assertThatThrownBy(() -> Tasks.copy(1, 1, "", 1, 2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("alphabet");
        assertThatThrownBy(() -> Tasks.copy(1, 1, "ab", 3, 2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxLength");
    }

    @Test
    void numbersCoverEveryMagnitudeAndMatchTheWriters() {
        List<Example> examples = Tasks.numbers(5, 8000);
        assertThat(Tasks.numbers(5, 8000)).isEqualTo(examples);
        int[] byDigits = new int[9];
        int small = 0;
        int round = 0;
        for (Example e : examples) {
            long n = NumberWordsTest.EnglishParser.parse(e.source());
            assertThat(NumberWordsTest.ChineseParser.parse(e.target())).isEqualTo(n);
            assertThat(e.source()).isEqualTo(NumberWords.english(n));
            byDigits[Long.toString(n).length()]++;
            small += n < 1000 ? 1 : 0;
            round += n >= 10 && Long.toString(n).matches("[1-9]0+") ? 1 : 0;
        }
        // 8/10 of draws pick a digit count uniformly (800 per count), 1/10 are below 1000, 1/10 round-ish
        for (int d = 4; d <= 8; d++) {
            assertThat(byDigits[d]).as("numbers with %d digits", d).isBetween(750, 1150);
        }
        // below 1000: uniform 1-3 digit draws 8000 * 0.8 * 3/8 = 2400, small draws 800, round draws with k = 1, 2:
        // 800 * 2/7 = 229; expected 3429, standard deviation about 44
        assertThat(small).as("numbers below 1000").isBetween(3250, 3610);
        assertThat(round).as("exact round numbers d * 10^k").isGreaterThan(350); // about 400 + some uniform draws
    }

    @Test
    void splitKeepsSourcesApart() {
        List<Example> examples = new ArrayList<>(Tasks.numbers(9, 2000));
        examples.add(new Example("one", "壹")); // a second target for a source that is surely there
        examples.add(examples.get(0));         // an exact duplicate
        Split split = Tasks.split(examples, 0.1, 4);
        assertThat(Tasks.split(examples, 0.1, 4)).isEqualTo(split);
        Set<String> trainSources = new HashSet<>(split.train().stream().map(Example::source).toList());
        Set<String> validSources = new HashSet<>(split.valid().stream().map(Example::source).toList());
        assertThat(trainSources).doesNotContainAnyElementsOf(validSources);
        // training keeps every example of its sources, repeats included; validation each distinct example once
        long trainExpected = examples.stream().filter(e -> trainSources.contains(e.source())).count();
        assertThat(split.train()).hasSize((int) trainExpected);
        long validDistinct = new LinkedHashSet<>(examples).stream().filter(e -> validSources.contains(e.source()))
                .count();
        assertThat(split.valid()).hasSize((int) validDistinct);
        assertThat(new HashSet<>(split.valid())).hasSize(split.valid().size());
        int sources = trainSources.size() + validSources.size();
        assertThat(validSources).hasSize((int) Math.round(0.1 * sources));
        // both targets of "one" went to the same side
        List<Example> ones = (trainSources.contains("one") ? split.train() : split.valid()).stream()
                .filter(e -> e.source().equals("one")).toList();
        assertThat(ones).extracting(Example::target).containsOnly("一", "壹").contains("一", "壹");
        assertThat(Tasks.split(examples, 0.1, 5).valid()).isNotEqualTo(split.valid());
        assertThat(Tasks.split(examples, 0, 4).valid()).isEmpty();
        assertThat(Tasks.split(examples, 1, 4).train()).isEmpty();
        assertThatThrownBy(() -> Tasks.split(examples, 1.5, 4)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("validFraction").hasMessageContaining("1.5");
        assertThatThrownBy(() -> Tasks.split(examples, Double.NaN, 4)).isInstanceOf(IllegalArgumentException.class);
    }
}
