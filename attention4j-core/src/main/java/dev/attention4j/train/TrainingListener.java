package dev.attention4j.train;

/** Hears about a run's progress (progress bars, logs). Every method does nothing by default. */
public interface TrainingListener {

    default void onStep(StepReport report) {
    }

    default void onEvaluation(Evaluation evaluation) {
    }

    default void onCheckpoint(long step) {
    }
}
