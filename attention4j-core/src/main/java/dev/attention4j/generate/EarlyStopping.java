package dev.attention4j.generate;

/**
 * When beam search stops working on a source, as Hugging Face's {@code early_stopping} defines it. Either way a source
 * also stops once {@code maxNewTokens} tokens have been generated.
 */
public enum EarlyStopping {
    /** HF {@code True}: as soon as {@code beamSize} hypotheses have finished. */
    WHEN_BEAM_SIZE_FINISHED,
    /**
     * HF {@code False} (its default): once {@code beamSize} hypotheses have finished and the best running beam, scored
     * at its current length, cannot beat the worst of them.
     */
    HEURISTIC,
    /**
     * HF {@code "never"}: once {@code beamSize} hypotheses have finished and no running beam can beat the worst of
     * them even at the longest length allowed (with a positive length penalty; otherwise as {@link #HEURISTIC}).
     */
    NEVER
}
