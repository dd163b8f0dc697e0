package dev.attention4j.train;

/**
 * One validation pass, as appended to {@code metrics.jsonl}.
 *
 * @param step           optimizer steps taken
 * @param elapsedSeconds wall-clock seconds since training started (runs resumed from included)
 * @param loss           teacher-forced cross-entropy per label token, without label smoothing
 * @param tokenAccuracy  teacher-forced: how often the most likely next token is the label, in [0, 1]
 * @param exactMatch     the share of sources whose decoded output equals the reference exactly, in [0, 1]
 * @param bleu           corpus BLEU-4 of the decoded outputs against the references, in [0, 100]
 */
public record Evaluation(long step, double elapsedSeconds, double loss, double tokenAccuracy, double exactMatch,
                         double bleu) {

    /** The object {@code metrics.jsonl} holds per line. */
    public String toJson() {
        return String.format(java.util.Locale.ROOT, "{\"step\":%d,\"elapsed_seconds\":%.3f,\"loss\":%.6f,"
                + "\"token_accuracy\":%.6f,\"exact_match\":%.6f,\"bleu\":%.4f}", step, elapsedSeconds, loss,
                tokenAccuracy, exactMatch, bleu);
    }
}
