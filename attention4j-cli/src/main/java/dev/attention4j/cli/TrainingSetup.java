package dev.attention4j.cli;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@code attention4j train} was asked to do, from its flags, validated (each message names the flag). The
 * nullable fields are null when the flag was not given: a new run then takes its preset's value, a resumed run the
 * value in its {@code config.json}.
 *
 * @param source     the built-in task or the TSV file
 * @param out        the run's directory
 * @param start      a new run, or continue the one in {@code out}, or replace it
 * @param steps      {@code --steps}: train until this many steps in all
 * @param minutes    {@code --minutes}: stop after this long
 * @param evalEvery  {@code --eval-every}
 * @param seed       {@code --seed}
 * @param tokenizer  {@code --tokenizer}, with {@code --data} only
 * @param vocabSize  {@code --vocab-size}, with {@code --tokenizer bpe} only
 * @param batchSize  {@code --batch-size}
 * @param tiny       the hidden, test-only {@code --tiny}: {@link TaskPreset#tiny()}
 */
record TrainingSetup(Source source, Path out, Start start, Long steps, Double minutes, Integer evalEvery, Long seed,
                     TokenizerKind tokenizer, Integer vocabSize, Integer batchSize, boolean tiny) {

    /** The seed of a new run without {@code --seed}. */
    static final long DEFAULT_SEED = 1;
    /** BPE ids per side without {@code --vocab-size}. */
    static final int DEFAULT_BPE_VOCAB = 4000;

    /** Where the examples come from. */
    sealed interface Source {
        /** {@code --task}. */
        record Task(BuiltInTask task) implements Source {
            public Task {
                Objects.requireNonNull(task, "task");
            }
        }

        /** {@code --data}: a TSV file, as an absolute, normalized path. */
        record TsvFile(Path file) implements Source {
            public TsvFile {
                file = file.toAbsolutePath().normalize();
            }
        }
    }

    /** What to do about a run already in the directory. */
    enum Start {
        /** Start a run; refuse if the directory holds a checkpoint. */
        NEW,
        /** {@code --resume}: continue the directory's run from its latest checkpoint. */
        RESUME,
        /** {@code --force}: delete the directory's run and start a new one. */
        FORCE
    }

    TrainingSetup {
        Objects.requireNonNull(source, "source");
        out = out.toAbsolutePath().normalize();
        Objects.requireNonNull(start, "start");
        if (steps != null && steps < 1) {
            throw new IllegalArgumentException("--steps: expected a number of steps >= 1 but got " + steps);
        }
        if (minutes != null && !(minutes > 0 && minutes <= TaskPreset.Length.MAX_MINUTES)) {
            throw new IllegalArgumentException("--minutes: expected a number in (0, " + TaskPreset.Length.MAX_MINUTES
                    + "] but got " + minutes);
        }
        if (evalEvery != null && evalEvery < 1) {
            throw new IllegalArgumentException("--eval-every: expected a number of steps >= 1 but got " + evalEvery);
        }
        if (batchSize != null && batchSize < 1) {
            throw new IllegalArgumentException("--batch-size: expected a number of sentences >= 1 but got "
                    + batchSize);
        }
        if (tokenizer != null && !(source instanceof Source.TsvFile)) {
            throw new IllegalArgumentException("--tokenizer: applies to --data only (each --task has its own "
                    + "tokenizers)");
        }
        if (vocabSize != null) {
            if (tokenizer != TokenizerKind.BPE) {
                throw new IllegalArgumentException("--vocab-size: applies to --tokenizer bpe only");
            }
            if (vocabSize < TaskPreset.Data.MIN_BPE_VOCAB) {
                throw new IllegalArgumentException("--vocab-size: expected >= " + TaskPreset.Data.MIN_BPE_VOCAB
                        + " (the four special tokens and more) but got " + vocabSize);
            }
        }
    }

    /** The preset of a new run: the source's defaults with this setup's flags applied. */
    TaskPreset newPreset() {
        TaskPreset preset = switch (source) {
            case Source.Task t -> t.task().preset();
            case Source.TsvFile f -> {
                TokenizerKind kind = tokenizer == null ? TokenizerKind.CHAR : tokenizer;
                int vocab = kind != TokenizerKind.BPE ? 0 : vocabSize == null ? DEFAULT_BPE_VOCAB : vocabSize;
                yield TaskPreset.tsv(kind, vocab);
            }
        };
        if (tiny) {
            preset = preset.tiny();
        }
        if (batchSize != null) {
            preset = preset.withBatchSize(batchSize);
        }
        return preset.withLength(length(preset.length()));
    }

    /** {@code base} with the {@code --steps}, {@code --eval-every} and {@code --minutes} given. */
    TaskPreset.Length length(TaskPreset.Length base) {
        TaskPreset.Length length = base;
        if (steps != null) {
            length = length.withSteps(steps);
        }
        if (evalEvery != null) {
            length = length.withEvalEvery(evalEvery);
        }
        if (minutes != null) {
            length = length.withMinutes(minutes);
        }
        return length;
    }

    long seedOrDefault() {
        return seed == null ? DEFAULT_SEED : seed;
    }

    /**
     * Why this setup cannot resume the run {@code stored} describes: the first flag given on the command line that
     * differs from the stored run, as {@code "--seed 3 differs from 7 in <configFile>"}; empty if none does. Flags
     * not given take the stored values; {@code --steps}, {@code --eval-every} and {@code --minutes} may change.
     */
    Optional<String> conflictWith(RunConfig stored, Path configFile) {
        String in = " in " + configFile;
        String storedSource = stored.task() != null ? "--task " + stored.task() : "--data " + stored.data().path();
        switch (source) {
            case Source.Task t -> {
                if (t.task() != stored.task()) {
                    return Optional.of("--task " + t.task() + " differs from " + storedSource + in);
                }
            }
            case Source.TsvFile f -> {
                if (stored.data() == null || !f.file().toString().equals(stored.data().path())) {
                    return Optional.of("--data " + f.file() + " differs from " + storedSource + in);
                }
            }
        }
        if (seed != null && seed != stored.seed()) {
            return Optional.of("--seed " + seed + " differs from " + stored.seed() + in);
        }
        TaskPreset.Data data = stored.preset().data();
        if (tokenizer != null && (tokenizer != data.sourceTokenizer() || tokenizer != data.targetTokenizer())) {
            String was = data.sourceTokenizer() == data.targetTokenizer() ? data.sourceTokenizer().toString()
                    : data.sourceTokenizer() + " (source) and " + data.targetTokenizer() + " (target)";
            return Optional.of("--tokenizer " + tokenizer + " differs from " + was + in);
        }
        if (vocabSize != null && vocabSize != data.vocabSize()) {
            return Optional.of("--vocab-size " + vocabSize + " differs from " + data.vocabSize() + in);
        }
        int storedBatch = stored.preset().optimization().batchSize();
        if (batchSize != null && batchSize != storedBatch) {
            return Optional.of("--batch-size " + batchSize + " differs from " + storedBatch + in);
        }
        if (tiny && !stored.preset().tiny().sameRunAs(stored.preset())) {
            return Optional.of("--tiny differs from the full-size model (modelDim "
                    + stored.preset().model().modelDim() + ")" + in);
        }
        return Optional.empty();
    }
}
