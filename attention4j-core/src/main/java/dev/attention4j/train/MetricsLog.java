package dev.attention4j.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Appends every {@link Evaluation} to a JSON-lines file ({@code metrics.jsonl}), one object per line. */
public final class MetricsLog implements TrainingListener {

    private final Path file;

    public MetricsLog(Path file) {
        this.file = file;
    }

    @Override
    public void onEvaluation(Evaluation evaluation) {
        try {
            Files.writeString(file, evaluation.toJson() + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + file, e);
        }
    }
}
