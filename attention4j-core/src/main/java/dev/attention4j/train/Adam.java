package dev.attention4j.train;

import dev.attention4j.autograd.Gradients;
import dev.attention4j.kernels.Parallel;
import dev.attention4j.tensor.Shape;
import dev.attention4j.tensor.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Adam (Kingma and Ba) and AdamW (Loshchilov and Hutter), as {@code torch.optim.Adam} and {@code torch.optim.AdamW}
 * compute them on the CPU (their single-tensor path; no amsgrad, no maximize). For a parameter {@code p} with
 * gradient {@code g} at its {@code t}-th step ({@code t} from 1), with {@code lr} the learning rate:
 * <pre>
 *   L2:         g = g + weightDecay * p                      (torch.optim.Adam's weight_decay)
 *   DECOUPLED:  p = p * (1 - lr * weightDecay)               (torch.optim.AdamW)
 *   m = beta1 * m + (1 - beta1) * g                          exp_avg
 *   v = beta2 * v + (1 - beta2) * g * g                      exp_avg_sq
 *   denom = sqrt(v) / sqrt(1 - beta2^t) + eps                eps after the bias-corrected square root
 *   p = p + (-lr / (1 - beta1^t)) * m / denom
 * </pre>
 *
 * <p>The arithmetic is PyTorch's, operation for operation. The scalars {@code 1 - beta^t}, {@code lr / (1 - beta1^t)},
 * {@code sqrt(1 - beta2^t)} and {@code 1 - lr * weightDecay} are computed in double and rounded to float once; the
 * float hyper-parameters and the learning rate are first widened to the double of their shortest decimal form, the
 * Python floats a PyTorch user writes (see {@link AdamConfig}). Each element is then updated in float, one rounding
 * per PyTorch kernel, with a fused multiply-add exactly where PyTorch's CPU kernels have one: {@code add_} with an
 * alpha is an explicit {@code fmadd}, and GCC contracts {@code addcmul_}'s {@code self + value * t1 * t2} into one.
 * The result is bit-for-bit PyTorch 1.13's (Debian's AVX2 build; {@code OptimizerGoldenTest} in
 * {@code attention4j-models} checks five steps of four cases). PyTorch 2 writes the first moment as
 * {@code m.lerp_(g, 1 - beta1)}, which can differ in the last bit.
 *
 * <p>A parameter with no gradient in a step is skipped entirely, as PyTorch skips one whose {@code .grad} is
 * {@code None}: it is not updated (not even decayed), its state is not created, its step count stays.
 *
 * <h2>State</h2>
 * {@link #state()} names its tensors after the parameters:
 * <ul>
 *   <li>{@code exp_avg.<param>}, {@code exp_avg_sq.<param>} — the moments, shaped as the parameter;</li>
 *   <li>{@code step.<param>} — that parameter's own step count {@code t};</li>
 *   <li>{@code steps} — {@link #steps()}, the number of {@link #step} calls.</li>
 * </ul>
 * A parameter has state once it has received its first gradient. Counts are shape-{@code (2)} float tensors
 * {@code [high, low]} meaning {@code high * 2^24 + low}, both whole numbers and {@code low < 2^24}: a single float
 * (PyTorch's choice) stops counting exactly at 2^24 steps, the pair is exact to 2^48 and survives any float32 file
 * format bit for bit.
 *
 * <p>Not thread-safe. Each step visits the parameters in the map's order; a large parameter's elements are split
 * across the kernels' threads (each element's update is independent, so the bits do not depend on the thread count).
 */
public final class Adam implements Optimizer {

    static final String EXP_AVG = "exp_avg.";
    static final String EXP_AVG_SQ = "exp_avg_sq.";
    static final String STEP = "step.";
    static final String STEPS = "steps";

    private static final long COUNT_RADIX = 1L << 24;
    /** Elements per task when an update is split across threads. */
    private static final int UPDATE_CHUNK = 1 << 16;
    private static final long MAX_COUNT = COUNT_RADIX * COUNT_RADIX - 1;

    /** One parameter's state: the moments and its own step count. */
    private static final class ParamState {
        final Tensor expAvg;
        final Tensor expAvgSq;
        long step;

        ParamState(Tensor expAvg, Tensor expAvgSq, long step) {
            this.expAvg = expAvg;
            this.expAvgSq = expAvgSq;
            this.step = step;
        }
    }

    private final AdamConfig config;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private Map<String, ParamState> states = new LinkedHashMap<>();
    private long steps;

    public Adam(AdamConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.beta1 = decimal(config.beta1());
        this.beta2 = decimal(config.beta2());
        this.eps = decimal(config.eps());
        this.weightDecay = decimal(config.weightDecay());
    }

    public AdamConfig config() {
        return config;
    }

    /** The double nearest the shortest decimal that reads back as {@code f}: {@code 0.9f -> 0.9}. */
    static double decimal(float f) {
        return Double.parseDouble(Float.toString(f));
    }

    @Override
    public void step(Map<String, Tensor> params, Gradients grads, float learningRate) {
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(grads, "grads");
        if (!(learningRate >= 0f) || Float.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learningRate: expected a finite value >= 0 but got " + learningRate);
        }
        if (steps == MAX_COUNT) {
            throw new IllegalStateException("Adam has taken " + MAX_COUNT + " steps, the most its state records");
        }
        // Check everything before changing anything, so a bad call leaves parameters and state as they were.
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Map.Entry<String, Tensor> e : params.entrySet()) {
            String name = Objects.requireNonNull(e.getKey(), "params has a null name");
            Tensor param = Objects.requireNonNull(e.getValue(), () -> "params['" + name + "'] is null");
            if (!seen.add(param)) {
                throw new IllegalArgumentException("params['" + name + "'] is the same tensor as an earlier entry;"
                        + " a tied parameter must be listed once (Module.namedParameters() does so)");
            }
            ParamState state = states.get(name);
            if (state != null && !state.expAvg.shape().equals(param.shape())) {
                throw new IllegalArgumentException("params['" + name + "'] has shape " + param.shape()
                        + " but the optimizer state for it has shape " + state.expAvg.shape());
            }
        }
        double lr = decimal(learningRate);
        for (Map.Entry<String, Tensor> e : params.entrySet()) {
            Tensor param = e.getValue();
            Tensor grad = grads.get(param);
            if (grad == null) {
                continue;
            }
            ParamState state = states.computeIfAbsent(e.getKey(),
                    name -> new ParamState(Tensor.zeros(param.shape()), Tensor.zeros(param.shape()), 0));
            state.step++;
            update(param.data(), grad.data(), state.expAvg.data(), state.expAvgSq.data(), state.step, lr);
            param.markModified();
        }
        steps++;
    }

    /**
     * One Adam update of a parameter in place.
     *
     * @param p  the parameter, updated
     * @param g  its gradient, read only
     * @param m  exp_avg, updated
     * @param v  exp_avg_sq, updated
     * @param t  this parameter's step number, from 1
     * @param lr the learning rate
     */
    private void update(float[] p, float[] g, float[] m, float[] v, long t, double lr) {
        double biasCorrection1 = 1 - Math.pow(beta1, t);
        double biasCorrection2 = 1 - Math.pow(beta2, t);
        float negStepSize = (float) -(lr / biasCorrection1);
        float biasCorrection2Sqrt = (float) Math.sqrt(biasCorrection2);
        float b1 = (float) beta1;
        float oneMinusB1 = (float) (1 - beta1);
        float b2 = (float) beta2;
        float oneMinusB2 = (float) (1 - beta2);
        float epsilon = (float) eps;
        float decay = (float) weightDecay;
        float decoupledFactor = (float) (1 - lr * weightDecay);
        // PyTorch skips weight decay of 0 altogether (which matters for an infinite parameter: inf * 0 is NaN).
        WeightDecay mode = config.mode() == WeightDecay.L2 && weightDecay == 0 ? WeightDecay.NONE : config.mode();
        // elements are independent: split across threads, the same bits at any count
        Parallel.forRange(p.length, UPDATE_CHUNK, (start, end) -> update(p, g, m, v, start, end, mode, negStepSize,
                biasCorrection2Sqrt, b1, oneMinusB1, b2, oneMinusB2, epsilon, decay, decoupledFactor));
    }

    private static void update(float[] p, float[] g, float[] m, float[] v, int start, int end, WeightDecay mode,
                               float negStepSize, float biasCorrection2Sqrt, float b1, float oneMinusB1, float b2,
                               float oneMinusB2, float epsilon, float decay, float decoupledFactor) {
        for (int i = start; i < end; i++) {
            float gi = g[i];
            switch (mode) {
                case NONE -> { }
                case L2 -> gi = Math.fma(p[i], decay, gi);                 // grad.add(param, alpha=weight_decay)
                case DECOUPLED -> p[i] = p[i] * decoupledFactor;           // param.mul_(1 - lr * weight_decay)
            }
            m[i] = Math.fma(gi, oneMinusB1, m[i] * b1);                   // exp_avg.mul_(b1).add_(g, alpha=1-b1)
            v[i] = Math.fma(oneMinusB2 * gi, gi, v[i] * b2);              // exp_avg_sq.mul_(b2).addcmul_(g, g, 1-b2)
            float denom = (float) Math.sqrt(v[i]) / biasCorrection2Sqrt + epsilon; // (v.sqrt() / bc2_sqrt).add_(eps)
            p[i] = p[i] + negStepSize * m[i] / denom;                     // param.addcdiv_(m, denom, -step_size)
        }
    }

    @Override
    public Map<String, Tensor> state() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        states.forEach((name, s) -> {
            out.put(EXP_AVG + name, s.expAvg.copy());
            out.put(EXP_AVG_SQ + name, s.expAvgSq.copy());
            out.put(STEP + name, encodeCount(s.step));
        });
        out.put(STEPS, encodeCount(steps));
        return out;
    }

    @Override
    public void loadState(Map<String, Tensor> state) {
        Objects.requireNonNull(state, "state");
        List<String> problems = new ArrayList<>();
        Map<String, Tensor> expAvgs = new LinkedHashMap<>();
        Map<String, Tensor> expAvgSqs = new LinkedHashMap<>();
        Map<String, Tensor> stepTensors = new LinkedHashMap<>();
        Set<String> unexpected = new TreeSet<>();
        for (Map.Entry<String, Tensor> e : state.entrySet()) {
            String key = Objects.requireNonNull(e.getKey(), "state has a null name");
            Tensor t = Objects.requireNonNull(e.getValue(), () -> "state['" + key + "'] is null");
            if (key.startsWith(EXP_AVG_SQ)) {
                expAvgSqs.put(key.substring(EXP_AVG_SQ.length()), t);
            } else if (key.startsWith(EXP_AVG)) {
                expAvgs.put(key.substring(EXP_AVG.length()), t);
            } else if (key.startsWith(STEP)) {
                stepTensors.put(key.substring(STEP.length()), t);
            } else if (!key.equals(STEPS)) {
                unexpected.add(key);
            }
        }
        if (!unexpected.isEmpty()) {
            problems.add("unexpected: " + unexpected + " (expected exp_avg.*, exp_avg_sq.*, step.* and steps)");
        }
        long loadedSteps = 0;
        Tensor stepsTensor = state.get(STEPS);
        if (stepsTensor == null) {
            problems.add("missing: [" + STEPS + "]");
        } else {
            loadedSteps = decodeCount(STEPS, stepsTensor, problems);
        }
        Map<String, ParamState> loaded = new LinkedHashMap<>();
        for (String name : orderedUnion(expAvgs.keySet(), expAvgSqs.keySet(), stepTensors.keySet())) {
            Tensor expAvg = expAvgs.get(name);
            Tensor expAvgSq = expAvgSqs.get(name);
            Tensor step = stepTensors.get(name);
            if (expAvg == null || expAvgSq == null || step == null) {
                problems.add("parameter '" + name + "' needs " + EXP_AVG + name + ", " + EXP_AVG_SQ + name + " and "
                        + STEP + name + " but lacks" + (expAvg == null ? " " + EXP_AVG + name : "")
                        + (expAvgSq == null ? " " + EXP_AVG_SQ + name : "") + (step == null ? " " + STEP + name : ""));
                continue;
            }
            if (!expAvg.shape().equals(expAvgSq.shape())) {
                problems.add(EXP_AVG + name + " has shape " + expAvg.shape() + " but " + EXP_AVG_SQ + name
                        + " has shape " + expAvgSq.shape());
                continue;
            }
            int before = problems.size();
            long t = decodeCount(STEP + name, step, problems);
            if (problems.size() > before) {
                continue;
            }
            if (t == 0) {
                problems.add(STEP + name + " is 0; a parameter has state only after its first step");
            } else if (stepsTensor != null && t > loadedSteps) {
                problems.add(STEP + name + " is " + t + ", more than " + STEPS + " (" + loadedSteps + ")");
            }
            loaded.put(name, new ParamState(expAvg.copy(), expAvgSq.copy(), t));
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("cannot load Adam state:\n  " + String.join("\n  ", problems));
        }
        states = loaded;
        steps = loadedSteps;
    }

    /** The names in first-seen order across the three maps. */
    private static Set<String> orderedUnion(Set<String> a, Set<String> b, Set<String> c) {
        Set<String> union = new LinkedHashSet<>(a);
        union.addAll(b);
        union.addAll(c);
        return union;
    }

    @Override
    public long steps() {
        return steps;
    }

    /** {@code count} as the float pair {@code [count / 2^24, count % 2^24]}, both exact. */
    static Tensor encodeCount(long count) {
        return Tensor.of(new float[] {count / COUNT_RADIX, count % COUNT_RADIX}, 2);
    }

    /** The inverse of {@link #encodeCount}; adds to {@code problems} and returns 0 if {@code t} is not one. */
    static long decodeCount(String name, Tensor t, List<String> problems) {
        if (!t.shape().equals(Shape.of(2))) {
            problems.add(name + ": expected a count of shape [2] ([high, low]) but got shape " + t.shape());
            return 0;
        }
        float high = t.data()[0];
        float low = t.data()[1];
        if (!isCountDigit(high) || !isCountDigit(low)) {
            problems.add(name + ": expected whole numbers in [0, 2^24) but got [" + high + ", " + low + "]");
            return 0;
        }
        return (long) high * COUNT_RADIX + (long) low;
    }

    private static boolean isCountDigit(float f) {
        return f >= 0f && f < COUNT_RADIX && f == Math.rint(f);
    }
}
