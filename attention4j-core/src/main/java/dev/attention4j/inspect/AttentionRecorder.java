package dev.attention4j.inspect;

import dev.attention4j.nn.attention.AttentionKind;
import dev.attention4j.nn.attention.AttentionMap;
import dev.attention4j.nn.attention.AttentionObserver;
import dev.attention4j.nn.attention.AttentionSite;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * An {@link AttentionObserver} that keeps every map it is given, in the order the model produced them. It asks for
 * the same heads at every site it records ({@link #allHeads()} or {@link #heads(int...)}), and only at the sites a
 * filter accepts ({@link #onlyAt}), so that nothing else is computed or kept. Not safe for concurrent use: one
 * recorder per run.
 */
public final class AttentionRecorder implements AttentionObserver {

    private final int[] heads;                  // ascending; null = every head of each module
    private final Predicate<AttentionSite> sites;
    private final List<AttentionMap> maps = new ArrayList<>();

    private AttentionRecorder(int[] heads, Predicate<AttentionSite> sites) {
        this.heads = heads;
        this.sites = sites;
    }

    /** Records every head at every site. */
    public static AttentionRecorder allHeads() {
        return new AttentionRecorder(null, site -> true);
    }

    /**
     * Records only these heads (ascending, distinct, non-negative; a head past a module's {@code numHeads} is an
     * error when that module is called).
     */
    public static AttentionRecorder heads(int... heads) {
        int[] h = heads.clone();
        for (int k = 0; k < h.length; k++) {
            if (h[k] < 0 || (k > 0 && h[k] <= h[k - 1])) {
                throw new IllegalArgumentException("heads: expected ascending distinct indices >= 0 but got "
                        + Arrays.toString(heads));
            }
        }
        return new AttentionRecorder(h, site -> true);
    }

    /** This recorder's head choice, recording only at the sites {@code filter} accepts. */
    public AttentionRecorder onlyAt(Predicate<AttentionSite> filter) {
        Objects.requireNonNull(filter, "filter");
        return new AttentionRecorder(heads, filter);
    }

    @Override
    public int[] heads(AttentionSite site, int numHeads) {
        if (!sites.test(site)) {
            return NO_HEADS;
        }
        return heads == null ? AttentionObserver.allHeads(numHeads) : heads.clone();
    }

    @Override
    public void observe(AttentionMap map) {
        maps.add(map);
    }

    /** Every map recorded, in order. */
    public List<AttentionMap> maps() {
        return Collections.unmodifiableList(maps);
    }

    /** The maps of one stack and mechanism, in order (layers in order within a step, steps in order). */
    public List<AttentionMap> maps(AttentionSite.Stack stack, AttentionKind kind) {
        return maps.stream().filter(m -> m.site().stack() == stack && m.site().kind() == kind).toList();
    }

    /**
     * One sequence's weights at every layer of one stack and mechanism, as {@code [layer][k][query * srcLen + key]}
     * (copies; {@code k} indexes the heads recorded, in the order of {@link AttentionMap#heads()}). For a run that
     * recorded one map per layer there: a forward pass, not the steps of generation (use {@link #maps} and
     * {@link AttentionSite#step()} for those).
     *
     * @throws IllegalArgumentException if the maps there are not exactly one per layer, layers {@code 0, 1, ...} in
     *                                  order, or {@code batch} is not a sequence of theirs
     */
    public float[][][] perLayerAndHead(AttentionSite.Stack stack, AttentionKind kind, int batch) {
        List<AttentionMap> found = maps(stack, kind);
        float[][][] out = new float[found.size()][][];
        for (int layer = 0; layer < found.size(); layer++) {
            AttentionMap map = found.get(layer);
            if (map.site().layer() != layer) {
                throw new IllegalArgumentException(stack + " " + kind + ": expected one map per layer, in layer order,"
                        + " but map " + layer + " is " + map);
            }
            if (batch < 0 || batch >= map.batchSize()) {
                throw new IllegalArgumentException("batch: expected 0.." + (map.batchSize() - 1) + " but got " + batch);
            }
            int heads = map.heads().length;
            int size = map.tgtLen() * map.srcLen();
            float[] all = map.weights().data();
            out[layer] = new float[heads][];
            for (int k = 0; k < heads; k++) {
                int from = (batch * heads + k) * size;
                out[layer][k] = Arrays.copyOfRange(all, from, from + size);
            }
        }
        return out;
    }

    /**
     * The map of one site.
     *
     * @throws IllegalArgumentException when none or several were recorded there (e.g. a recorder reused across runs)
     */
    public AttentionMap map(AttentionSite site) {
        List<AttentionMap> found = maps.stream().filter(m -> m.site().equals(site)).toList();
        if (found.size() != 1) {
            throw new IllegalArgumentException("site: expected exactly one map at " + site + " but " + found.size()
                    + " were recorded");
        }
        return found.get(0);
    }

    /** Forgets every map recorded. */
    public void clear() {
        maps.clear();
    }
}
