package dev.attention4j.generate;

import java.util.List;

/**
 * What was generated for one source (or prompt): one hypothesis for greedy and sampling, the
 * {@code numReturnSequences} best for beam search, best first.
 */
public record Generation(List<Hypothesis> hypotheses) {
    public Generation {
        if (hypotheses.isEmpty()) {
            throw new IllegalArgumentException("hypotheses: expected at least one but got none");
        }
        hypotheses = List.copyOf(hypotheses);
    }

    /** The best hypothesis. */
    public Hypothesis best() {
        return hypotheses.get(0);
    }

    /** The best hypothesis's tokens. */
    public int[] tokens() {
        return best().tokens();
    }
}
