package dev.attention4j.models.pretrained;

import java.io.IOException;

/**
 * A model named or pointed at cannot be found: an unknown name (the message lists the known ones), a known name whose
 * Maven artifact is not on the classpath (the message gives the coordinates to add), or a path that is not a model
 * directory or file (the message says which files were looked for).
 */
public final class ModelNotFoundException extends IOException {

    private static final long serialVersionUID = 1L;

    public ModelNotFoundException(String message) {
        super(message);
    }
}
