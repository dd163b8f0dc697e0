package dev.attention4j.models.formats;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A model file is malformed, hostile or not in the format it claims: the checked exception every file reader of
 * attention4j-models throws, as a subclass naming the kind of file ({@link WeightFormatException},
 * {@code TokenizerFormatException}). The message is {@code FILE (byte OFFSET): PROBLEM. HINT}.
 */
public abstract class FileFormatException extends IOException {

    /** The value of {@link #offset()} when the problem has no single byte position in the file. */
    public static final long NO_OFFSET = -1;

    private final transient Path file;
    private final long offset;

    /**
     * @param file    the file being read
     * @param offset  the byte position of the problem in the file, or {@link #NO_OFFSET}
     * @param problem what is wrong
     * @param hint    a sentence on what probably happened or what to do
     * @param cause   the low-level cause, or null
     */
    protected FileFormatException(Path file, long offset, String problem, String hint, Throwable cause) {
        super(file + (offset >= 0 ? " (byte " + offset + ")" : "") + ": " + problem + ". " + hint, cause);
        this.file = file;
        this.offset = offset;
    }

    /** The file that is malformed. */
    public Path file() {
        return file;
    }

    /** The byte position of the problem, or {@link #NO_OFFSET}. */
    public long offset() {
        return offset;
    }
}
