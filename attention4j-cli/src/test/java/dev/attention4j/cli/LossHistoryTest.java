package dev.attention4j.cli;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LossHistoryTest {

    @Test
    void averagesEveryTwentyStepsAndShowsTheOpenWindow() {
        LossHistory h = new LossHistory();
        for (int step = 1; step <= 45; step++) {
            h.add(step, step <= 20 ? 2 : step <= 40 ? 1 : 0.5);
        }
        assertThat(h.steps()).containsExactly(20, 40, 45);
        assertThat(h.losses()).containsExactly(2, 1, 0.5);
    }

    @Test
    void roundTripsThroughJsonWithTheOpenWindowClosed() {
        LossHistory h = new LossHistory();
        for (int step = 1; step <= 25; step++) {
            h.add(step, step <= 20 ? 3 : Double.NaN);
        }
        assertThat(h.toJson()).isEqualTo("[[20,3.00000],[25,null]]");
        LossHistory back = LossHistory.fromJson(h.toJson());
        back.add(26, 1);
        back.add(40, 3);
        assertThat(back.steps()).containsExactly(20, 25, 40);
        assertThat(back.losses()).containsExactly(3, Double.NaN, 2);
        assertThat(LossHistory.fromJson("[]").steps()).isEmpty();
        assertThatThrownBy(() -> LossHistory.fromJson("{}")).hasMessageContaining("[step, loss]");
    }
}
