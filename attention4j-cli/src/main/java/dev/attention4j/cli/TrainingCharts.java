package dev.attention4j.cli;

import dev.attention4j.train.Evaluation;
import dev.attention4j.viz.LineChart;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** A training run's pictures: loss (log scale) and validation accuracy against the step. */
final class TrainingCharts {

    static final int WIDTH = 900;
    static final int HEIGHT = 540;

    private TrainingCharts() {
    }

    /**
     * Training loss (the mean of every {@value LossHistory#WINDOW} steps, label-smoothed) and validation loss (no
     * smoothing), log y.
     */
    static void writeLoss(Path file, String run, LossHistory history, List<Evaluation> evaluations)
            throws IOException {
        LineChart.of("Loss - " + run).xLabel("step").yLabel("loss (log scale)").logY()
                .series("training (mean of " + LossHistory.WINDOW + " steps)", history.steps(),
                        positive(history.losses()))
                .series("validation", steps(evaluations),
                        positive(evaluations.stream().mapToDouble(Evaluation::loss).toArray()))
                .writePng(file, WIDTH, HEIGHT);
    }

    /** Validation exact match and token accuracy, linear y. */
    static void writeAccuracy(Path file, String run, List<Evaluation> evaluations) throws IOException {
        LineChart.of("Validation accuracy - " + run).xLabel("step").yLabel("accuracy")
                .series("exact match (greedy decoding)", steps(evaluations),
                        evaluations.stream().mapToDouble(Evaluation::exactMatch).toArray())
                .series("token accuracy (teacher-forced)", steps(evaluations),
                        evaluations.stream().mapToDouble(Evaluation::tokenAccuracy).toArray())
                .writePng(file, WIDTH, HEIGHT);
    }

    private static double[] steps(List<Evaluation> evaluations) {
        return evaluations.stream().mapToDouble(Evaluation::step).toArray();
    }

    /** A log axis has no place for 0 or less: such values become gaps. */
    private static double[] positive(double[] values) {
        double[] out = values.clone();
        for (int i = 0; i < out.length; i++) {
            if (!(out[i] > 0)) {
                out[i] = Double.NaN;
            }
        }
        return out;
    }
}
