package dev.attention4j.cli;

import dev.attention4j.train.Evaluation;
import dev.attention4j.train.StepReport;
import dev.attention4j.train.TrainingListener;

import java.util.Locale;

/**
 * Shows a run on its {@link ProgressBar}: step / total, the training loss (a moving average), label tokens per
 * second and the ETA; a line of its own per validation.
 */
final class TrainingProgress implements TrainingListener {

    /** The moving averages' weight of the newest step: about the last 20 steps count. */
    static final double SMOOTHING = 0.05;

    private final ProgressBar bar;
    private double loss = Double.NaN;
    private double tokens = Double.NaN;  // per step, averaged
    private double seconds = Double.NaN; // per step, averaged
    private double lastElapsed = Double.NaN;

    TrainingProgress(ProgressBar bar) {
        this.bar = bar;
    }

    @Override
    public void onStep(StepReport report) {
        loss = average(loss, report.loss());
        if (!Double.isNaN(lastElapsed)) { // the first step of a run has no previous time to measure from
            tokens = average(tokens, report.tokens());
            seconds = average(seconds, report.elapsedSeconds() - lastElapsed);
        }
        lastElapsed = report.elapsedSeconds();
        String rate = seconds > 0 ? "  " + ProgressBar.compact(tokens / seconds) + " tok/s" : "";
        bar.update(report.step(), String.format(Locale.ROOT, "loss %.3f", loss) + rate);
    }

    @Override
    public void onEvaluation(Evaluation evaluation) {
        bar.println(line(evaluation));
    }

    /** Ends the bar's line with the smoothed loss. */
    void finish() {
        bar.finish(Double.isNaN(loss) ? "" : String.format(Locale.ROOT, "loss %.3f", loss));
    }

    /** {@code valid  step 1500  loss 0.412  tok-acc 0.857  exact 0.231  bleu 51.2}. */
    static String line(Evaluation e) {
        return String.format(Locale.ROOT, "valid  step %d  loss %.3f  tok-acc %.3f  exact %.3f  bleu %.1f", e.step(),
                e.loss(), e.tokenAccuracy(), e.exactMatch(), e.bleu());
    }

    private static double average(double average, double value) {
        return Double.isNaN(average) ? value : average + SMOOTHING * (value - average);
    }
}
