package dev.attention4j.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.attention4j.generate.GenerationConfig;
import dev.attention4j.generate.Generator;
import dev.attention4j.kernels.KernelChoice;
import dev.attention4j.kernels.Parallel;
import dev.attention4j.models.formats.WeightFormatException;
import dev.attention4j.nn.transformer.Seq2SeqTransformer;
import dev.attention4j.train.Adam;
import dev.attention4j.train.AdamConfig;
import dev.attention4j.train.Checkpoint;
import dev.attention4j.train.CheckpointStore;
import dev.attention4j.train.Evaluation;
import dev.attention4j.train.MetricsLog;
import dev.attention4j.train.Seq2SeqTrainer;
import dev.attention4j.train.StepReport;
import dev.attention4j.train.TrainingConfig;
import dev.attention4j.train.TrainingListener;
import dev.attention4j.train.data.Batch;
import dev.attention4j.train.data.BatchLimits;
import dev.attention4j.train.data.Batcher;
import dev.attention4j.train.data.Example;
import dev.attention4j.train.data.Split;
import dev.attention4j.train.data.Tokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One invocation of {@code attention4j train}: settles what the output directory holds (refuse, replace or resume),
 * prepares the data and tokenizers, builds the model and trainer, runs it with a progress bar, and writes the charts.
 * Everything that can refuse does so before the first file is written.
 */
final class TrainingRun {

    /** Sentences per validation batch. */
    static final int VALID_BATCH = 128;
    /** Greedy decoding may go this many tokens past the longest validation target. */
    static final int DECODE_SLACK = 10;
    /** The checkpoint extra that holds the {@link LossHistory}. */
    static final String LOSS_HISTORY = "train_loss";

    private final TrainingSetup setup;
    private final PrintWriter out;
    private final RunDirectory dir;

    TrainingRun(TrainingSetup setup, PrintWriter out) {
        this.setup = setup;
        this.out = out;
        this.dir = new RunDirectory(setup.out());
    }

    /** What a run starts from: its config, data, and the checkpoint it resumes (or null). */
    private record Start(RunConfig config, TrainingData data, Checkpoint checkpoint) {
    }

    /** @return the exit code */
    int run() throws IOException, UserError {
        Start start = switch (setup.start()) {
            case NEW -> {
                refuseIfCheckpointed();
                yield startNew();
            }
            case FORCE -> startNew();
            case RESUME -> resume();
        };
        if (start == null) {
            return 0; // nothing left to train
        }
        train(start);
        return 0;
    }

    private void refuseIfCheckpointed() throws UserError {
        if (!Files.isDirectory(dir.checkpoints())) {
            return;
        }
        String how = "; pass --resume to continue it or --force to start over";
        Optional<Checkpoint> latest;
        try {
            latest = dir.store().loadLatest();
        } catch (IOException e) {
            throw new UserError(dir.checkpoints() + " already holds a checkpoint, which cannot be read ("
                    + e.getMessage() + "); pass --force to start over", e);
        }
        if (latest.isPresent()) {
            throw new UserError(dir.checkpoints() + " already holds a checkpoint at step " + latest.get().step() + how);
        }
    }

    private Start startNew() throws IOException, UserError {
        TaskPreset preset = setup.newPreset();
        long seed = setup.seedOrDefault();
        RunSeeds seeds = RunSeeds.of(seed);
        BuiltInTask task = null;
        RunConfig.DataFile dataFile = null;
        List<Example> examples;
        switch (setup.source()) {
            case TrainingSetup.Source.Task t -> {
                task = t.task();
                examples = TrainingData.generate(task, preset.data(), seeds);
            }
            case TrainingSetup.Source.TsvFile f -> {
                dataFile = describe(f.file());
                examples = read(f);
            }
        }
        Split split = TrainingData.split(examples, preset.data(), seeds, describeSource());
        TrainingData data = TrainingData.train(split, preset.data());
        int maxLen = TrainingData.maxLen(data.longestSequence());
        RunConfig config = RunConfig.of(task, dataFile, seed, preset, maxLen, data.sourceTokenizer(),
                data.targetTokenizer());
        dir.create();
        dir.deleteRun();
        dir.writeConfig(config);
        return new Start(config, data, null);
    }

