package dev.attention4j.models.retrieval;

import java.util.Objects;

/**
 * One search result.
 *
 * @param lineNumber the line's number in the corpus, from 1 (empty lines count)
 * @param text       the line
 * @param score      cosine similarity of the line's embedding and the query's, in {@code [-1, 1]}
 */
public record Hit(int lineNumber, String text, double score) {

    public Hit {
        if (lineNumber < 1) {
            throw new IllegalArgumentException("lineNumber: expected >= 1 but got " + lineNumber);
        }
        Objects.requireNonNull(text, "text");
    }
}
