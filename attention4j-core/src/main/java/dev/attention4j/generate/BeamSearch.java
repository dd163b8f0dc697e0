package dev.attention4j.generate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Beam search as Hugging Face's {@code BeamSearchScorer} defines it. Each source has {@code beamSize} rows (beams).
 * At each step every beam's scores become log-probabilities (then the repetition penalty applies); each candidate
 * {@code (beam, token)} is scored {@code beamScore + logProb}; the best {@code max(2, 1 + stopTokens) * beamSize} are
 * walked best first: a stop token among the first {@code beamSize} ranks finishes a hypothesis, scored
 * {@code sum / generatedLength^lengthPenalty}; the other candidates fill the new beams. A source is done per
 * {@link EarlyStopping}, or after {@code maxNewTokens} tokens, when its running beams join the hypotheses. At the first
 * step only beam 0 is live (the others start at {@code -1e9}), as in HF.
 */
final class BeamSearch implements Search {

    private static final double DEAD_BEAM = -1e9;

    private final GenerationConfig config;
    private final Sampler.Beam beam;
    private final int beamSize;
    private final boolean[] stop;       // (vocab)
    private final int candidates;       // kept per source per step
    private final float[] scores;       // (vocab) scratch
    private final int[] stamps;         // (vocab) scratch for the repetition penalty
    private int stamp;
    private final double[] beamScores;  // (rows): sum of log-probabilities of each running beam
    private final double[] newScores;   // (rows)
    private final int[] newTokens;      // (rows)
    private final int[] sourceRows;     // (rows): where each new beam comes from
    private final double[] heapScore;   // (candidates): a min-heap of the best candidates of one source
    private final int[] heapIndex;      // (candidates): beam * vocab + token
    private final List<List<Hypothesis>> finished; // per source, at most beamSize
    private final double[] worstScore;  // (sources)
    private final boolean[] done;       // (sources)
    private final boolean[] expanded;   // (sources): took a real (not forced) step this time

    BeamSearch(GenerationConfig config, Sampler.Beam beam, int sources, int vocab) {
        this.config = config;
        this.beam = beam;
        this.beamSize = beam.beamSize();
        this.stop = TokenByTokenSearch.stopTable(config, vocab);
        this.candidates = Math.max(2, 1 + config.stopTokens().size()) * beamSize;
        this.scores = new float[vocab];
        this.stamps = new int[vocab];
        int rows = sources * beamSize;
        this.beamScores = new double[rows];
        for (int r = 0; r < rows; r++) {
            beamScores[r] = r % beamSize == 0 ? 0 : DEAD_BEAM;
        }
        this.newScores = new double[rows];
        this.newTokens = new int[rows];
        this.sourceRows = new int[rows];
        this.heapScore = new double[candidates];
        this.heapIndex = new int[candidates];
        this.finished = new ArrayList<>(sources);
        for (int s = 0; s < sources; s++) {
            finished.add(new ArrayList<>(beamSize + 1));
        }
        this.worstScore = new double[sources];
        Arrays.fill(worstScore, 1e9);
        this.done = new boolean[sources];
        this.expanded = new boolean[sources];
    }

    @Override
    public boolean advance(float[] logits, Rows rows, StepDecoder steps, int[][] next) {
        boolean moved = false;
        for (int s = 0; s < rows.sources(); s++) {
            int base = s * beamSize;
            for (int j = 0; j < beamSize; j++) {
                sourceRows[base + j] = base + j;
            }
            expanded[s] = false;
            if (done[s]) {
                for (int j = 0; j < beamSize; j++) {
                    next[base + j][0] = rows.last(base + j);
                }
                continue;
            }
            int forced = rows.forcedToken(base);
            if (forced >= 0) { // still in the prompt: every beam takes the same token, scores unchanged
                for (int j = 0; j < beamSize; j++) {
                    rows.append(base + j, forced);
                    next[base + j][0] = forced;
                }
                continue;
            }
            expand(s, logits, rows);
            expanded[s] = true;
            for (int j = 0; j < beamSize; j++) {
                moved |= sourceRows[base + j] != base + j;
            }
        }
        if (moved) {
            rows.reorder(sourceRows);
            steps.reorderWithinGroups(sourceRows, beamSize);
        }
        boolean running = false;
        for (int s = 0; s < rows.sources(); s++) {
            int base = s * beamSize;
            if (expanded[s]) {
                for (int r = base; r < base + beamSize; r++) {
                    rows.append(r, newTokens[r]);
                    beamScores[r] = newScores[r];
                    next[r][0] = newTokens[r];
                }
                if (!done[s] && rows.generated(base) == config.maxNewTokens()) {
                    for (int r = base; r < base + beamSize; r++) {
                        addHypothesis(s, rows.generatedTokens(r), beamScores[r], rows.generated(r),
                                Finish.MAX_LENGTH);
                    }
                    done[s] = true;
                }
            }
            running |= !done[s];
        }
        return running;
    }

