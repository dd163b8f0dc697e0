package dev.attention4j.models.formats;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A Hugging Face {@code config.json}: one JSON object of hyper-parameters ({@code hidden_size},
 * {@code num_attention_heads}, {@code layer_norm_eps}, ...). This class reads the fields with their JSON types
 * checked; a model family's config record gives them meaning and checks their ranges.
 */
public final class HfConfigFile {

    /** Far above any real config (a few KB); a larger file is not a config. */
    static final long MAX_BYTES = 16L << 20;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HINT = "config.json should be the model's Hugging Face configuration file.";

    private final Path path;
    private final JsonNode root;

    private HfConfigFile(Path path, JsonNode root) {
        this.path = path;
        this.root = root;
    }

    /**
     * Reads and parses {@code path}.
     *
     * @throws WeightFormatException if it is larger than 16 MiB, not JSON, or not a JSON object
     */
    public static HfConfigFile read(Path path) throws IOException {
        Objects.requireNonNull(path, "path");
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            if (channel.size() > MAX_BYTES) {
                throw new WeightFormatException(path, WeightFormatException.NO_OFFSET, "the file is "
                        + channel.size() + " bytes long, far more than a config.json (at most " + MAX_BYTES + ")",
                        HINT);
            }
        }
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(path));
        } catch (JsonProcessingException e) {
            long at = e.getLocation() == null ? WeightFormatException.NO_OFFSET
                    : Math.max(WeightFormatException.NO_OFFSET, e.getLocation().getByteOffset());
            throw new WeightFormatException(path, at, "the file is not valid JSON: " + e.getOriginalMessage(),
                    HINT, e);
        }
        if (root == null || !root.isObject()) {
            throw new WeightFormatException(path, 0, "the file must hold one JSON object but holds "
                    + (root == null || root.isMissingNode() ? "nothing" : root.getNodeType().toString()
                    .toLowerCase(java.util.Locale.ROOT)), HINT);
        }
        return new HfConfigFile(path, root);
    }

    /** The file this was read from. */
    public Path path() {
        return path;
    }

    /** The top-level field names, in file order. */
    public List<String> fields() {
        List<String> names = new ArrayList<>();
        root.fieldNames().forEachRemaining(names::add);
        return Collections.unmodifiableList(names);
    }

    /** Whether {@code field} is present and not {@code null}. */
    public boolean has(String field) {
        JsonNode node = root.get(field);
        return node != null && !node.isNull();
    }

    /** The integer {@code field}. */
    public int requireInt(String field) throws WeightFormatException {
        return intValue(field).orElseThrow(() -> missing(field, "an integer"));
    }

    /** The integer {@code field}, or {@code fallback} when absent or null. */
    public int intOr(String field, int fallback) throws WeightFormatException {
        return intValue(field).orElse(fallback);
    }

    /** The number {@code field} (integer or not). */
    public double requireNumber(String field) throws WeightFormatException {
        return number(field).orElseThrow(() -> missing(field, "a number"));
    }

    /** The number {@code field}, or {@code fallback} when absent or null. */
    public double numberOr(String field, double fallback) throws WeightFormatException {
        return number(field).orElse(fallback);
    }

    /** The string {@code field}. */
    public String requireString(String field) throws WeightFormatException {
        return string(field).orElseThrow(() -> missing(field, "a string"));
    }

    /** The string {@code field}, or {@code fallback} when absent or null. */
    public String stringOr(String field, String fallback) throws WeightFormatException {
        return string(field).orElse(fallback);
    }

    /**
     * A problem with the file's values that a model family found (a value out of range, an unsupported setting), as
     * this file's {@link WeightFormatException}.
     */
    public WeightFormatException invalid(String problem, String hint) {
        return new WeightFormatException(path, WeightFormatException.NO_OFFSET, problem, hint);
    }

    private Optional<Integer> intValue(String field) throws WeightFormatException {
        if (!has(field)) {
            return Optional.empty();
        }
        JsonNode node = root.get(field);
        if (!node.isIntegralNumber() || !node.canConvertToInt()) {
            throw wrongType(field, "an integer that fits 32 bits", node);
        }
        return Optional.of(node.intValue());
    }

    private Optional<Double> number(String field) throws WeightFormatException {
        if (!has(field)) {
            return Optional.empty();
        }
        JsonNode node = root.get(field);
        if (!node.isNumber()) {
            throw wrongType(field, "a number", node);
        }
        return Optional.of(node.doubleValue());
    }

    private Optional<String> string(String field) throws WeightFormatException {
        if (!has(field)) {
            return Optional.empty();
        }
        JsonNode node = root.get(field);
        if (!node.isTextual()) {
            throw wrongType(field, "a string", node);
        }
        return Optional.of(node.textValue());
    }

    private WeightFormatException missing(String field, String expected) {
        return new WeightFormatException(path, WeightFormatException.NO_OFFSET, "field '" + field + "' is missing"
                + " (expected " + expected + ")", HINT);
    }

    private WeightFormatException wrongType(String field, String expected, JsonNode node) {
        String shown = node.toString();
        if (shown.length() > 60) {
            shown = shown.substring(0, 57) + "...";
        }
        return new WeightFormatException(path, WeightFormatException.NO_OFFSET, "field '" + field + "' must be "
                + expected + " but is " + shown, HINT);
    }
}
