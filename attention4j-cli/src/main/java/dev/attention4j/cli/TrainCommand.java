package dev.attention4j.cli;

import dev.attention4j.train.data.DataFormatException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code attention4j train}: trains an encoder-decoder Transformer on a built-in task or a TSV corpus, with
 * checkpoints, a metrics log and charts in {@code --out}. Flags become a {@link TrainingSetup}; defaults come from
 * {@link TaskPreset}; {@link TrainingRun} does the work. Exits 2 for anything the user can fix (flags, a malformed
 * data file, a directory that already holds a run), 1 for an I/O failure while running.
 */
@Command(name = "train", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, sortOptions = false,
        description = {"Trains an encoder-decoder Transformer on a built-in task or on a parallel corpus.",
            "Writes DIR/config.json, DIR/checkpoints/ and DIR/metrics.jsonl (one line per validation), and draws "
                    + "DIR/loss.png and DIR/accuracy.png.",
            "The same flags and seed give the same run, at any --threads."},
        footer = {"", "Example: attention4j train --task numbers --minutes 10 --out runs/numbers"})
final class TrainCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    private SourceOptions source;

    static final class SourceOptions {
        @Option(names = "--task", paramLabel = "TASK", converter = BuiltInTask.Names.class,
                completionCandidates = BuiltInTask.Names.class,
                description = "A built-in task: ${COMPLETION-CANDIDATES} (English number words to Chinese "
                        + "numerals; strings of letters a..j copied or reversed).")
        private BuiltInTask task;

        @Option(names = "--data", paramLabel = "FILE.tsv",
                description = "A UTF-8 file of lines source<TAB>target.")
        private Path data;
    }

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "The run's directory.")
    private Path out;

    @Option(names = "--steps", paramLabel = "N",
            description = "Train until step N in all, a resumed run's earlier steps included (default: the task's).")
    private Long steps;

    @Option(names = "--minutes", paramLabel = "M",
            description = "Stop after M minutes (decimals allowed) even before --steps; resume later with --resume.")
    private Double minutes;

    @Option(names = "--seed", paramLabel = "S",
            description = "Drives the data, the split, the initial weights, the batches and dropout (default: "
                    + TrainingSetup.DEFAULT_SEED + ").")
    private Long seed;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    private StartOptions start;

    static final class StartOptions {
        @Option(names = "--resume", description = "Continue the run in DIR from its latest checkpoint. Flags not "
                + "given keep their values from DIR/config.json; those given must agree with it, except --steps, "
                + "--minutes and --eval-every.")
        private boolean resume;

        @Option(names = "--force", description = "Delete the run in DIR (checkpoints, metrics, charts, config) and "
                + "start a new one.")
        private boolean force;
    }

    @Option(names = "--tokenizer", paramLabel = "KIND", converter = TokenizerKind.Names.class,
            completionCandidates = TokenizerKind.Names.class,
            description = "With --data: ${COMPLETION-CANDIDATES} for both sides (default: char), trained on the "
                    + "training split.")
    private TokenizerKind tokenizer;

    @Option(names = "--vocab-size", paramLabel = "V",
            description = "With --tokenizer bpe: ids per side, specials included (default: "
                    + TrainingSetup.DEFAULT_BPE_VOCAB + ").")
    private Integer vocabSize;

    @Option(names = "--batch-size", paramLabel = "B", description = "Sentences per batch (default: the task's).")
    private Integer batchSize;

    @Option(names = "--eval-every", paramLabel = "K",
            description = "Validate and checkpoint every K steps, and at the end (default: the task's).")
    private Integer evalEvery;

    /** Test-only: a tiny model and few examples, so that a test run takes a second or two. See TaskPreset.tiny(). */
    @Option(names = "--tiny", hidden = true)
    private boolean tiny;

    @Override
    public Integer call() throws UserError, DataFormatException, IOException {
        TrainingSetup setup = setup();
        return new TrainingRun(setup, spec.commandLine().getOut()).run();
    }

    /** The flags as a record; a value the record refuses is a usage error (exit 2, with the usage). */
    private TrainingSetup setup() {
        TrainingSetup.Source from = source.task != null ? new TrainingSetup.Source.Task(source.task)
                : new TrainingSetup.Source.TsvFile(source.data);
        TrainingSetup.Start how = start == null ? TrainingSetup.Start.NEW
                : start.resume ? TrainingSetup.Start.RESUME : TrainingSetup.Start.FORCE;
        try {
            return new TrainingSetup(from, out, how, steps, minutes, evalEvery, seed, tokenizer, vocabSize, batchSize,
                    tiny);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }
}