    /** @return null if the run already reached its steps */
    private Start resume() throws IOException, UserError {
        Checkpoint checkpoint = latestCheckpoint();
        RunConfig stored = dir.readConfig();
        Optional<String> conflict = setup.conflictWith(stored, dir.config());
        if (conflict.isPresent()) {
            throw new UserError(conflict.get());
        }
        RunConfig checkpointConfig;
        try {
            checkpointConfig = RunConfig.fromJson(checkpoint.configJson());
        } catch (JsonProcessingException e) {
            throw new UserError("the checkpoint at step " + checkpoint.step() + " in " + dir.checkpoints()
                    + " holds a config this attention4j cannot read: " + e.getOriginalMessage(), e);
        }
        if (!stored.sameRunAs(checkpointConfig)) {
            throw new UserError(dir.config() + " does not describe the run of the checkpoint at step "
                    + checkpoint.step() + " (was it edited?); the checkpoint's own copy is in " + dir.checkpoints());
        }
        RunConfig config = stored.withLength(setup.length(stored.preset().length()));
        long steps = config.preset().length().steps();
        if (steps <= checkpoint.step()) {
            out.printf(Locale.ROOT, "%s is at step %d, and --steps is %d: nothing to train (pass --steps N with N "
                    + "> %d to go on)%n", dir.dir(), checkpoint.step(), steps, checkpoint.step());
            out.flush();
            return null;
        }

        RunSeeds seeds = RunSeeds.of(config.seed());
        List<Example> examples;
        switch (setup.source()) {
            case TrainingSetup.Source.Task t -> examples = TrainingData.generate(t.task(), config.preset().data(),
                    seeds);
            case TrainingSetup.Source.TsvFile f -> {
                RunConfig.DataFile now = describe(f.file());
                if (!now.equals(config.data())) {
                    throw new UserError(f.file() + " has changed since the run began: its SHA-256 is " + now.sha256()
                            + " (" + now.size() + " bytes) but " + dir.config() + " records "
                            + config.data().sha256() + " (" + config.data().size() + " bytes)");
                }
                examples = read(f);
            }
        }
        Split split = TrainingData.split(examples, config.preset().data(), seeds, describeSource());
        TrainingData data = TrainingData.encode(split,
                TrainedModel.restoreTokenizer(dir, config.sourceTokenizer(), "source_tokenizer"),
                TrainedModel.restoreTokenizer(dir, config.targetTokenizer(), "target_tokenizer"));

        dir.keepMetricsUpTo(checkpoint.step());
        if (!config.equals(stored)) {
            dir.writeConfig(config);
        }
        return new Start(config, data, checkpoint);
    }

    private Checkpoint latestCheckpoint() throws IOException, UserError {
        if (!Files.isDirectory(dir.dir())) {
            throw new UserError("--out " + dir.dir() + " does not exist, so there is no run to resume");
        }
        try {
            return dir.store().loadLatest().orElseThrow(() -> new UserError(dir.checkpoints()
                    + " holds no checkpoint to resume; run without --resume to start a run"));
        } catch (WeightFormatException e) {
            throw new UserError("cannot resume: " + e.getMessage(), e);
        }
    }

    private String describeSource() {
        return switch (setup.source()) {
            case TrainingSetup.Source.Task t -> "the " + t.task() + " task";
            case TrainingSetup.Source.TsvFile f -> f.file().toString();
        };
    }

    /** The TSV file's examples; a missing or unreadable file is the user's to fix. */
    private static List<Example> read(TrainingSetup.Source.TsvFile file) throws IOException, UserError {
        try {
            return TrainingData.read(file);
        } catch (FileSystemException e) {
            throw new UserError("cannot read --data " + file.file() + ": " + reason(e), e);
        }
    }