    /**
     * One step of source {@code s}: scores every {@code (beam, token)} candidate, finishes hypotheses on stop tokens
     * and fills {@code newScores}, {@code newTokens} and {@code sourceRows} for its beams.
     */
    private void expand(int s, float[] logits, Rows rows) {
        int vocab = scores.length;
        int base = s * beamSize;
        int generatedLength = rows.generated(base) + 1; // counting the token chosen now, as HF's cur_len
        int size = 0;
        for (int j = 0; j < beamSize; j++) {
            int r = base + j;
            System.arraycopy(logits, r * vocab, scores, 0, vocab);
            Scores.logSoftmax(scores, vocab);
            Scores.penalizeRepetitions(scores, rows.history(r), rows.length(r), config.repetitionPenalty(), stamps,
                    ++stamp);
            for (int v = 0; v < vocab; v++) {
                size = offer(size, beamScores[r] + scores[v], j * vocab + v);
            }
        }
        sortBestFirst(size);
        int filled = 0;
        for (int rank = 0; rank < size && filled < beamSize; rank++) {
            int j = heapIndex[rank] / vocab;
            int token = heapIndex[rank] % vocab;
            if (stop[token]) {
                if (rank < beamSize) {
                    addHypothesis(s, rows.generatedTokens(base + j), heapScore[rank], generatedLength,
                            Finish.STOP_TOKEN);
                }
            } else {
                newScores[base + filled] = heapScore[rank];
                newTokens[base + filled] = token;
                sourceRows[base + filled] = base + j;
                filled++;
            }
        }
        for (; filled < beamSize; filled++) { // a tiny vocabulary of mostly stop tokens: pad with dead beams
            newScores[base + filled] = DEAD_BEAM;
            newTokens[base + filled] = newTokens[base];
            sourceRows[base + filled] = sourceRows[base];
        }
        done[s] = isDone(s, heapScore[0], generatedLength);
    }

    /** HF's {@code BeamHypotheses.add}: keeps the {@code beamSize} best finished hypotheses of source {@code s}. */
    private void addHypothesis(int s, int[] tokens, double sumLogProbs, int generatedLength, Finish finish) {
        double score = sumLogProbs / Math.pow(generatedLength, beam.lengthPenalty());
        List<Hypothesis> list = finished.get(s);
        if (list.size() < beamSize || score > worstScore[s]) {
            list.add(new Hypothesis(tokens, score, finish));
            if (list.size() > beamSize) {
                int worst = 0;
                for (int i = 1; i < list.size(); i++) {
                    if (list.get(i).score() < list.get(worst).score()) {
                        worst = i;
                    }
                }
                list.remove(worst);
                worstScore[s] = list.stream().mapToDouble(Hypothesis::score).min().orElseThrow();
            } else {
                worstScore[s] = Math.min(score, worstScore[s]);
            }
        }
    }

    /** HF's {@code BeamHypotheses.is_done}, with {@code best} the best candidate score of this step. */
    private boolean isDone(int s, double best, int generatedLength) {
        if (finished.get(s).size() < beamSize) {
            return false;
        }
        double lp = beam.lengthPenalty();
        return switch (beam.earlyStopping()) {
            case WHEN_BEAM_SIZE_FINISHED -> true;
            case HEURISTIC -> worstScore[s] >= best / Math.pow(generatedLength, lp);
            case NEVER -> worstScore[s] >= best / Math.pow(lp > 0 ? config.maxNewTokens() : generatedLength, lp);
        };
    }

    // A min-heap on (score, then larger index = worse): the root is the worst candidate kept.

    private int offer(int size, double score, int index) {
        if (size < candidates) {
            heapScore[size] = score;
            heapIndex[size] = index;
            int i = size;
            while (i > 0 && worse(i, (i - 1) / 2)) {
                swap(i, (i - 1) / 2);
                i = (i - 1) / 2;
            }
            return size + 1;
        }
        if (score > heapScore[0] || (score == heapScore[0] && index < heapIndex[0])) {
            heapScore[0] = score;
            heapIndex[0] = index;
            siftDown(0, size);
        }
        return size;
    }

    /** Turns the heap into best-first order: the worst goes to the end, repeatedly. */
    private void sortBestFirst(int size) {
        for (int end = size - 1; end > 0; end--) {
            swap(0, end);
            siftDown(0, end);
        }
    }

    private void siftDown(int i, int size) {
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) {
                return;
            }
            if (child + 1 < size && worse(child + 1, child)) {
                child++;
            }
            if (!worse(child, i)) {
                return;
            }
            swap(i, child);
            i = child;
        }
    }

    private boolean worse(int a, int b) {
        return heapScore[a] < heapScore[b] || (heapScore[a] == heapScore[b] && heapIndex[a] > heapIndex[b]);
    }

    private void swap(int a, int b) {
        double ts = heapScore[a];
        heapScore[a] = heapScore[b];
        heapScore[b] = ts;
        int ti = heapIndex[a];
        heapIndex[a] = heapIndex[b];
        heapIndex[b] = ti;
    }

    @Override
    public List<Generation> results(Rows rows) {
        List<Generation> out = new ArrayList<>(rows.sources());
        for (List<Hypothesis> list : finished) {
            List<Hypothesis> best = new ArrayList<>(list);
            best.sort(Comparator.comparingDouble(Hypothesis::score).reversed()); // stable: earlier first on ties
            out.add(new Generation(best.subList(0, Math.min(beam.numReturnSequences(), best.size()))));
        }
        return out;
    }
}
