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
