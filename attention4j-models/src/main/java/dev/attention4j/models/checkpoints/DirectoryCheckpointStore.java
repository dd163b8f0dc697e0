package dev.attention4j.models.checkpoints;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.attention4j.models.formats.Safetensors;
import dev.attention4j.models.formats.WeightFormatException;
import dev.attention4j.tensor.Tensor;
import dev.attention4j.train.Checkpoint;
import dev.attention4j.train.CheckpointStore;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps checkpoints in a directory, one sub-directory per step, crash-safely:
 * <pre>
 * DIR/checkpoints/
 *   step-000000100/  weights.safetensors  optimizer.safetensors  config.json  extra.json
 *   step-000000200/  ...
 *   LATEST           "step-000000200\n": the newest complete checkpoint
 * </pre>
 * {@code weights.safetensors} and {@code optimizer.safetensors} are plain F32 safetensors files (the weights under
 * PyTorch's names, so {@code safetensors.torch.load_file} reads them); {@code config.json} is
 * {@link Checkpoint#configJson()} byte for byte; {@code extra.json} is a JSON object of strings.
 *
 * <h2>Crash safety</h2>
 * {@link #save} writes the four files into a fresh {@code step-N.tmp-<random>} directory, each to a temporary name,
 * synced and renamed atomically; then syncs that directory and renames it to {@code step-N}; then replaces
 * {@code LATEST} the same way; directory entries are synced after each rename. {@code LATEST} only ever names a
 * directory that is complete on disk, so whenever the process dies, {@link #loadLatest} returns the previous
 * complete checkpoint (or the new one, once {@code LATEST} has moved). Debris of an interrupted save is ignored:
 * temporary directories are deleted by the next successful save, and a renamed step directory that {@code LATEST}
 * never named is replaced when that step is saved again (as is any step directory but the one {@code LATEST}
 * names).
 *
 * <h2>Retention</h2>
 * After {@code LATEST} moves, step directories older than the newest {@code keep} (those up to the latest step) are
 * deleted. Directories of later steps than the latest (left by an interrupted save) are left alone.
 *
 * <p>One writer per directory at a time. Loaded weight and optimizer maps are in the files' order (sorted by name),
 * not the order they were saved in.
 */
public final class DirectoryCheckpointStore implements CheckpointStore {

    /** How many checkpoints {@link #DirectoryCheckpointStore(Path)} keeps. */
    public static final int DEFAULT_KEEP = 2;

    static final String CHECKPOINTS = "checkpoints";
    static final String LATEST = "LATEST";
    static final String WEIGHTS = "weights.safetensors";
    static final String OPTIMIZER = "optimizer.safetensors";
    static final String CONFIG = "config.json";
    static final String EXTRA = "extra.json";

    /** The longest LATEST we read: a step directory name and a newline, with room to spare. */
    private static final int MAX_LATEST_BYTES = 64;
    private static final Pattern STEP_DIRECTORY = Pattern.compile("step-(\\d{9,19})");
    private static final Pattern TEMP_STEP_DIRECTORY = Pattern.compile("step-\\d{9,19}\\.tmp-[0-9a-z]+");
    private static final Pattern TEMP_LATEST = Pattern.compile("\\." + LATEST + "\\.[0-9a-z]+\\.tmp");
    private static final String DAMAGED = "The checkpoint directory was modified by hand or damaged; restore the file or"
            + " point LATEST at another complete step directory.";

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(SerializationFeature.INDENT_OUTPUT);

    /** The moments of a save after which a test may simulate a crash. */
    enum SavePoint {
        WEIGHTS_WRITTEN, OPTIMIZER_WRITTEN, CONFIG_WRITTEN, EXTRA_WRITTEN, DIRECTORY_RENAMED, LATEST_UPDATED
    }

    /** Called at each {@link SavePoint}; a test's hook throws to simulate a crash there. */
    @FunctionalInterface
    interface SaveHook {
        void reached(SavePoint point) throws IOException;
    }

    private final Path checkpoints;
    private final int keep;
    private final SaveHook hook;

    /** A store in {@code directory}/checkpoints keeping the newest {@value #DEFAULT_KEEP} checkpoints. */
    public DirectoryCheckpointStore(Path directory) {
        this(directory, DEFAULT_KEEP);
    }

    /**
     * A store in {@code directory}/checkpoints keeping the newest {@code keep} checkpoints.
     *
     * @param keep how many step directories survive a save, {@code >= 1}
     */
    public DirectoryCheckpointStore(Path directory, int keep) {
        this(directory, keep, point -> { });
    }

    DirectoryCheckpointStore(Path directory, int keep, SaveHook hook) {
        Objects.requireNonNull(directory, "directory");
        if (keep < 1) {
            throw new IllegalArgumentException("keep: expected >= 1 but got " + keep);
        }
        this.checkpoints = directory.resolve(CHECKPOINTS);
        this.keep = keep;
        this.hook = Objects.requireNonNull(hook, "hook");
    }

    /** The {@code checkpoints} directory this store writes in. */
    public Path checkpointsDirectory() {
        return checkpoints;
    }

    /** The name of step {@code step}'s directory: {@code step-} and the step with at least nine digits. */
    static String stepDirectoryName(long step) {
        return String.format("step-%09d", step);
    }

    /**
     * Writes {@code checkpoint} as {@code step-<step>} and points {@code LATEST} at it, then deletes checkpoints
     * beyond the newest {@code keep}.
     *
     * @throws IllegalArgumentException   if {@code configJson} is not one JSON document, or a tensor name cannot be
     *                                    stored (see {@link Safetensors#write})
     * @throws FileAlreadyExistsException if {@code LATEST} already names this step's directory (a complete
     *                                    checkpoint is never overwritten in place)
     * @throws WeightFormatException      if an existing {@code LATEST} is unreadable (too long, not UTF-8)
     */
    @Override
    public void save(Checkpoint checkpoint) throws IOException {
        Objects.requireNonNull(checkpoint, "checkpoint");
        requireJson(checkpoint.configJson());
        Files.createDirectories(checkpoints);
        String name = stepDirectoryName(checkpoint.step());
        Path target = checkpoints.resolve(name);
        Optional<String> latest = readLatestName();
        if (latest.isPresent() && latest.get().equals(name)) {
            throw new FileAlreadyExistsException(target.toString(), null, "it is the latest checkpoint;"
                    + " a complete checkpoint is never overwritten");
        }

        Path temp = AtomicFiles.createTempDirectory(target);
        try {
            Safetensors.write(temp.resolve(WEIGHTS), checkpoint.weights(), Map.of("format", "pt"));
            hook.reached(SavePoint.WEIGHTS_WRITTEN);
            Safetensors.write(temp.resolve(OPTIMIZER), checkpoint.optimizerState(), Map.of());
            hook.reached(SavePoint.OPTIMIZER_WRITTEN);
            AtomicFiles.write(temp.resolve(CONFIG), checkpoint.configJson().getBytes(StandardCharsets.UTF_8));
            hook.reached(SavePoint.CONFIG_WRITTEN);
            AtomicFiles.write(temp.resolve(EXTRA), JSON.writeValueAsBytes(checkpoint.extra()));
            hook.reached(SavePoint.EXTRA_WRITTEN);
            AtomicFiles.syncDirectory(temp);
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                // Left by a save that died after its rename but before LATEST moved: never part of a checkpoint.
                AtomicFiles.deleteRecursively(target);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            try {
                AtomicFiles.deleteRecursively(temp);
            } catch (IOException deleting) {
                e.addSuppressed(deleting);
            }
            throw e;
        }
        AtomicFiles.syncDirectory(checkpoints);
        hook.reached(SavePoint.DIRECTORY_RENAMED);

        AtomicFiles.write(checkpoints.resolve(LATEST), (name + "\n").getBytes(StandardCharsets.US_ASCII));
        AtomicFiles.syncDirectory(checkpoints);
        hook.reached(SavePoint.LATEST_UPDATED);

        deleteBeyondRetention(checkpoint.step());
    }

    private static void requireJson(String json) {
        try {
            if (JSON.readTree(json).isMissingNode()) {
                throw new IllegalArgumentException("configJson: expected a JSON document but got an empty string");
            }
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("configJson: not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** Deletes old step directories beyond the newest {@code keep} up to {@code latestStep}, and save debris. */
    private void deleteBeyondRetention(long latestStep) throws IOException {
        List<Long> steps = new ArrayList<>();
        List<Path> debris = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(checkpoints)) {
            for (Path entry : entries) {
                String fileName = entry.getFileName().toString();
                Matcher m = STEP_DIRECTORY.matcher(fileName);
                if (m.matches() && Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
                    long step = parseStep(m.group(1));
                    if (step >= 0 && step <= latestStep) {
                        steps.add(step);
                    }
                } else if (TEMP_STEP_DIRECTORY.matcher(fileName).matches() || TEMP_LATEST.matcher(fileName).matches()) {
                    debris.add(entry);
                }
            }
        }
        steps.sort(null);
        List<Long> old = steps.subList(0, Math.max(0, steps.size() - keep));
        for (long step : old) {
            AtomicFiles.deleteRecursively(checkpoints.resolve(stepDirectoryName(step)));
        }
        for (Path path : debris) {
            AtomicFiles.deleteRecursively(path);
        }
        if (!old.isEmpty() || !debris.isEmpty()) {
            AtomicFiles.syncDirectory(checkpoints);
        }
    }

    /** The step a directory name's digits denote, or -1 if they overflow a long. */
    private static long parseStep(String digits) {
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * The checkpoint {@code LATEST} names, or empty if there is no {@code LATEST} (nothing was ever saved
     * completely, or the directory does not exist).
     *
     * @throws WeightFormatException if {@code LATEST} is malformed, names a missing directory, or a file of the
     *                               checkpoint is missing or malformed (the message names the path)
     */
    @Override
    public Optional<Checkpoint> loadLatest() throws IOException {
        Optional<Path> latestDirectory = latestDirectory();
        if (latestDirectory.isEmpty()) {
            return Optional.empty();
        }
        Path dir = latestDirectory.get();
        Matcher m = STEP_DIRECTORY.matcher(dir.getFileName().toString());
        long step = m.matches() ? parseStep(m.group(1)) : -1; // latestDirectory checked that it matches
        Map<String, Tensor> weights = Safetensors.readAll(requireFile(dir.resolve(WEIGHTS)));
        Map<String, Tensor> optimizer = Safetensors.readAll(requireFile(dir.resolve(OPTIMIZER)));
        Path configPath = requireFile(dir.resolve(CONFIG));
        byte[] configBytes = Files.readAllBytes(configPath);
        String config = decodeUtf8(configPath, configBytes);
        parseJson(configPath, configBytes);
        Path extraPath = requireFile(dir.resolve(EXTRA));
        JsonNode extraJson = parseJson(extraPath, Files.readAllBytes(extraPath));
        if (!extraJson.isObject()) {
            throw new WeightFormatException(extraPath, 0, "expected a JSON object of strings but found "
                    + extraJson.getNodeType(), DAMAGED);
        }
        Map<String, String> extra = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : extraJson.properties()) {
            if (!field.getValue().isTextual()) {
                throw new WeightFormatException(extraPath, WeightFormatException.NO_OFFSET, "'" + field.getKey()
                        + "' is " + field.getValue().getNodeType() + " where a string belongs", DAMAGED);
            }
            extra.put(field.getKey(), field.getValue().textValue());
        }
        return Optional.of(new Checkpoint(step, weights, optimizer, config, extra));
    }

    /**
     * The weights file of the checkpoint {@code LATEST} names, without reading it or the rest of the checkpoint: for
     * a reader that only needs the model (inference), or empty if there is no {@code LATEST}.
     *
     * @throws WeightFormatException if {@code LATEST} is malformed, or names a missing directory or one without a
     *                               weights file
     */
    public Optional<Path> latestWeightsFile() throws IOException {
        Optional<Path> dir = latestDirectory();
        return dir.isEmpty() ? Optional.empty() : Optional.of(requireFile(dir.get().resolve(WEIGHTS)));
    }

    /** The step directory {@code LATEST} names, checked to exist, or empty if there is no {@code LATEST}. */
    private Optional<Path> latestDirectory() throws IOException {
        Optional<String> name = readLatestName();
        if (name.isEmpty()) {
            return Optional.empty();
        }
        Path latest = checkpoints.resolve(LATEST);
        Matcher m = STEP_DIRECTORY.matcher(name.get());
        long step = m.matches() ? parseStep(m.group(1)) : -1;
        if (step < 0) {
            throw new WeightFormatException(latest, 0, "holds '" + printable(name.get())
                    + "' where the name of a step directory such as step-000000123 belongs", DAMAGED);
        }
        Path dir = checkpoints.resolve(name.get());
        if (!Files.isDirectory(dir)) {
            throw new WeightFormatException(dir, WeightFormatException.NO_OFFSET, "the step directory named by "
                    + latest + " is missing", DAMAGED);
        }
        return Optional.of(dir);
    }

    /** The first line of {@code LATEST}, or empty if there is none. */
    private Optional<String> readLatestName() throws IOException {
        Path latest = checkpoints.resolve(LATEST);
        byte[] bytes;
        try {
            if (Files.size(latest) > MAX_LATEST_BYTES) {
                throw new WeightFormatException(latest, MAX_LATEST_BYTES, "is " + Files.size(latest) + " bytes long,"
                        + " more than the name of a step directory takes", DAMAGED);
            }
            bytes = Files.readAllBytes(latest);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        String text = decodeUtf8(latest, bytes);
        return Optional.of(text.endsWith("\n") ? text.substring(0, text.length() - 1) : text);
    }

    private static Path requireFile(Path file) throws WeightFormatException {
        if (!Files.isRegularFile(file)) {
            throw new WeightFormatException(file, WeightFormatException.NO_OFFSET, "missing from the checkpoint",
                    DAMAGED);
        }
        return file;
    }

    private static String decodeUtf8(Path file, byte[] bytes) throws WeightFormatException {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new WeightFormatException(file, WeightFormatException.NO_OFFSET, "is not valid UTF-8", DAMAGED, e);
        }
    }

    private static JsonNode parseJson(Path file, byte[] bytes) throws WeightFormatException {
        JsonNode node;
        try {
            node = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            JsonLocation where = e.getLocation();
            long offset = where == null ? WeightFormatException.NO_OFFSET : where.getByteOffset();
            throw new WeightFormatException(file, offset, "is not valid JSON: " + e.getOriginalMessage(), DAMAGED, e);
        } catch (IOException e) {
            throw new WeightFormatException(file, WeightFormatException.NO_OFFSET, "cannot be parsed as JSON: "
                    + e.getMessage(), DAMAGED, e);
        }
        if (node == null || node.isMissingNode()) {
            throw new WeightFormatException(file, 0, "is empty where a JSON document belongs", DAMAGED);
        }
        return node;
    }

    /** {@code text} with control characters escaped, for a message. */
    private static String printable(String text) {
        StringBuilder sb = new StringBuilder();
        text.codePoints().forEach(c -> {
            if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\u%04x", c));
            } else {
                sb.appendCodePoint(c);
            }
        });
        return sb.toString();
    }

    @Override
    public String toString() {
        return "DirectoryCheckpointStore[" + checkpoints + ", keep " + keep + "]";
    }
}
