package dev.attention4j.generate;

import java.util.Arrays;

/**
 * One generated sequence.
 *
 * @param tokens the generated ids, without the prompt (or BOS) and without the stop token
 * @param score  beam search: {@code sumLogProbs / generatedLength^lengthPenalty} (as HF's {@code sequences_scores});
 *               greedy and sampling: the sum of the chosen tokens' log-probabilities (stop token included) under the
 *               distribution each was chosen from (after repetition penalty, temperature, top-k and top-p)
 * @param finish why it ended
 */
public record Hypothesis(int[] tokens, double score, Finish finish) {
    public Hypothesis {
        tokens = tokens.clone();
    }

    @Override
    public int[] tokens() {
        return tokens.clone();
    }

    public int length() {
        return tokens.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Hypothesis h && Arrays.equals(tokens, h.tokens)
                && Double.compare(score, h.score) == 0 && finish == h.finish;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(tokens) + Double.hashCode(score)) + finish.hashCode();
    }

    @Override
    public String toString() {
        return "Hypothesis" + Arrays.toString(tokens) + " score " + score + " (" + finish + ")";
    }
}
