package dev.attention4j.models.formats;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A weight file is malformed: truncated, corrupt, hostile or simply not in the format it claims. The message names
 * the file, the byte offset where the problem was found (when there is one), what is wrong and a hint on what to do.
 */
public final class WeightFormatException extends IOException {

    /** The value of {@link #offset()} when the problem has no single position in the file. */
    public static final long NO_OFFSET = -1;

    private final transient Path file;
    private final long offset;

    /**
     * @param file    the file being read
     * @param offset  the absolute byte position of the problem in the file, or {@link #NO_OFFSET}
     * @param problem what is wrong, e.g. {@code "tensor 'w' has a negative dim"}
     * @param hint    a sentence on what probably happened or what to do
     */
    public WeightFormatException(Path file, long offset, String problem, String hint) {
        this(file, offset, problem, hint, null);
    }

    /** As {@link #WeightFormatException(Path, long, String, String)}, keeping the low-level {@code cause}. */
    public WeightFormatException(Path file, long offset, String problem, String hint, Throwable cause) {
        super(file + (offset >= 0 ? " (byte " + offset + ")" : "") + ": " + problem + ". " + hint, cause);
        this.file = file;
        this.offset = offset;
    }

    /** The file that is malformed. */
    public Path file() {
        return file;
    }

    /** The absolute byte position of the problem, or {@link #NO_OFFSET}. */
    public long offset() {
        return offset;
    }
}
