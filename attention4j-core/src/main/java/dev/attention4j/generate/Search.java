package dev.attention4j.generate;

import java.util.List;

/**
 * A strategy's state over one run: chooses every row's next token from the scores, step after step.
 */
sealed interface Search permits TokenByTokenSearch, BeamSearch {

    /**
     * Chooses the next token of every row from {@code logits (rows, vocab)}, appends it to {@code rows}, reorders
     * {@code rows} and {@code steps} if beams moved, and writes the tokens to feed next into {@code next (rows, 1)}.
     *
     * @return whether any source is still running (if not, nothing more is fed)
     */
    boolean advance(float[] logits, Rows rows, StepDecoder steps, int[][] next);

    /** Per source, what was generated. */
    List<Generation> results(Rows rows);
}
