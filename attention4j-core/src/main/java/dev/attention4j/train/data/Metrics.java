package dev.attention4j.train.data;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluation metrics for sequence-to-sequence output. The accuracies are fractions in {@code [0, 1]}; BLEU is in
 * {@code [0, 100]} as sacreBLEU reports it. Each takes hypotheses and references of the same count, at least one.
 */
public final class Metrics {

    private static final int MAX_ORDER = 4;

    private Metrics() {
    }

    /**
     * Position-wise token accuracy over the reference tokens: reference token {@code i} counts as correct when the
     * prediction has the same id at {@code i}. Extra predicted tokens are not penalised (cut predictions at EOS, or
     * compare sequences that both end with EOS, to count length errors).
     */
    public static double tokenAccuracy(List<int[]> predicted, List<int[]> reference) {
        checkSizes(predicted.size(), reference.size());
        long correct = 0;
        long total = 0;
        for (int s = 0; s < reference.size(); s++) {
            int[] p = predicted.get(s);
            int[] r = reference.get(s);
            for (int i = 0; i < r.length; i++) {
                if (i < p.length && p[i] == r[i]) {
                    correct++;
                }
            }
            total += r.length;
        }
        if (total == 0) {
            throw new IllegalArgumentException("reference: expected at least one token but every reference is empty");
        }
        return (double) correct / total;
    }

    /** The fraction of hypotheses equal to their reference ({@link String#equals}, no normalisation). */
    public static double exactMatch(List<String> hypotheses, List<String> references) {
        checkSizes(hypotheses.size(), references.size());
        long equal = 0;
        for (int s = 0; s < references.size(); s++) {
            if (hypotheses.get(s).equals(references.get(s))) {
                equal++;
            }
        }
        return (double) equal / references.size();
    }

    /**
     * Corpus BLEU-4 with one reference per sentence (Papineni et al. 2002), in {@code [0, 100]}:
     * {@code 100 * BP * exp(sum_{n=1..4} log(p_n) / 4)}, where {@code p_n} = clipped n-gram matches summed over the
     * corpus / hypothesis n-grams summed over the corpus, and {@code BP = 1} if {@code c > r} else
     * {@code exp(1 - r / c)} with {@code c, r} the total hypothesis and reference lengths. No smoothing: 0 as soon as
     * some {@code p_n} is 0 (or has no n-grams). This is sacreBLEU's {@code corpus_bleu} on pre-tokenized text with
     * {@code smooth_method='none'}; sacreBLEU's default {@code 'exp'} smoothing differs only when some
     * {@code p_n} is 0.
     */
    public static double bleu(List<List<String>> hypotheses, List<List<String>> references) {
        checkSizes(hypotheses.size(), references.size());
        long[] matches = new long[MAX_ORDER + 1]; // by n-gram order n = 1..4
        long[] totals = new long[MAX_ORDER + 1];
        long hypothesisLength = 0;
        long referenceLength = 0;
        for (int s = 0; s < references.size(); s++) {
            List<String> hyp = hypotheses.get(s);
            List<String> ref = references.get(s);
            hypothesisLength += hyp.size();
            referenceLength += ref.size();
            for (int n = 1; n <= MAX_ORDER; n++) {
                Map<List<String>, Integer> refCounts = ngrams(ref, n);
                for (Map.Entry<List<String>, Integer> e : ngrams(hyp, n).entrySet()) {
                    matches[n] += Math.min(e.getValue(), refCounts.getOrDefault(e.getKey(), 0));
                }
                totals[n] += Math.max(0, hyp.size() - n + 1);
            }
        }
        double logPrecision = 0;
        for (int n = 1; n <= MAX_ORDER; n++) {
            if (matches[n] == 0) {
                return 0;
            }
            logPrecision += Math.log((double) matches[n] / totals[n]) / MAX_ORDER;
        }
        double logBrevity = hypothesisLength > referenceLength ? 0
                : 1 - (double) referenceLength / hypothesisLength;
        return 100 * Math.exp(logBrevity + logPrecision);
    }

    private static Map<List<String>, Integer> ngrams(List<String> tokens, int n) {
        Map<List<String>, Integer> counts = new HashMap<>();
        for (int i = 0; i + n <= tokens.size(); i++) {
            counts.merge(List.copyOf(tokens.subList(i, i + n)), 1, Integer::sum);
        }
        return counts;
    }

    private static void checkSizes(int hypotheses, int references) {
        if (hypotheses != references) {
            throw new IllegalArgumentException("hypotheses: expected one per reference (" + references + ") but got "
                    + hypotheses);
        }
        if (references == 0) {
            throw new IllegalArgumentException("references: expected at least one but got none");
        }
    }
}
