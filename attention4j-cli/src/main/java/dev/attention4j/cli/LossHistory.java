package dev.attention4j.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The training loss for the loss chart, thinned: the mean of every {@value #WINDOW} steps (steps 1..20 as one point
 * at step 20, and so on). Saved with each checkpoint (as {@link #toJson()}, in the checkpoint's extras), so a resumed
 * run draws the whole curve; the window open at a checkpoint becomes a point of its own there.
 */
final class LossHistory {

    /** Steps per point. */
    static final int WINDOW = 20;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<double[]> points = new ArrayList<>(); // {step, mean loss}
    private double sum;
    private int count;
    private long lastStep;

    /** Adds step {@code step}'s loss. */
    void add(long step, double loss) {
        sum += loss;
        count++;
        lastStep = step;
        if (step % WINDOW == 0) {
            close();
        }
    }

    private void close() {
        if (count > 0) {
            points.add(new double[] {lastStep, sum / count});
            sum = 0;
            count = 0;
        }
    }

    /** The steps of the points so far, the open window's last step included. */
    double[] steps() {
        return column(0);
    }

    /** The mean losses of the points so far, the open window's included. */
    double[] losses() {
        return column(1);
    }

    private double[] column(int c) {
        List<double[]> all = new ArrayList<>(points);
        if (count > 0) {
            all.add(new double[] {lastStep, sum / count});
        }
        return all.stream().mapToDouble(p -> p[c]).toArray();
    }

    /** {@code [[step, loss], ...]}, the open window's mean as its last point; a loss that is not finite is null. */
    String toJson() {
        double[] steps = steps();
        double[] losses = losses();
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < steps.length; i++) {
            String loss = Double.isFinite(losses[i]) ? String.format(Locale.ROOT, "%.6g", losses[i]) : "null";
            s.append(i == 0 ? "" : ",").append('[').append((long) steps[i]).append(',').append(loss).append(']');
        }
        return s.append(']').toString();
    }

    /**
     * The history saved by {@link #toJson()}; the saved open window becomes a closed point.
     *
     * @throws IllegalArgumentException if {@code json} is not such a list
     */
    static LossHistory fromJson(String json) {
        LossHistory history = new LossHistory();
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("loss history: not JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isArray()) {
            throw new IllegalArgumentException("loss history: expected a list of [step, loss] pairs");
        }
        for (JsonNode pair : root) {
            if (!pair.isArray() || pair.size() != 2 || !pair.get(0).isIntegralNumber()
                    || !(pair.get(1).isNumber() || pair.get(1).isNull())) {
                throw new IllegalArgumentException("loss history: expected [step, loss] but got " + pair);
            }
            double loss = pair.get(1).isNull() ? Double.NaN : pair.get(1).asDouble();
            history.points.add(new double[] {pair.get(0).asLong(), loss});
            history.lastStep = pair.get(0).asLong();
        }
        return history;
    }
}
