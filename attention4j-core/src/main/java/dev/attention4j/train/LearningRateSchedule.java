package dev.attention4j.train;

/**
 * The learning rate as a function of the step number. Steps count from 1: {@code at(s)} is the rate for the
 * {@code s}-th optimizer update. Values are computed in double and rounded to float once.
 */
public sealed interface LearningRateSchedule {

    /**
     * The learning rate of step {@code step}.
     *
     * @throws IllegalArgumentException if {@code step < 1}
     */
    float at(long step);

    private static void requireStep(long step) {
        if (step < 1) {
            throw new IllegalArgumentException("step: expected >= 1 (steps count from 1) but got " + step);
        }
    }

    private static void requireFinite(String name, float value, float min) {
        if (!(value >= min) || Float.isInfinite(value)) {
            throw new IllegalArgumentException(name + ": expected a finite value >= " + min + " but got " + value);
        }
    }

    /**
     * The Transformer paper's schedule (section 5.3), as in the Annotated Transformer:
     * {@code factor * modelDim^-0.5 * min(step^-0.5, step * warmupSteps^-1.5)}. It rises linearly for
     * {@code warmupSteps} steps to its peak {@code factor / sqrt(modelDim * warmupSteps)}, then decays as
     * {@code 1 / sqrt(step)}. The paper uses {@code factor = 1}, {@code warmupSteps = 4000}.
     *
     * @param modelDim    the model width, {@code >= 1}
     * @param warmupSteps steps of linear warm-up, {@code >= 1}
     * @param factor      a multiplier, finite and {@code > 0}
     */
    record Noam(int modelDim, int warmupSteps, float factor) implements LearningRateSchedule {

        public Noam {
            if (modelDim < 1) {
                throw new IllegalArgumentException("modelDim: expected >= 1 but got " + modelDim);
            }
            if (warmupSteps < 1) {
                throw new IllegalArgumentException("warmupSteps: expected >= 1 but got " + warmupSteps);
            }
            if (!(factor > 0f) || Float.isInfinite(factor)) {
                throw new IllegalArgumentException("factor: expected a finite value > 0 but got " + factor);
            }
        }

        /** The paper's schedule for {@code modelDim}: 4000 warm-up steps, factor 1. */
        public static Noam paper(int modelDim) {
            return new Noam(modelDim, 4000, 1f);
        }

        @Override
        public float at(long step) {
            requireStep(step);
            double s = step;
            return (float) (factor * Math.pow(modelDim, -0.5)
                    * Math.min(Math.pow(s, -0.5), s * Math.pow(warmupSteps, -1.5)));
        }
    }

    /**
     * The same rate at every step.
     *
     * @param lr the learning rate, finite and {@code >= 0}
     */
    record Constant(float lr) implements LearningRateSchedule {

        public Constant {
            requireFinite("lr", lr, 0f);
        }

        @Override
        public float at(long step) {
            requireStep(step);
            return lr;
        }
    }

    /**
     * Linear warm-up from 0 to {@code peak} over {@code warmupSteps} steps (step {@code s <= warmupSteps} gets
     * {@code peak * s / warmupSteps}), then a half cosine from {@code peak} down to {@code minLr} at
     * {@code totalSteps}, and {@code minLr} after that:
     * {@code minLr + (peak - minLr) * (1 + cos(pi * (s - warmupSteps) / (totalSteps - warmupSteps))) / 2}.
     *
     * <p>Counting from 1 puts this one step ahead of Hugging Face's {@code get_cosine_schedule_with_warmup}
     * (0-based, so its first update uses rate 0): our step {@code s} gets its value at {@code s}.
     *
     * @param peak        the rate at the end of warm-up, finite and {@code > 0}
     * @param warmupSteps steps of warm-up, {@code >= 0} (0: start at {@code peak})
     * @param totalSteps  the step where the rate reaches {@code minLr}, {@code > warmupSteps}
     * @param minLr       the final rate, in {@code [0, peak]}
     */
    record WarmupCosine(float peak, int warmupSteps, long totalSteps, float minLr) implements LearningRateSchedule {

        public WarmupCosine {
            requireDecay(peak, warmupSteps, totalSteps, minLr);
        }

        @Override
        public float at(long step) {
            return warmupThenDecay(step, peak, warmupSteps, totalSteps, minLr,
                    progress -> minLr + ((double) peak - minLr) * 0.5 * (1 + Math.cos(Math.PI * progress)));
        }
    }

    /**
     * Linear warm-up from 0 to {@code peak} over {@code warmupSteps} steps, then a straight line down to
     * {@code minLr} at {@code totalSteps}, and {@code minLr} after that:
     * {@code peak + (minLr - peak) * (s - warmupSteps) / (totalSteps - warmupSteps)}. With {@code minLr = 0} this is
     * Hugging Face's {@code get_linear_schedule_with_warmup}, counted from 1 (see {@link WarmupCosine}).
     *
     * @param peak        the rate at the end of warm-up, finite and {@code > 0}
     * @param warmupSteps steps of warm-up, {@code >= 0} (0: start at {@code peak})
     * @param totalSteps  the step where the rate reaches {@code minLr}, {@code > warmupSteps}
     * @param minLr       the final rate, in {@code [0, peak]}
     */
    record WarmupLinear(float peak, int warmupSteps, long totalSteps, float minLr) implements LearningRateSchedule {

        public WarmupLinear {
            requireDecay(peak, warmupSteps, totalSteps, minLr);
        }

        @Override
        public float at(long step) {
            return warmupThenDecay(step, peak, warmupSteps, totalSteps, minLr,
                    progress -> peak + ((double) minLr - peak) * progress);
        }
    }

    /**
     * What the warm-up schedules share: linear warm-up to {@code peak}, {@code minLr} from {@code totalSteps} on, and
     * between them {@code decay} of the progress {@code (s - warmupSteps) / (totalSteps - warmupSteps)} in (0, 1).
     */
    private static float warmupThenDecay(long step, float peak, int warmupSteps, long totalSteps, float minLr,
                                         java.util.function.DoubleUnaryOperator decay) {
        requireStep(step);
        if (step <= warmupSteps) {
            return (float) ((double) peak * step / warmupSteps);
        }
        if (step >= totalSteps) {
            return minLr;
        }
        return (float) decay.applyAsDouble((double) (step - warmupSteps) / (totalSteps - warmupSteps));
    }

    private static void requireDecay(float peak, int warmupSteps, long totalSteps, float minLr) {
        if (!(peak > 0f) || Float.isInfinite(peak)) {
            throw new IllegalArgumentException("peak: expected a finite value > 0 but got " + peak);
        }
        if (warmupSteps < 0) {
            throw new IllegalArgumentException("warmupSteps: expected >= 0 but got " + warmupSteps);
        }
        if (totalSteps <= warmupSteps) {
            throw new IllegalArgumentException("totalSteps: expected > warmupSteps (" + warmupSteps + ") but got "
                    + totalSteps);
        }
        if (!(minLr >= 0f && minLr <= peak)) {
            throw new IllegalArgumentException("minLr: expected a value in [0, peak] = [0, " + peak + "] but got "
                    + minLr);
        }
    }
}
