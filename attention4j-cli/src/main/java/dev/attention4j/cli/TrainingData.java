package dev.attention4j.cli;

import dev.attention4j.train.data.BpeTokenizer;
import dev.attention4j.train.data.CharTokenizer;
import dev.attention4j.train.data.EncodedExample;
import dev.attention4j.train.data.Example;
import dev.attention4j.train.data.ParallelCorpus;
import dev.attention4j.train.data.Split;
import dev.attention4j.train.data.Tasks;
import dev.attention4j.train.data.Tokenizer;
import dev.attention4j.train.data.WordTokenizer;

import java.io.IOException;
import java.util.List;

/**
 * A run's examples, split into training and validation sets that share no source, with both sides' tokenizers and
 * the examples encoded.
 *
 * @param split           the examples, duplicates dropped
 * @param sourceTokenizer the source side's tokenizer
 * @param targetTokenizer the target side's tokenizer
 * @param train           {@code split.train()} encoded
 * @param valid           {@code split.valid()} encoded
 */
record TrainingData(Split split, Tokenizer sourceTokenizer, Tokenizer targetTokenizer, List<EncodedExample> train,
                    List<EncodedExample> valid) {

    /** A built-in task's examples. */
    static List<Example> generate(BuiltInTask task, TaskPreset.Data data, RunSeeds seeds) {
        return task.examples(data, seeds.data());
    }

    /**
     * A TSV file's examples.
     *
     * @throws dev.attention4j.train.data.DataFormatException naming the file and line if the file is malformed
     */
    static List<Example> read(TrainingSetup.Source.TsvFile file) throws IOException {
        return ParallelCorpus.readTsv(file.file());
    }

    /**
     * Holds out {@code data.validFraction()} of the distinct sources, but at most {@code data.maxValid()} and at
     * least one.
     *
     * @param what names the examples in an error ("the copy task", "/x/data.tsv")
     */
    static Split split(List<Example> examples, TaskPreset.Data data, RunSeeds seeds, String what) throws UserError {
        long distinct = examples.stream().map(Example::source).distinct().count();
        if (distinct < 2) {
            throw new UserError(what + " has " + distinct + " distinct source" + (distinct == 1 ? "" : "s")
                    + ": at least 2 are needed, one to train on and one to hold out for validation");
        }
        long held = Math.clamp(Math.round(data.validFraction() * distinct), 1, Math.min(data.maxValid(), distinct - 1));
        return Tasks.split(examples, (double) held / distinct, seeds.split());
    }

    /** Trains both tokenizers on the training split, then encodes. */
    static TrainingData train(Split split, TaskPreset.Data data) throws UserError {
        Tokenizer source = tokenizer(data.sourceTokenizer(), split.train().stream().map(Example::source).toList(),
                data.vocabSize(), "source");
        Tokenizer target = tokenizer(data.targetTokenizer(), split.train().stream().map(Example::target).toList(),
                data.vocabSize(), "target");
        return encode(split, source, target);
    }

    /** Encodes with tokenizers already made (a resumed run's, from its config.json). */
    static TrainingData encode(Split split, Tokenizer source, Tokenizer target) {
        return new TrainingData(split, source, target, EncodedExample.encode(split.train(), source, target),
                EncodedExample.encode(split.valid(), source, target));
    }

    private static Tokenizer tokenizer(TokenizerKind kind, List<String> texts, int vocabSize, String side)
            throws UserError {
        return switch (kind) {
            case CHAR -> CharTokenizer.train(texts);
            case WORD -> WordTokenizer.train(texts);
            case BPE -> {
                try {
                    yield BpeTokenizer.train(texts, vocabSize);
                } catch (IllegalArgumentException e) { // the vocabulary cannot hold the side's alphabet
                    throw new UserError("--vocab-size " + vocabSize + " is too small for the " + side + " side: "
                            + e.getMessage(), e);
                }
            }
        };
    }

    /** The longest encoded source or target, in tokens, over both splits. */
    int longestSequence() {
        int longest = 0;
        for (List<EncodedExample> examples : List.of(train, valid)) {
            for (EncodedExample e : examples) {
                longest = Math.max(longest, Math.max(e.src().length, e.tgt().length));
            }
        }
        return longest;
    }

    /** The longest encoded validation target, in tokens. */
    int longestValidTarget() {
        return valid.stream().mapToInt(e -> e.tgt().length).max().orElse(0);
    }

    /**
     * The model's maximum sequence length for {@code longest} tokens: room for BOS and EOS, rounded up to a
     * multiple of 16, and at least 64.
     */
    static int maxLen(int longest) {
        int needed = longest + 2;
        return Math.max(64, (needed + 15) / 16 * 16);
    }
}
