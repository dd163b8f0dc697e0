package dev.attention4j.train.data;

import java.io.IOException;
import java.nio.file.Path;

/** A data file is malformed: the message names the file, the 1-based line and what is wrong. */
public final class DataFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final int line;

    public DataFormatException(Path file, int line, String problem) {
        super(file + ":" + line + ": " + problem);
        this.file = file;
        this.line = line;
    }

    public Path file() {
        return file;
    }

    /** The 1-based line number. */
    public int line() {
        return line;
    }
}
