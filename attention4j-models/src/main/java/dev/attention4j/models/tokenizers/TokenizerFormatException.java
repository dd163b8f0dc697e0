package dev.attention4j.models.tokenizers;

import dev.attention4j.models.formats.FileFormatException;

import java.nio.file.Path;

/**
 * A {@code tokenizer.json} file is malformed, hostile, or describes a tokenizer attention4j cannot run. The message
 * names the file, where in it the problem is (a JSON path such as {@code model.vocab}, and a byte offset when the
 * JSON itself is broken), what is wrong and a hint on what to do.
 */
public final class TokenizerFormatException extends FileFormatException {

    /**
     * @param file    the file being read
     * @param offset  the byte position of the problem in the file, or {@link #NO_OFFSET}
     * @param problem what is wrong, e.g. {@code "model.vocab is missing"}
     * @param hint    a sentence on what probably happened or what to do
     */
    public TokenizerFormatException(Path file, long offset, String problem, String hint) {
        this(file, offset, problem, hint, null);
    }

    /** As {@link #TokenizerFormatException(Path, long, String, String)}, keeping the low-level {@code cause}. */
    public TokenizerFormatException(Path file, long offset, String problem, String hint, Throwable cause) {
        super(file, offset, problem, hint, cause);
    }
}
