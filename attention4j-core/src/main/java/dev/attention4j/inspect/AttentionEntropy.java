package dev.attention4j.inspect;

import dev.attention4j.nn.attention.AttentionMap;

import java.util.List;
import java.util.Objects;

/**
 * How spread out attention is: the entropy of every row of an {@link AttentionMap}, and its means per head and per
 * layer. A low entropy is a head that looks at few keys (a pointer), a high one a head that averages.
 *
 * <p>The keys a row attends to are those with a non-zero weight: masked keys get exactly 0 from the softmax, so
 * a padded or causal row is normalised by what it could see. (A visible key whose weight underflowed to 0, or a
 * weight dropped out in training, is counted out too; it adds nothing to the entropy either way.) A fully masked
 * row (every weight 0) has no distribution: its entropy is {@code NaN} in every unit and the means skip it.
 *
 * <p>Sums in double precision, {@code 0 ln 0 = 0}.
 */
public final class AttentionEntropy {

    private static final double LN2 = Math.log(2);

    private final AttentionMap map;
    private final double[] nats;   // (batchSize, heads, tgtLen), NaN for fully masked rows
    private final int[] attended;  // (batchSize, heads, tgtLen): keys with a non-zero weight

    private AttentionEntropy(AttentionMap map) {
        this.map = map;
        int rows = map.batchSize() * map.heads().length * map.tgtLen();
        int srcLen = map.srcLen();
        float[] w = map.weights().data(); // (batchSize, heads, tgtLen, srcLen)
        this.nats = new double[rows];
        this.attended = new int[rows];
        for (int r = 0; r < rows; r++) {
            double h = 0;
            int n = 0;
            for (int j = r * srcLen; j < (r + 1) * srcLen; j++) {
                double p = w[j];
                if (p > 0) {
                    h -= p * Math.log(p);
                    n++;
                }
            }
            nats[r] = n == 0 ? Double.NaN : h;
            attended[r] = n;
        }
    }

    /** The entropies of every row of {@code map}. */
    public static AttentionEntropy of(AttentionMap map) {
        return new AttentionEntropy(Objects.requireNonNull(map, "map"));
    }

    /** The map measured. */
    public AttentionMap map() {
        return map;
    }

    /**
     * The entropy of query row {@code query} of sequence {@code batch} in the {@code k}-th head held (head
     * {@code map.heads()[k]}); {@code NaN} for a fully masked row.
     */
    public double row(int batch, int k, int query, EntropyUnit unit) {
        int r = rowIndex(batch, k, query);
        return in(unit, nats[r], attended[r]);
    }

    /** How many keys row {@code query} attends to (non-zero weights). */
    public int attendedKeys(int batch, int k, int query) {
        return attended[rowIndex(batch, k, query)];
    }

    /** The mean entropy of the {@code k}-th head held, over every sequence and row that is not fully masked. */
    public double head(int k, EntropyUnit unit) {
        Objects.checkIndex(k, map.heads().length);
        double sum = 0;
        int count = 0;
        for (int b = 0; b < map.batchSize(); b++) {
            for (int i = 0; i < map.tgtLen(); i++) {
                int r = rowIndex(b, k, i);
                if (attended[r] > 0) {
                    sum += in(unit, nats[r], attended[r]);
                    count++;
                }
            }
        }
        return count == 0 ? Double.NaN : sum / count;
    }

    /** Every head's mean, in the order of {@code map.heads()}. */
    public double[] heads(EntropyUnit unit) {
        double[] out = new double[map.heads().length];
        for (int k = 0; k < out.length; k++) {
            out[k] = head(k, unit);
        }
        return out;
    }

    /** The layer's mean: the mean over heads of {@link #head}, heads with no attended row skipped. */
    public double layer(EntropyUnit unit) {
        double sum = 0;
        int count = 0;
        for (double h : heads(unit)) {
            if (!Double.isNaN(h)) {
                sum += h;
                count++;
            }
        }
        return count == 0 ? Double.NaN : sum / count;
    }

    /** The layer mean of each map, in order (e.g. an encoder's self-attention maps, layer by layer). */
    public static double[] perLayer(List<AttentionMap> maps, EntropyUnit unit) {
        return maps.stream().mapToDouble(m -> of(m).layer(unit)).toArray();
    }

    private int rowIndex(int batch, int k, int query) {
        Objects.checkIndex(batch, map.batchSize());
        Objects.checkIndex(k, map.heads().length);
        Objects.checkIndex(query, map.tgtLen());
        return (batch * map.heads().length + k) * map.tgtLen() + query;
    }

    private static double in(EntropyUnit unit, double nats, int attended) {
        if (attended == 0) {
            return Double.NaN;
        }
        return switch (unit) {
            case NATS -> nats;
            case BITS -> nats / LN2;
            case NORMALIZED -> attended == 1 ? 0 : nats / Math.log(attended);
        };
    }
}
