package dev.attention4j.generate;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Greedy decoding and sampling: one row per source, each step takes one token per row. Past its prompt, a row's
 * scores go through the repetition penalty, then greedy takes the argmax while sampling applies temperature, top-k
 * and top-p and draws. A row stops on a stop token or after {@code maxNewTokens} tokens; finished rows are fed their
 * last token until every row is done (their scores are ignored).
 */
final class TokenByTokenSearch implements Search {

    private final GenerationConfig config;
    private final Sampler.Random random;      // null for greedy
    private final SplittableRandom[] draws;  // (sources), null for greedy
    private final boolean[] stop;             // (vocab): is a stop token
    private final float[] scores;             // (vocab) scratch
    private final long[] order;               // (vocab) scratch
    private final int[] stamps;               // (vocab) scratch for the repetition penalty
    private int stamp;
    private final double[] logProb;           // (sources): sum over chosen tokens
    private final Finish[] finish;            // (sources): null while running

    TokenByTokenSearch(GenerationConfig config, int sources, int vocab) {
        this.config = config;
        this.random = config.sampler() instanceof Sampler.Random r ? r : null;
        if (random != null) {
            SplittableRandom root = new SplittableRandom(random.seed());
            draws = new SplittableRandom[sources];
            for (int s = 0; s < sources; s++) {
                draws[s] = root.split();
            }
        } else {
            draws = null;
        }
        this.stop = stopTable(config, vocab);
        this.scores = new float[vocab];
        this.order = new long[vocab];
        this.stamps = new int[vocab];
        this.logProb = new double[sources];
        this.finish = new Finish[sources];
    }

    static boolean[] stopTable(GenerationConfig config, int vocab) {
        boolean[] stop = new boolean[vocab];
        for (int t : config.stopTokens()) {
            if (t >= vocab) {
                throw new IllegalArgumentException("stopTokens: expected ids below the vocabulary size " + vocab
                        + " but got " + t);
            }
            stop[t] = true;
        }
        return stop;
    }

    @Override
    public boolean advance(float[] logits, Rows rows, StepDecoder steps, int[][] next) {
        int vocab = scores.length;
        boolean running = false;
        for (int r = 0; r < rows.rows(); r++) {
            if (finish[r] != null) {
                next[r][0] = rows.last(r);
                continue;
            }
            int token = rows.forcedToken(r);
            if (token < 0) {
                System.arraycopy(logits, r * vocab, scores, 0, vocab);
                Scores.penalizeRepetitions(scores, rows.history(r), rows.length(r), config.repetitionPenalty(),
                        stamps, ++stamp);
                token = choose(r);
                logProb[r] += scores[token] - Scores.logSumExp(scores, vocab);
                if (stop[token]) {
                    finish[r] = Finish.STOP_TOKEN;
                    next[r][0] = rows.last(r);
                    continue;
                }
                rows.append(r, token);
                if (rows.generated(r) == config.maxNewTokens()) {
                    finish[r] = Finish.MAX_LENGTH;
                    next[r][0] = token;
                    continue;
                }
            } else {
                rows.append(r, token);
            }
            next[r][0] = token;
            running = true;
        }
        return running;
    }

    /** The token of row {@code r} from its penalised scores (warped in place when sampling). */
    private int choose(int r) {
        int vocab = scores.length;
        if (random == null) {
            return Scores.argmax(scores, 0, vocab);
        }
        Scores.divide(scores, vocab, random.temperature());
        if ((random.topK() > 0 && random.topK() < vocab) || random.topP() < 1) {
            Scores.sortAscending(scores, vocab, order); // once for both warpers: top-k only removes the lowest
        }
        Scores.keepTopK(scores, vocab, random.topK(), order);
        Scores.keepTopP(scores, vocab, random.topP(), order);
        return Scores.draw(scores, vocab, draws[r].nextDouble());
    }

    @Override
    public List<Generation> results(Rows rows) {
        List<Generation> out = new ArrayList<>(rows.rows());
        for (int r = 0; r < rows.rows(); r++) {
            out.add(new Generation(List.of(new Hypothesis(rows.generatedTokens(r), logProb[r], finish[r]))));
        }
        return out;
    }
}
