package dev.attention4j.train;

/**
 * What one optimizer step did.
 *
 * @param step            steps taken so far, this one included
 * @param loss            the training loss (label-smoothed, mean over label tokens and micro-batches)
 * @param learningRate    the rate this step used
 * @param gradNorm        the global gradient norm before clipping
 * @param tokens          label tokens in this step
 * @param elapsedSeconds  wall-clock seconds since training started, validation included, runs resumed from
 *                        included
 */
public record StepReport(long step, double loss, float learningRate, float gradNorm, long tokens,
                         double elapsedSeconds) {
}