    /** The file's path, size and SHA-256. */
    private static RunConfig.DataFile describe(Path file) throws IOException, UserError {
        if (!Files.exists(file)) {
            throw new UserError("--data " + file + ": no such file");
        }
        if (!Files.isRegularFile(file)) {
            throw new UserError("--data " + file + ": not a regular file");
        }
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        long size = 0;
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha256.update(buffer, 0, n);
                size += n;
            }
        } catch (FileSystemException e) {
            throw new UserError("cannot read --data " + file + ": " + reason(e), e);
        }
        return new RunConfig.DataFile(file.toString(), size, HexFormat.of().formatHex(sha256.digest()));
    }

    private static String reason(FileSystemException e) {
        return e.getReason() != null ? e.getReason() : e.getClass().getSimpleName();
    }

    private void train(Start start) throws IOException, UserError {
        RunConfig config = start.config();
        TaskPreset preset = config.preset();
        TaskPreset.Length length = preset.length();
        TaskPreset.Optimization optimization = preset.optimization();
        TrainingData data = start.data();
        RunSeeds seeds = RunSeeds.of(config.seed());
        Tokenizer target = data.targetTokenizer();

        Seq2SeqTransformer model = TrainedModel.newModel(config, data.sourceTokenizer(), target);
        long maxMillis = length.minutes() == null ? Long.MAX_VALUE : Math.max(1, Math.round(length.minutes() * 60_000));
        TrainingConfig trainingConfig = new TrainingConfig(length.steps(), maxMillis, seeds.dropout(),
                optimization.labelSmoothing(), optimization.clipNorm(), 1, length.evalEvery(), length.evalEvery());
        Seq2SeqTrainer trainer = new Seq2SeqTrainer(model, new Adam(AdamConfig.paper()),
                optimization.schedule(preset.model().modelDim()), trainingConfig);
        if (start.checkpoint() != null) {
            trainer.restore(start.checkpoint());
        }
        LossHistory history = start.checkpoint() == null ? new LossHistory()
                : LossHistory.fromJson(start.checkpoint().extra().getOrDefault(LOSS_HISTORY, "[]"));

        Batcher batcher = new Batcher(data.train(), BatchLimits.sentences(optimization.batchSize()), seeds.batches());
        List<Batch> valid = List.copyOf(new Batcher(data.valid(), BatchLimits.sentences(VALID_BATCH), seeds.batches())
                .epoch(0));
        int decodeLength = Math.min(data.longestValidTarget() + DECODE_SLACK, config.maxLen());
        Seq2SeqTrainer.Decoder decoder = (src, srcLengths) -> Generator.bestTokens(Generator.generate(model, src,
                srcLengths, Tokenizer.BOS_ID, GenerationConfig.greedy(decodeLength, Tokenizer.EOS_ID)));

        printHeader(config, data, model.parameterCount(), start.checkpoint());
        List<Evaluation> evaluations = new ArrayList<>(dir.readMetrics());
        ProgressBar bar = new ProgressBar(out, "train", length.steps(), ProgressBar.Output.detect());
        TrainingProgress progress = new TrainingProgress(bar);
        String runName = runName(config);
        MetricsLog metricsLog = new MetricsLog(dir.metrics());
        TrainingListener listener = new TrainingListener() {
            @Override
            public void onStep(StepReport report) {
                history.add(report.step(), report.loss());
                progress.onStep(report);
            }

            @Override
            public void onEvaluation(Evaluation evaluation) {
                metricsLog.onEvaluation(evaluation);
                evaluations.add(evaluation);
                progress.onEvaluation(evaluation);
                try { // drawn at every validation, so that a long run can be watched
                    TrainingCharts.writeLoss(dir.lossChart(), runName, history, evaluations);
                    TrainingCharts.writeAccuracy(dir.accuracyChart(), runName, evaluations);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
        CheckpointStore store = new CheckpointStore() {
            @Override
            public void save(Checkpoint checkpoint) throws IOException {
                Map<String, String> extra = new LinkedHashMap<>(checkpoint.extra());
                extra.put(LOSS_HISTORY, history.toJson());
                dir.store().save(new Checkpoint(checkpoint.step(), checkpoint.weights(), checkpoint.optimizerState(),
                        checkpoint.configJson(), extra));
            }

            @Override
            public Optional<Checkpoint> loadLatest() throws IOException {
                return dir.store().loadLatest();
            }
        };

        if (length.minutes() != null) {
            bar.finishBy(System.nanoTime() + maxMillis * 1_000_000L);
        }
        try {
            trainer.run(batcher, valid, decoder, target, store, config.toJson(), listener);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        progress.finish();
        printSummary(trainer.steps(), length, evaluations);
    }

    private void printHeader(RunConfig config, TrainingData data, long parameters, Checkpoint checkpoint) {
        TaskPreset preset = config.preset();
        TaskPreset.Model m = preset.model();
        TaskPreset.Optimization o = preset.optimization();
        TaskPreset.Length length = preset.length();
        KernelChoice.Report kernels = KernelChoice.report();
        out.printf(Locale.ROOT, "attention4j train: %s, seed %d -> %s%n", runName(config), config.seed(), dir.dir());
        out.printf(Locale.ROOT, "  data      %,d training / %,d validation examples (no source in both)%n",
                data.train().size(), data.valid().size());
        out.printf(Locale.ROOT, "  tokens    source %s, %,d ids; target %s, %,d ids; longest %d, model length %d%n",
                preset.data().sourceTokenizer(), data.sourceTokenizer().vocabSize(), preset.data().targetTokenizer(),
                data.targetTokenizer().vocabSize(), data.longestSequence(), config.maxLen());
        out.printf(Locale.ROOT, "  model     %d+%d layers, modelDim %d, %d heads, ffn %d, dropout %s, %s: %,d "
                        + "parameters%n", m.encoderLayers(), m.decoderLayers(), m.modelDim(), m.numHeads(), m.ffnDim(),
                m.dropout(), EnumNames.of(m.activation()), parameters);
        out.printf(Locale.ROOT, "  training  batch %d, Adam, Noam warm-up %d x %s, label smoothing %s, clip %s; "
                        + "to step %d%s, validating every %d%n", o.batchSize(), o.warmupSteps(), o.noamFactor(),
                o.labelSmoothing(), o.clipNorm(), length.steps(),
                length.minutes() == null ? "" : " (or --minutes " + minutes(length.minutes()) + ")",
                length.evalEvery());
        out.printf(Locale.ROOT, "  machine   %d threads, kernels %s%n", Parallel.threads(), kernels.implementation());
        if (checkpoint != null) {
            out.printf(Locale.ROOT, "  resuming  from the checkpoint at step %d%n", checkpoint.step());
        }
        out.flush();
    }

    private void printSummary(long step, TaskPreset.Length length, List<Evaluation> evaluations) throws IOException {
        if (step < length.steps()) {
            out.printf(Locale.ROOT, "stopped at step %d of %d: --minutes %s is spent; add --resume to go on%n", step,
                    length.steps(), minutes(length.minutes()));
        }
        Optional<Evaluation> best = evaluations.stream().max(Comparator.comparingDouble(Evaluation::exactMatch));
        best.ifPresent(e -> out.printf(Locale.ROOT, "best exact match %.3f at step %d%n", e.exactMatch(), e.step()));
        out.printf(Locale.ROOT, "  config       %s%n", dir.config());
        out.printf(Locale.ROOT, "  metrics      %s%n", dir.metrics());
        out.printf(Locale.ROOT, "  checkpoints  %s (latest: step %d)%n", dir.checkpoints(), step);
        out.printf(Locale.ROOT, "  loss         %s%n", dir.lossChart());
        out.printf(Locale.ROOT, "  accuracy     %s%n", dir.accuracyChart());
        out.flush();
    }

    private static String runName(RunConfig config) {
        return config.task() != null ? "task " + config.task() : Path.of(config.data().path()).getFileName().toString();
    }

    /** {@code 10}, {@code 0.5}: as typed. */
    private static String minutes(double minutes) {
        return minutes == Math.rint(minutes) ? String.format(Locale.ROOT, "%.0f", minutes) : Double.toString(minutes);
    }
}
