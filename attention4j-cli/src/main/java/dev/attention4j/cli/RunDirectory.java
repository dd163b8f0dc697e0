package dev.attention4j.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attention4j.models.checkpoints.DirectoryCheckpointStore;
import dev.attention4j.train.Evaluation;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The files of a training run in its {@code --out} directory:
 * <pre>
 * DIR/config.json     {@link RunConfig}
 * DIR/metrics.jsonl   one {@link Evaluation#toJson()} per validation
 * DIR/checkpoints/    {@link DirectoryCheckpointStore}
 * DIR/loss.png        training and validation loss
 * DIR/accuracy.png    validation exact match and token accuracy
 * </pre>
 * Nothing else in the directory is touched.
 */
final class RunDirectory {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> METRICS_KEYS = List.of("step", "elapsed_seconds", "loss", "token_accuracy",
            "exact_match", "bleu");

    private final Path dir;

    /** @param dir absolute */
    RunDirectory(Path dir) {
        this.dir = dir;
    }

    Path dir() {
        return dir;
    }

    Path config() {
        return dir.resolve("config.json");
    }

    Path metrics() {
        return dir.resolve("metrics.jsonl");
    }

    Path checkpoints() {
        return store().checkpointsDirectory();
    }

    Path lossChart() {
        return dir.resolve("loss.png");
    }

    Path accuracyChart() {
        return dir.resolve("accuracy.png");
    }

    DirectoryCheckpointStore store() {
        return new DirectoryCheckpointStore(dir);
    }

    /** Creates the directory if needed. */
    void create() throws IOException, UserError {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new UserError("--out " + dir + " is a file, not a directory");
        }
        Files.createDirectories(dir);
    }

    /** Deletes a previous run's checkpoints, metrics, charts and config, leaving other files alone. */
    void deleteRun() throws IOException {
        Path checkpoints = checkpoints();
        if (Files.exists(checkpoints)) {
            try (Stream<Path> paths = Files.walk(checkpoints)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        for (Path p : List.of(metrics(), lossChart(), accuracyChart(), config())) {
            Files.deleteIfExists(p);
        }
    }

    /** Reads {@code config.json}. */
    RunConfig readConfig() throws IOException, UserError {
        String json;
        try {
            json = Files.readString(config(), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new UserError(config() + " is missing, so the run in " + dir + " cannot be resumed; pass --force "
                    + "to start over");
        }
        try {
            return RunConfig.fromJson(json);
        } catch (JsonProcessingException e) {
            throw new UserError(config() + ": not a training config this attention4j can read: "
                    + e.getOriginalMessage().lines().findFirst().orElse("") + locationOf(e), e);
        }
    }

    private static String locationOf(JsonProcessingException e) {
        return e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column "
                + e.getLocation().getColumnNr() + ")";
    }

    /** Writes {@code config.json} atomically. */
    void writeConfig(RunConfig config) throws IOException {
        writeAtomically(config(), config.toJson());
    }

    /** The evaluations in {@code metrics.jsonl}, in file order; none if there is no such file. */
    List<Evaluation> readMetrics() throws IOException, UserError {
        List<Evaluation> evaluations = new ArrayList<>();
        for (String line : metricsLines()) {
            evaluations.add(parseMetric(line, evaluations.size() + 1));
        }
        return evaluations;
    }

    private List<String> metricsLines() throws IOException {
        if (!Files.exists(metrics())) {
            return List.of();
        }
        return Files.readAllLines(metrics(), StandardCharsets.UTF_8);
    }

    private Evaluation parseMetric(String line, int lineNumber) throws UserError {
        try {
            JsonNode node = JSON.readTree(line);
            for (String key : METRICS_KEYS) {
                if (node == null || !node.path(key).isNumber()) {
                    throw new UserError(metrics() + ":" + lineNumber + ": expected a number \"" + key + "\"");
                }
            }
            return new Evaluation(node.get("step").asLong(), node.get("elapsed_seconds").asDouble(),
                    node.get("loss").asDouble(), node.get("token_accuracy").asDouble(),
                    node.get("exact_match").asDouble(), node.get("bleu").asDouble());
        } catch (JsonProcessingException e) {
            throw new UserError(metrics() + ":" + lineNumber + ": not a JSON object: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * Drops the evaluations after {@code step} from {@code metrics.jsonl}: they belong to training that went past
     * the checkpoint a run resumes from, and will be done again.
     */
    void keepMetricsUpTo(long step) throws IOException, UserError {
        List<String> lines = metricsLines();
        StringBuilder kept = new StringBuilder();
        boolean dropped = false;
        for (int i = 0; i < lines.size(); i++) {
            if (parseMetric(lines.get(i), i + 1).step() <= step) {
                kept.append(lines.get(i)).append('\n');
            } else {
                dropped = true;
            }
        }
        if (dropped) {
            writeAtomically(metrics(), kept.toString());
        }
    }

    /** Writes {@code text} to a temporary file beside {@code file}, then moves it over {@code file}. */
    private static void writeAtomically(Path file, String text) throws IOException {
        Path temp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.writeString(temp, text, StandardCharsets.UTF_8);
        try {
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
