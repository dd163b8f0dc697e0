package dev.attention4j.cli;

import dev.attention4j.models.formats.Safetensors;
import dev.attention4j.models.formats.WeightFormatException;
import dev.attention4j.nn.transformer.Seq2SeqConfig;
import dev.attention4j.nn.transformer.Seq2SeqTransformer;
import dev.attention4j.train.data.Tokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A trained model ready for inference, read from a directory {@code attention4j train} wrote: its
 * {@code config.json} (the preset and both tokenizers' vocabularies, so nothing is retrained) and the weights of its
 * latest checkpoint. The optimizer state is not read. A directory may also hold the weights directly, as
 * {@code DIR/weights.safetensors} beside {@code DIR/config.json} and without {@code DIR/checkpoints/}: the layout of
 * the model shipped inside the jar.
 *
 * @param config          the run's config
 * @param sourceTokenizer the source side's tokenizer, restored from the config
 * @param targetTokenizer the target side's tokenizer, restored from the config
 * @param model           the encoder-decoder with the checkpoint's weights
 */
record TrainedModel(RunConfig config, Tokenizer sourceTokenizer, Tokenizer targetTokenizer,
                    Seq2SeqTransformer model) {

    /** The weights file of a model directory without checkpoints (the shipped model's layout). */
    static final String WEIGHTS = "weights.safetensors";
    /** Where the built-in numbers model lives beside this class in the jar. */
    static final String BUILT_IN = "models/numbers/";
    private static final List<String> BUILT_IN_FILES = List.of("config.json", WEIGHTS);

    /**
     * Loads the model in {@code dir}.
     *
     * @throws UserError naming the path if the directory, its config or its checkpoint is missing or unreadable
     */
    static TrainedModel load(Path dir) throws IOException, UserError {
        if (!Files.isDirectory(dir)) {
            throw new UserError(dir + (Files.exists(dir) ? " is not a directory" : " does not exist")
                    + "; expected the --out directory of attention4j train");
        }
        RunDirectory run = new RunDirectory(dir);
        if (!Files.isRegularFile(run.config())) {
            throw new UserError(run.config() + " is missing; expected the --out directory of attention4j train");
        }
        RunConfig config = run.readConfig();
        Tokenizer source = restoreTokenizer(run, config.sourceTokenizer(), "source_tokenizer");
        Tokenizer target = restoreTokenizer(run, config.targetTokenizer(), "target_tokenizer");
        Path weightsFile = weightsFile(run);
        Seq2SeqTransformer model = newModel(config, source, target);
        try {
            model.loadStateDict(Safetensors.readAll(weightsFile));
        } catch (WeightFormatException e) {
            throw new UserError("cannot read the weights: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) { // names or shapes that do not fit the config's model
            throw new UserError(weightsFile + " does not fit the model " + run.config() + " describes: "
                    + e.getMessage(), e);
        }
        return new TrainedModel(config, source, target, model);
    }

    /** The numbers model shipped in the jar ({@code attention4j translate}'s default), copied to a temporary directory (safetensors are read from a file). */
    static TrainedModel builtIn() throws IOException, UserError {
        Path dir = Files.createTempDirectory("attention4j-model-");
        try {
            for (String name : BUILT_IN_FILES) {
                try (InputStream in = TrainedModel.class.getResourceAsStream(BUILT_IN + name)) {
                    if (in == null) {
                        throw new IllegalStateException("the built-in model's " + name + " is missing from the jar");
                    }
                    Files.copy(in, dir.resolve(name));
                }
            }
            return TrainedModel.load(dir);
        } finally {
            for (String name : BUILT_IN_FILES) {
                Files.deleteIfExists(dir.resolve(name));
            }
            Files.deleteIfExists(dir);
        }
    }

    /** The latest checkpoint's weights file, or {@code DIR/weights.safetensors} where there are no checkpoints. */
    private static Path weightsFile(RunDirectory run) throws IOException, UserError {
        Optional<Path> latest;
        try {
            latest = run.store().latestWeightsFile();
        } catch (WeightFormatException e) {
            throw new UserError("cannot read the latest checkpoint: " + e.getMessage(), e);
        }
        if (latest.isPresent()) {
            return latest.get();
        }
        Path flat = run.dir().resolve(WEIGHTS);
        if (!Files.isDirectory(run.checkpoints()) && Files.isRegularFile(flat)) {
            return flat;
        }
        throw new UserError(run.checkpoints() + " holds no checkpoint; train the model first (attention4j train "
                + "--out " + run.dir() + ")");
    }

    /**
     * A freshly initialized model of the shape {@code config} describes, for these tokenizers' vocabularies: what
     * a run trains, and what a checkpoint's weights are loaded into.
     */
    static Seq2SeqTransformer newModel(RunConfig config, Tokenizer source, Tokenizer target) {
        return new Seq2SeqTransformer(Seq2SeqConfig.of(config.preset().model().transformer(), source.vocabSize(),
                target.vocabSize(), config.maxLen()), RunSeeds.of(config.seed()).model());
    }

    /** A tokenizer of {@code config.json}; a vocabulary it refuses is the user's to fix. */
    static Tokenizer restoreTokenizer(RunDirectory run, RunConfig.SavedTokenizer saved, String field)
            throws UserError {
        try {
            return saved.restore();
        } catch (IllegalArgumentException e) {
            throw new UserError(run.config() + ": " + field + ": " + e.getMessage(), e);
        }
    }
}
