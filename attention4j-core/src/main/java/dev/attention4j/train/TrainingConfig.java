package dev.attention4j.train;

/**
 * How a training run goes. Start from {@link #of} and adjust with the {@code with*} methods.
 *
 * @param maxSteps          optimizer steps to take (the run may stop earlier on {@code maxMillis})
 * @param maxMillis         wall-clock budget in milliseconds, or {@code Long.MAX_VALUE} for none
 * @param seed              drives dropout (and, in the caller, data order): same seed, same run, bit for bit
 * @param labelSmoothing    PyTorch's {@code label_smoothing}, in [0, 1)
 * @param clipNorm          clip the global gradient norm to this ({@code 0} = no clipping)
 * @param accumulationSteps micro-batches per optimizer step (gradient accumulation)
 * @param evalEvery         validate every this many steps (and at the end)
 * @param checkpointEvery   checkpoint every this many steps (and at the end)
 */
public record TrainingConfig(long maxSteps, long maxMillis, long seed, float labelSmoothing, float clipNorm,
                             int accumulationSteps, int evalEvery, int checkpointEvery) {

    public TrainingConfig {
        if (maxSteps < 1) {
            throw new IllegalArgumentException("maxSteps: expected >= 1 but got " + maxSteps);
        }
        if (maxMillis < 1) {
            throw new IllegalArgumentException("maxMillis: expected >= 1 but got " + maxMillis);
        }
        if (!(labelSmoothing >= 0f && labelSmoothing < 1f)) {
            throw new IllegalArgumentException("labelSmoothing: expected a value in [0, 1) but got " + labelSmoothing);
        }
        if (!(clipNorm >= 0f)) {
            throw new IllegalArgumentException("clipNorm: expected >= 0 (0 = off) but got " + clipNorm);
        }
        if (accumulationSteps < 1) {
            throw new IllegalArgumentException("accumulationSteps: expected >= 1 but got " + accumulationSteps);
        }
        if (evalEvery < 1) {
            throw new IllegalArgumentException("evalEvery: expected >= 1 but got " + evalEvery);
        }
        if (checkpointEvery < 1) {
            throw new IllegalArgumentException("checkpointEvery: expected >= 1 but got " + checkpointEvery);
        }
    }

    /** {@code maxSteps} steps, no time limit, label smoothing 0.1 and clipping at 1 (the paper's smoothing). */
    public static TrainingConfig of(long maxSteps, long seed) {
        return new TrainingConfig(maxSteps, Long.MAX_VALUE, seed, 0.1f, 1f, 1, 500, 1000);
    }

    public TrainingConfig withMaxMillis(long millis) {
        return new TrainingConfig(maxSteps, millis, seed, labelSmoothing, clipNorm, accumulationSteps, evalEvery,
                checkpointEvery);
    }

    public TrainingConfig withLabelSmoothing(float eps) {
        return new TrainingConfig(maxSteps, maxMillis, seed, eps, clipNorm, accumulationSteps, evalEvery,
                checkpointEvery);
    }

    public TrainingConfig withClipNorm(float norm) {
        return new TrainingConfig(maxSteps, maxMillis, seed, labelSmoothing, norm, accumulationSteps, evalEvery,
                checkpointEvery);
    }

    public TrainingConfig withAccumulationSteps(int steps) {
        return new TrainingConfig(maxSteps, maxMillis, seed, labelSmoothing, clipNorm, steps, evalEvery,
                checkpointEvery);
    }

    public TrainingConfig withEvalEvery(int steps) {
        return new TrainingConfig(maxSteps, maxMillis, seed, labelSmoothing, clipNorm, accumulationSteps, steps,
                checkpointEvery);
    }

    public TrainingConfig withCheckpointEvery(int steps) {
        return new TrainingConfig(maxSteps, maxMillis, seed, labelSmoothing, clipNorm, accumulationSteps, evalEvery,
                steps);
    }
}
