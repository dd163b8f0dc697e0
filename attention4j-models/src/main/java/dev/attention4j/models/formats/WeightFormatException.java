package dev.attention4j.models.formats;

import java.nio.file.Path;

/**
 * A weight file is malformed: truncated, corrupt, hostile or simply not in the format it claims. The message names
 * the file, the byte offset where the problem was found (when there is one), what is wrong and a hint on what to do.
 */
public final class WeightFormatException extends FileFormatException {

    /**
     * @param file    the file being read
     * @param offset  the byte position of the problem in the file, or {@link #NO_OFFSET}
     * @param problem what is wrong, e.g. {@code "tensor 'w' has a negative dim"}
     * @param hint    a sentence on what probably happened or what to do
     */
    public WeightFormatException(Path file, long offset, String problem, String hint) {
        this(file, offset, problem, hint, null);
    }

    /** As {@link #WeightFormatException(Path, long, String, String)}, keeping the low-level {@code cause}. */
    public WeightFormatException(Path file, long offset, String problem, String hint, Throwable cause) {
        super(file, offset, problem, hint, cause);
    }
}
