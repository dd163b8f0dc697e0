package dev.attention4j.train.data;

import java.util.Objects;

/** One training pair: the {@code source} text and the {@code target} text the model should produce from it. */
public record Example(String source, String target) {

    public Example {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(target, "target");
    }
}
