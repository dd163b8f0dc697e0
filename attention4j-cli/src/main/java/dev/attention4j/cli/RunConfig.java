package dev.attention4j.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.EnumFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.attention4j.train.data.BpeTokenizer;
import dev.attention4j.train.data.CharTokenizer;
import dev.attention4j.train.data.Tokenizer;
import dev.attention4j.train.data.WordTokenizer;

import java.util.List;
import java.util.Objects;

/**
 * A training run's {@code config.json}: what the run trains on, with which seed and preset, and its tokenizers'
 * vocabularies, so that it can be resumed, and its checkpoints read, without retraining anything. Each checkpoint
 * holds a copy. Written as indented JSON with snake_case names and lower-case enum values:
 * <pre>
 * {
 *   "format" : "attention4j-train", "format_version" : 1,
 *   "task" : "copy", "data" : null,          (or "task" : null, "data" : {"path", "size", "sha256"})
 *   "seed" : 7,
 *   "preset" : { "model" : {...}, "optimization" : {...}, "data" : {...}, "length" : {...} },
 *   "max_len" : 64,
 *   "source_tokenizer" : { "kind" : "char", "vocabulary" : [ "&lt;pad&gt;", ... ], "merges" : null },
 *   "target_tokenizer" : { ... }
 * }
 * </pre>
 *
 * @param format          always {@link #FORMAT}
 * @param formatVersion   {@link #FORMAT_VERSION}; a reader refuses newer versions
 * @param task            the built-in task, or null for a file
 * @param data            the TSV file, or null for a built-in task
 * @param seed            the run's seed, from which every random choice derives ({@link RunSeeds})
 * @param preset          the hyper-parameters
 * @param maxLen          the model's longest sequence (positions)
 * @param sourceTokenizer the source side's tokenizer
 * @param targetTokenizer the target side's tokenizer
 */
record RunConfig(String format, int formatVersion, BuiltInTask task, DataFile data, long seed, TaskPreset preset,
                 int maxLen, SavedTokenizer sourceTokenizer, SavedTokenizer targetTokenizer) {

    static final String FORMAT = "attention4j-train";
    static final int FORMAT_VERSION = 1;

    private static final ObjectMapper JSON = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(EnumFeature.WRITE_ENUMS_TO_LOWERCASE)
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    RunConfig {
        if (!FORMAT.equals(format)) {
            throw new IllegalArgumentException("format: expected \"" + FORMAT + "\" but got "
                    + (format == null ? "none" : "\"" + format + "\""));
        }
        if (formatVersion < 1 || formatVersion > FORMAT_VERSION) {
            throw new IllegalArgumentException("format_version: this attention4j reads versions 1 to "
                    + FORMAT_VERSION + " but got " + formatVersion);
        }
        if ((task == null) == (data == null)) {
            throw new IllegalArgumentException("task, data: expected exactly one but got "
                    + (task == null ? "neither" : "both"));
        }
        Objects.requireNonNull(preset, "preset");
        TaskPreset.Data d = preset.data();
        if (task != null && d.examples() < 1) {
            throw new IllegalArgumentException("preset.data.examples: expected >= 1 for a task but got "
                    + d.examples());
        }
        if (data != null && d.examples() != 0) {
            throw new IllegalArgumentException("preset.data.examples: expected 0 (every line) for a file but got "
                    + d.examples());
        }
        if ((task != null && task.usesStrings()) != (d.strings() != null)) {
            throw new IllegalArgumentException("preset.data.strings: expected " + (d.strings() == null
                    ? "the strings of the " + task + " task but got none" : "none for " + (task == null ? "a file"
                    : "the " + task + " task") + " but got " + d.strings()));
        }
        if (maxLen < 1) {
            throw new IllegalArgumentException("max_len: expected >= 1 but got " + maxLen);
        }
        Objects.requireNonNull(sourceTokenizer, "source_tokenizer");
        Objects.requireNonNull(targetTokenizer, "target_tokenizer");
        if (sourceTokenizer.kind() != d.sourceTokenizer() || targetTokenizer.kind() != d.targetTokenizer()) {
            throw new IllegalArgumentException("source_tokenizer, target_tokenizer: expected kinds "
                    + d.sourceTokenizer() + " and " + d.targetTokenizer() + " (as in preset.data) but got "
                    + sourceTokenizer.kind() + " and " + targetTokenizer.kind());
        }
    }

    static RunConfig of(BuiltInTask task, DataFile data, long seed, TaskPreset preset, int maxLen,
                        Tokenizer sourceTokenizer, Tokenizer targetTokenizer) {
        return new RunConfig(FORMAT, FORMAT_VERSION, task, data, seed, preset, maxLen,
                SavedTokenizer.of(preset.data().sourceTokenizer(), sourceTokenizer),
                SavedTokenizer.of(preset.data().targetTokenizer(), targetTokenizer));
    }

    /** The JSON document, ending in a newline. */
    String toJson() {
        try {
            return JSON.writeValueAsString(this) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a RunConfig as JSON", e); // only plain records here
        }
    }

    /**
     * Reads {@link #toJson()} back.
     *
     * @throws JsonProcessingException if {@code json} is not such a document (the message says where and why)
     */
    static RunConfig fromJson(String json) throws JsonProcessingException {
        return JSON.readValue(json, RunConfig.class);
    }

    RunConfig withLength(TaskPreset.Length length) {
        return new RunConfig(format, formatVersion, task, data, seed, preset.withLength(length), maxLen,
                sourceTokenizer, targetTokenizer);
    }

    /** Whether {@code other} describes the same run, perhaps with a different {@link TaskPreset.Length}. */
    boolean sameRunAs(RunConfig other) {
        return equals(other.withLength(preset.length()));
    }

    /**
     * The TSV file a run trains on, as it was when the run began.
     *
     * @param path   absolute
     * @param size   in bytes
     * @param sha256 of the whole file, lower-case hex
     */
    record DataFile(String path, long size, String sha256) {

        DataFile {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(sha256, "sha256");
        }
    }

    /**
     * A tokenizer as text: its {@link Tokenizer#vocabulary()} lines and, for BPE, its {@link BpeTokenizer#merges()}.
     *
     * @param kind       which implementation
     * @param vocabulary one escaped token per id
     * @param merges     BPE's merges in rank order; null for the others
     */
    record SavedTokenizer(TokenizerKind kind, List<String> vocabulary, List<String> merges) {

        SavedTokenizer {
            Objects.requireNonNull(kind, "kind");
            vocabulary = List.copyOf(Objects.requireNonNull(vocabulary, "vocabulary"));
            if ((kind == TokenizerKind.BPE) != (merges != null)) {
                throw new IllegalArgumentException("merges: expected " + (kind == TokenizerKind.BPE
                        ? "a list for a bpe tokenizer but got none" : "none for a " + kind + " tokenizer"));
            }
            merges = merges == null ? null : List.copyOf(merges);
        }

        static SavedTokenizer of(TokenizerKind kind, Tokenizer tokenizer) {
            return switch (kind) {
                case CHAR, WORD -> new SavedTokenizer(kind, tokenizer.vocabulary(), null);
                case BPE -> new SavedTokenizer(kind, tokenizer.vocabulary(), ((BpeTokenizer) tokenizer).merges());
            };
        }

        /** The tokenizer these lines describe. */
        Tokenizer restore() {
            return switch (kind) {
                case CHAR -> CharTokenizer.fromVocabulary(vocabulary);
                case WORD -> WordTokenizer.fromVocabulary(vocabulary);
                case BPE -> BpeTokenizer.fromMerges(vocabulary, merges);
            };
        }
    }
}
