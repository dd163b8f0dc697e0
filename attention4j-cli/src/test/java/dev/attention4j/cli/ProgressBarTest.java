package dev.attention4j.cli;

import dev.attention4j.cli.ProgressBar.Output;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProgressBarTest {

    private static final long MS = 1_000_000L;
    private static final long S = 1_000 * MS;

    /** A clock the test moves by hand. */
    private static final class FakeClock {
        long nanos = 1_000 * S; // not zero: nothing may treat 0 as "never"

        long now() {
            return nanos;
        }

        void advance(long by) {
            nanos += by;
        }
    }

    private final StringWriter text = new StringWriter();
    private final FakeClock clock = new FakeClock();

    private ProgressBar bar(String label, long total, Output output) {
        return new ProgressBar(new PrintWriter(text), label, total, output, clock::now);
    }

    /** The log's lines. */
    private List<String> lines() {
        return text.toString().lines().toList();
    }

    /** What a terminal shows last: the text after the last carriage return, without the blanking spaces. */
    private String screen() {
        String all = text.toString();
        return all.substring(all.lastIndexOf('\r') + 1).stripTrailing();
    }

    @Test
    void aLineShowsTheBarCountPercentFieldsAndEta() {
        ProgressBar bar = bar("train", 5000, Output.TERMINAL);
        bar.update(0);
        clock.advance(12 * S);
        bar.update(1200, "loss 1.234  " + ProgressBar.compact(5100) + " tok/s");
        // 100 steps/s; 3800 left -> 38 s.
        assertThat(screen()).isEqualTo("train  [####................]  1200/5000   24%  loss 1.234  5.1k tok/s  ETA 38s");
    }

    @Test
    void theEtaFollowsAMovingAverageOfTheRate() {
        ProgressBar bar = bar("train", 100_000, Output.TERMINAL);
        bar.update(0);
        assertThat(screen()).endsWith("ETA --"); // no rate yet
        clock.advance(10 * S);
        bar.update(1000); // 100/s: 99000 left -> 990 s
        assertThat(screen()).endsWith("ETA 16m30s");
        clock.advance(10 * S);
        bar.update(3000); // sampled 200/s; alpha = 1 - e^-1 = 0.632 -> rate 163.2/s, 97000 left -> 594 s
        assertThat(screen()).endsWith("ETA 9m54s");
    }

    @Test
    void durationsReadAsSecondsMinutesOrHours() {
        assertThat(ProgressBar.duration(0)).isEqualTo("0s");
        assertThat(ProgressBar.duration(59)).isEqualTo("59s");
        assertThat(ProgressBar.duration(59.6)).isEqualTo("1m00s");
        assertThat(ProgressBar.duration(151)).isEqualTo("2m31s");
        assertThat(ProgressBar.duration(3599)).isEqualTo("59m59s");
        assertThat(ProgressBar.duration(3720)).isEqualTo("1h02m");
        assertThat(ProgressBar.duration(3600 * 30 + 59 * 60 + 40)).isEqualTo("31h00m");
        assertThat(ProgressBar.duration(Double.POSITIVE_INFINITY)).isEqualTo("--");
        assertThat(ProgressBar.duration(Double.NaN)).isEqualTo("--");
    }

    @Test
    void countsAreCompact() {
        assertThat(ProgressBar.compact(512)).isEqualTo("512");
        assertThat(ProgressBar.compact(0.25)).isEqualTo("0.25");
        assertThat(ProgressBar.compact(12.34)).isEqualTo("12.3");
        assertThat(ProgressBar.compact(5100)).isEqualTo("5.1k");
        assertThat(ProgressBar.compact(12_345)).isEqualTo("12.3k");
        assertThat(ProgressBar.compact(123_456)).isEqualTo("123k");
        assertThat(ProgressBar.compact(999_700)).isEqualTo("1.0M");
        assertThat(ProgressBar.compact(4.2e9)).isEqualTo("4.2G");
    }

    @Test
    void aTerminalIsRedrawnAtMostTenTimesASecond() {
        ProgressBar bar = bar("eval", 1000, Output.TERMINAL);
        for (int i = 0; i < 999; i++) {
            bar.update(i);
            clock.advance(MS); // 1000 updates a second
        }
        // The first update, then one per 100 ms over ~1 s.
        long redraws = text.toString().chars().filter(c -> c == '\r').count();
        assertThat(redraws).isBetween(10L, 11L);
        assertThat(text.toString()).doesNotContain("\n");
        bar.update(1000); // the end is always drawn
        assertThat(screen()).contains("1000/1000  100%");
    }

    @Test
    void aShorterRedrawBlanksTheRestOfTheLongerOne() {
        ProgressBar bar = bar("x", 10, Output.TERMINAL);
        bar.update(1, "a long field that will go away");
        clock.advance(S);
        bar.update(2, "");
        String last = text.toString().substring(text.toString().lastIndexOf('\r') + 1);
        String first = text.toString().substring(1, text.toString().lastIndexOf('\r'));
        assertThat(DisplayWidth.of(last)).isGreaterThanOrEqualTo(DisplayWidth.of(first));
    }

    @Test
    void aLogGetsWholeLinesEveryTenthAndNoCarriageReturns() {
        ProgressBar bar = bar("train", 1000, Output.LOG);
        for (int i = 0; i <= 1000; i++) {
            bar.update(i, "loss 1.0");
            clock.advance(10 * MS); // 10 s in all: the 30 s rule never fires
        }
        bar.update(1000, "loss 1.0"); // the end again: not a second line
        bar.finish("loss\r\n0.5");

        assertThat(text.toString()).doesNotContain("\r");
        List<String> lines = lines();
        // 0%, 10%, ..., 100%, then the summary.
        assertThat(lines).hasSize(12);
        assertThat(lines.get(1)).startsWith("train  [##..................]   100/1000   10%  loss 1.0  ETA ");
        assertThat(lines.get(10)).isEqualTo("train  [####################]  1000/1000  100%  loss 1.0  ETA 0s");
        assertThat(lines.get(11)).isEqualTo("train  [####################]  1000/1000  100%  loss  0.5  took 10s");
    }

    @Test
    void aSlowLogGetsALineEveryThirtySecondsBetweenTenths() {
        ProgressBar bar = bar("train", 1000, Output.LOG);
        bar.update(0);
        for (int i = 1; i <= 10; i++) {
            clock.advance(20 * S); // 20 s a step: no tenth is reached in 200 s
            bar.update(i);
        }
        // 0 s, then the updates at 40, 80, 120, 160 and 200 s.
        assertThat(lines()).hasSize(6);
        assertThat(lines().get(5)).contains("  10/1000    1%", "ETA 5h30m");
    }

    @Test
    void resumedWorkMeasuresItsRateFromTheFirstUpdate() {
        ProgressBar bar = bar("train", 10_000, Output.LOG);
        clock.advance(3600 * S); // long after construction
        bar.update(5000);
        clock.advance(100 * S);
        bar.update(6000); // 10/s: 4000 left -> 400 s
        assertThat(lines().get(1)).endsWith("ETA 6m40s");
    }

    @Test
    void finishEndsTheTerminalLineOnceWithTheTimeTaken() {
        ProgressBar bar = bar("", 3, Output.TERMINAL);
        bar.update(1);
        clock.advance(75 * S);
        bar.finish("stopped early");
        bar.finish("again");
        assertThat(text.toString()).endsWith("\n").doesNotContain("again");
        assertThat(screen()).isEqualTo("[######..............]  1/3   33%  stopped early  took 1m15s");
        assertThatThrownBy(() -> bar.update(2)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void badArgumentsAreNamed() {
        assertThatThrownBy(() -> bar("x", 0, Output.LOG)).hasMessageContaining("total").hasMessageContaining("0");
        ProgressBar bar = bar("x", 10, Output.LOG);
        assertThatThrownBy(() -> bar.update(11)).hasMessageContaining("done: expected 0..10 but got 11");
        assertThatThrownBy(() -> bar.update(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aTimeBudgetCapsTheEtaAndGivesOneBeforeAnyRate() {
        ProgressBar bar = bar("train", 100_000, Output.TERMINAL);
        bar.finishBy(clock.now() + 600 * S);
        bar.update(0);
        assertThat(screen()).endsWith("ETA 10m00s"); // no rate yet, but the budget ends in 10 minutes
        clock.advance(10 * S);
        bar.update(1000); // 100/s: 990 s of work left, but only 590 s of budget
        assertThat(screen()).endsWith("ETA 9m50s");
        clock.advance(10 * S);
        bar.update(99_000); // the rate now says under a minute: the sooner end wins
        assertThat(screen()).endsWith("ETA 0s"); // 6232/s after the moving average: 1000 left
    }

    @Test
    void printlnPutsALineAboveTheBarOnATerminal() {
        ProgressBar bar = bar("train", 10, Output.TERMINAL);
        bar.update(1, "a field long enough to need blanking");
        bar.println("valid  step 1");
        String afterLine = text.toString();
        assertThat(afterLine).endsWith("\n");
        String printed = afterLine.substring(afterLine.lastIndexOf('\r') + 1, afterLine.length() - 1);
        assertThat(printed.stripTrailing()).isEqualTo("valid  step 1");
        assertThat(DisplayWidth.of(printed)).isGreaterThanOrEqualTo(DisplayWidth.of("train  [##..................]  "
                + " 1/10   10%  a field long enough to need blanking  ETA --"));
        bar.update(2); // within 100 ms of the last redraw, yet drawn: the line above pushed the bar away
        assertThat(screen()).startsWith("train  [####");
    }

    @Test
    void printlnInALogIsJustALine() {
        ProgressBar bar = bar("train", 10, Output.LOG);
        bar.update(1);
        bar.println("valid\n step 1");
        assertThat(lines()).hasSize(2);
        assertThat(lines().get(1)).isEqualTo("valid  step 1");
        bar.finish("");
        assertThatThrownBy(() -> bar.println("late")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void detectNeverFails() {
        // Under the build there is no terminal; all the test can say is that it answers.
        assertThat(Arrays.asList(Output.values())).contains(Output.detect());
    }
}
