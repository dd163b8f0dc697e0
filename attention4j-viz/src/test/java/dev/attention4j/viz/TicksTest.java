package dev.attention4j.viz;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TicksTest {

    private static List<String> labels(Ticks ticks) {
        return ticks.major().stream().map(Ticks.Tick::label).toList();
    }

    @Test
    void stepsAreOneTwoOrFiveTimesAPowerOfTen() {
        assertThat(Ticks.niceStep(1).doubleValue()).isEqualTo(1);
        assertThat(Ticks.niceStep(0.35).doubleValue()).isEqualTo(0.5);
        assertThat(Ticks.niceStep(1.5).doubleValue()).isEqualTo(2);
        assertThat(Ticks.niceStep(7).doubleValue()).isEqualTo(10);
        assertThat(Ticks.niceStep(0.0012).doubleValue()).isEqualTo(0.001);
        assertThat(Ticks.niceStep(0.0025).doubleValue()).isEqualTo(0.002);
        assertThat(Ticks.niceStep(4200).doubleValue()).isEqualTo(5000);
    }

    @Test
    void linearTicksAreRoundAndEvenlyLabelled() {
        assertThat(labels(Ticks.linear(0, 5000, 5))).containsExactly("0", "1000", "2000", "3000", "4000", "5000");
        assertThat(labels(Ticks.linear(0, 1, 5))).containsExactly("0", "0.2", "0.4", "0.6", "0.8", "1.0");
        assertThat(labels(Ticks.linear(-0.05, 1.05, 5))).containsExactly("0", "0.2", "0.4", "0.6", "0.8", "1.0");
        assertThat(labels(Ticks.linear(-1, 1, 4))).containsExactly("-1.0", "-0.5", "0", "0.5", "1.0");
        assertThat(labels(Ticks.linear(0.9, 3.3, 5))).containsExactly("1.0", "1.5", "2.0", "2.5", "3.0");
        assertThat(Ticks.linear(0.9, 3.3, 5).major().get(1).value()).isEqualTo(1.5);
    }

    @Test
    void largeAndTinyValuesGetSuffixesOrExponents() {
        assertThat(labels(Ticks.linear(0, 50_000, 5))).containsExactly("0", "10k", "20k", "30k", "40k", "50k");
        assertThat(labels(Ticks.linear(0, 3e6, 3))).containsExactly("0", "1M", "2M", "3M");
        assertThat(labels(Ticks.linear(100_000, 102_000, 4))).containsExactly("100.0k", "100.5k", "101.0k",
                "101.5k", "102.0k");
        assertThat(labels(Ticks.linear(0, 4e-7, 4))).containsExactly("0", "1e-7", "2e-7", "3e-7", "4e-7");
    }

    @Test
    void extremeRangesStillGiveTicks() {
        assertThat(Ticks.linear(-1e308, 1e308, 4).major()).isNotEmpty();
        assertThat(Ticks.linear(1e20, 1e20 + 1e6, 4).major()).hasSize(2);
    }

    @Test
    void logTicksAreDecadesOnWideRanges() {
        Ticks ticks = Ticks.log(0.0008, 12, 6);
        assertThat(labels(ticks)).containsExactly("0.001", "0.01", "0.1", "1", "10");
        assertThat(ticks.minor()).contains(0.002, 0.5, 2.0, 9.0);
        assertThat(labels(Ticks.log(1e-9, 1e9, 5)).get(0)).matches("1e-\\d");
    }

    @Test
    void narrowLogRangesLabelMultiplesOfADecade() {
        assertThat(labels(Ticks.log(0.87, 12, 6))).containsExactly("1", "2", "5", "10");
        assertThat(labels(Ticks.log(1.5, 4.5, 6))).containsExactly("2", "3", "4");
        assertThat(Ticks.log(2.1, 2.4, 4).major()).hasSizeGreaterThanOrEqualTo(2)
                .allSatisfy(t -> assertThat(t.value()).isBetween(2.1, 2.4));
    }
}
