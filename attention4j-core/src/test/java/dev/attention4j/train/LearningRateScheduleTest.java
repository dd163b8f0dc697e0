package dev.attention4j.train;

import dev.attention4j.train.LearningRateSchedule.Constant;
import dev.attention4j.train.LearningRateSchedule.Noam;
import dev.attention4j.train.LearningRateSchedule.WarmupCosine;
import dev.attention4j.train.LearningRateSchedule.WarmupLinear;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class LearningRateScheduleTest {

    private static void assertRate(LearningRateSchedule schedule, long step, double expected) {
        assertThat((double) schedule.at(step)).as("%s at step %d", schedule, step)
                .isCloseTo(expected, within(1e-7 * Math.abs(expected) + 1e-12));
    }

    @Test
    void noamRisesLinearlyToItsPeakAtTheEndOfWarmupThenDecaysAsTheInverseSquareRoot() {
        Noam paper = Noam.paper(512);
        assertThat(paper).isEqualTo(new Noam(512, 4000, 1f));
        assertRate(paper, 1, 1.7469281074217108e-07);            // 512^-0.5 * 4000^-1.5
        assertRate(paper, 2000, 3.4938562148434214e-04);         // half the peak
        assertRate(paper, 4000, 6.987712429686843e-04);          // the peak, 1 / sqrt(512 * 4000)
        assertRate(paper, 16000, 3.4938562148434214e-04);        // 1 / sqrt(512 * 16000): half the peak again
        assertRate(new Noam(512, 10, 2f), 100, 8.838834764831846e-03); // 2 * 512^-0.5 * 100^-0.5
        assertThat(paper.at(3999)).isLessThan(paper.at(4000));
        assertThat(paper.at(4001)).isLessThan(paper.at(4000));
    }

    @Test
    void constant() {
        assertThat(new Constant(3e-4f).at(1)).isEqualTo(3e-4f);
        assertThat(new Constant(3e-4f).at(1_000_000_000_000L)).isEqualTo(3e-4f);
    }

    @Test
    void warmupCosine() {
        WarmupCosine schedule = new WarmupCosine(1e-3f, 10, 110, 1e-4f);
        assertRate(schedule, 1, 1e-4);
        assertRate(schedule, 5, 5e-4);
        assertRate(schedule, 10, 1e-3);
        assertRate(schedule, 35, 8.681980515339464e-04);  // 1e-4 + 9e-4 * (1 + cos(pi / 4)) / 2
        assertRate(schedule, 60, 5.5e-4);                  // half way down
        assertRate(schedule, 110, 1e-4);
        assertRate(schedule, 1000, 1e-4);
        assertRate(new WarmupCosine(1f, 0, 2, 0f), 1, 0.5); // no warm-up: step 1 is already half way
    }

    @Test
    void warmupLinear() {
        WarmupLinear schedule = new WarmupLinear(1e-3f, 10, 110, 0f);
        assertRate(schedule, 1, 1e-4);
        assertRate(schedule, 10, 1e-3);
        assertRate(schedule, 35, 7.5e-4);
        assertRate(schedule, 60, 5e-4);
        assertRate(schedule, 110, 0);
        assertRate(schedule, 111, 0);
        assertRate(new WarmupLinear(1e-3f, 0, 100, 1e-4f), 50, 5.5e-4);
    }

    @Test
    void stepsCountFromOne() {
        for (LearningRateSchedule s : new LearningRateSchedule[] {Noam.paper(512), new Constant(1f),
                new WarmupCosine(1f, 1, 2, 0f), new WarmupLinear(1f, 1, 2, 0f)}) {
            assertThatThrownBy(() -> s.at(0)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("step: expected >= 1 (steps count from 1) but got 0");
        }
    }

    @Test
    void validationNamesTheField() {
        assertThatThrownBy(() -> new Noam(0, 4000, 1f)).hasMessage("modelDim: expected >= 1 but got 0");
        assertThatThrownBy(() -> new Noam(512, 0, 1f)).hasMessage("warmupSteps: expected >= 1 but got 0");
        assertThatThrownBy(() -> new Noam(512, 4000, 0f)).hasMessage("factor: expected a finite value > 0 but got 0.0");
        assertThatThrownBy(() -> new Constant(Float.POSITIVE_INFINITY))
                .hasMessage("lr: expected a finite value >= 0.0 but got Infinity");
        assertThatThrownBy(() -> new WarmupCosine(0f, 1, 2, 0f))
                .hasMessage("peak: expected a finite value > 0 but got 0.0");
        assertThatThrownBy(() -> new WarmupCosine(1f, -1, 2, 0f))
                .hasMessage("warmupSteps: expected >= 0 but got -1");
        assertThatThrownBy(() -> new WarmupLinear(1f, 10, 10, 0f))
                .hasMessage("totalSteps: expected > warmupSteps (10) but got 10");
        assertThatThrownBy(() -> new WarmupLinear(1f, 1, 10, 2f))
                .hasMessage("minLr: expected a value in [0, peak] = [0, 1.0] but got 2.0");
    }
}
