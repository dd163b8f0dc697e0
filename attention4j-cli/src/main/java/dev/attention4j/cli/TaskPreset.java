package dev.attention4j.cli;

import dev.attention4j.nn.Activation;
import dev.attention4j.nn.transformer.TransformerConfig;
import dev.attention4j.nn.transformer.TransformerLayerConfig;
import dev.attention4j.train.LearningRateSchedule;

import java.util.Objects;

/**
 * Everything a training run needs besides its data and seed: the model's shape, the optimization, how examples are
 * made, held out and cut into tokens, and how long the run goes. The static factories are the defaults of
 * {@code attention4j train}, one per kind of run, and the only place those defaults live. A run's
 * {@code config.json} stores the preset it used, so a resumed run keeps its values when these defaults change.
 *
 * @param model        the encoder-decoder's shape
 * @param optimization batches, learning-rate schedule, label smoothing, clipping
 * @param data         how many examples, how many held out, which tokenizers
 * @param length       how long the run goes and how often it is validated: the part that may change on resume
 */
record TaskPreset(Model model, Optimization optimization, Data data, Length length) {

    TaskPreset {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(optimization, "optimization");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(length, "length");
    }

    /**
     * English number words to Chinese numerals ({@code "two thousand and five" -> "二千零五"}): a word tokenizer on
     * the English side, characters on the Chinese side.
     */
    static TaskPreset numbers() {
        return new TaskPreset(
                new Model(64, 4, 256, 2, 2, 0f, Activation.GELU),
                new Optimization(64, 400, 0.5f, 0.1f, 1f),
                new Data(200_000, null, 0.01, 1000, TokenizerKind.WORD, TokenizerKind.CHAR, 0),
                new Length(20_000, 500, null));
    }

    /** Strings of 1 to 16 letters a..j, each its own target. */
    static TaskPreset copy() {
        return new TaskPreset(
                new Model(64, 4, 256, 2, 2, 0.1f, Activation.GELU),
                new Optimization(64, 400, 0.5f, 0.1f, 1f),
                new Data(20_000, new Strings("abcdefghij", 1, 16), 0.05, 1000, TokenizerKind.CHAR, TokenizerKind.CHAR,
                        0),
                new Length(3000, 250, null));
    }

    /** As {@link #copy()}, the target reversed. */
    static TaskPreset reverse() {
        return copy();
    }

    /**
     * A parallel corpus from a TSV file (every line an example), tokenized by {@code tokenizer} on both sides (BPE
     * with {@code vocabSize} ids per side, else {@code vocabSize} is 0). A starting point for real text.
     */
    static TaskPreset tsv(TokenizerKind tokenizer, int vocabSize) {
        return new TaskPreset(
                new Model(128, 4, 512, 3, 3, 0.1f, Activation.GELU),
                new Optimization(64, 1000, 1f, 0.1f, 1f),
                new Data(0, null, 0.05, 1000, tokenizer, tokenizer, vocabSize),
                new Length(20_000, 1000, null));
    }

    /**
     * For tests only (the hidden {@code --tiny} option): a model of width 16 with one encoder and one decoder layer,
     * and at most 400 generated examples, so a run of a few dozen steps takes a second or two.
     */
    TaskPreset tiny() {
        Model m = new Model(16, 2, 32, 1, 1, model.dropout(), model.activation());
        Data d = data.examples() == 0 ? data : data.withExamples(Math.min(400, data.examples()));
        return new TaskPreset(m, optimization, d, length);
    }

    TaskPreset withBatchSize(int batchSize) {
        return new TaskPreset(model, optimization.withBatchSize(batchSize), data, length);
    }

    TaskPreset withLength(Length newLength) {
        return new TaskPreset(model, optimization, data, newLength);
    }

    /** This preset but for its {@link Length}, which a resumed run may change. */
    boolean sameRunAs(TaskPreset other) {
        return model.equals(other.model) && optimization.equals(other.optimization) && data.equals(other.data);
    }

    /**
     * The encoder-decoder's shape (the rest is PyTorch's defaults: layer-norm eps 1e-5, post-norm).
     *
     * @param modelDim      {@code d_model}
     * @param numHeads      attention heads; must divide modelDim
     * @param ffnDim        the feed-forward net's hidden width
     * @param encoderLayers encoder layers
     * @param decoderLayers decoder layers
     * @param dropout       dropout probability everywhere the paper has it
     * @param activation    the feed-forward non-linearity
     */
    record Model(int modelDim, int numHeads, int ffnDim, int encoderLayers, int decoderLayers, float dropout,
                 Activation activation) {

        Model {
            Objects.requireNonNull(activation, "activation");
            transformer(modelDim, numHeads, ffnDim, encoderLayers, decoderLayers, dropout, activation); // validates
        }

        TransformerConfig transformer() {
            return transformer(modelDim, numHeads, ffnDim, encoderLayers, decoderLayers, dropout, activation);
        }

        private static TransformerConfig transformer(int modelDim, int numHeads, int ffnDim, int encoderLayers,
                                                     int decoderLayers, float dropout, Activation activation) {
            TransformerLayerConfig layer = TransformerLayerConfig.of(modelDim, numHeads, ffnDim).withDropout(dropout)
                    .withActivation(activation);
            return new TransformerConfig(layer, encoderLayers, decoderLayers);
        }
    }

    /**
     * How the weights are updated: Adam with the paper's betas and eps, at the paper's (Noam) learning rate
     * {@code noamFactor * modelDim^-0.5 * min(step^-0.5, step * warmupSteps^-1.5)}.
     *
     * @param batchSize      sentences per batch
     * @param warmupSteps    steps of linear learning-rate warm-up
     * @param noamFactor     the schedule's multiplier
     * @param labelSmoothing PyTorch's {@code label_smoothing}, in [0, 1)
     * @param clipNorm       the global gradient norm is clipped to this (0: no clipping)
     */
    record Optimization(int batchSize, int warmupSteps, float noamFactor, float labelSmoothing, float clipNorm) {

        Optimization {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize: expected >= 1 but got " + batchSize);
            }
            new LearningRateSchedule.Noam(1, warmupSteps, noamFactor); // validates
            if (!(labelSmoothing >= 0f && labelSmoothing < 1f)) {
                throw new IllegalArgumentException("labelSmoothing: expected a value in [0, 1) but got "
                        + labelSmoothing);
            }
            if (!(clipNorm >= 0f) || Float.isInfinite(clipNorm)) {
                throw new IllegalArgumentException("clipNorm: expected a finite value >= 0 but got " + clipNorm);
            }
        }

        LearningRateSchedule schedule(int modelDim) {
            return new LearningRateSchedule.Noam(modelDim, warmupSteps, noamFactor);
        }

        Optimization withBatchSize(int newBatchSize) {
            return new Optimization(newBatchSize, warmupSteps, noamFactor, labelSmoothing, clipNorm);
        }
    }

    /**
     * The examples and their tokens.
     *
     * @param examples        how many examples a built-in task generates (duplicates are dropped later); 0 for a
     *                        file, whose every line is an example
     * @param strings         the strings of the copy and reverse tasks; null for the others
     * @param validFraction   the share of distinct sources held out for validation, in (0, 1) ...
     * @param maxValid        ... but at most this many
     * @param sourceTokenizer the source side's tokenizer, trained on the training split
     * @param targetTokenizer the target side's tokenizer, trained on the training split
     * @param vocabSize       ids per side (specials included) when a side uses BPE; 0 when neither does
     */
    record Data(int examples, Strings strings, double validFraction, int maxValid, TokenizerKind sourceTokenizer,
                TokenizerKind targetTokenizer, int vocabSize) {

        /** The fewest ids a BPE vocabulary may have: the four specials and one more. */
        static final int MIN_BPE_VOCAB = 5;

        Data {
            if (examples < 0) {
                throw new IllegalArgumentException("examples: expected >= 0 (0 = every line of the file) but got "
                        + examples);
            }
            if (!(validFraction > 0 && validFraction < 1)) {
                throw new IllegalArgumentException("validFraction: expected a fraction in (0, 1) but got "
                        + validFraction);
            }
            if (maxValid < 1) {
                throw new IllegalArgumentException("maxValid: expected >= 1 but got " + maxValid);
            }
            Objects.requireNonNull(sourceTokenizer, "sourceTokenizer");
            Objects.requireNonNull(targetTokenizer, "targetTokenizer");
            boolean bpe = sourceTokenizer == TokenizerKind.BPE || targetTokenizer == TokenizerKind.BPE;
            if (bpe && vocabSize < MIN_BPE_VOCAB) {
                throw new IllegalArgumentException("vocabSize: expected >= " + MIN_BPE_VOCAB + " with BPE but got "
                        + vocabSize);
            }
            if (!bpe && vocabSize != 0) {
                throw new IllegalArgumentException("vocabSize: expected 0 without BPE but got " + vocabSize);
            }
        }

        Data withExamples(int newExamples) {
            return new Data(newExamples, strings, validFraction, maxValid, sourceTokenizer, targetTokenizer,
                    vocabSize);
        }
    }

    /**
     * Random strings for the copy and reverse tasks.
     *
     * @param alphabet  the characters drawn from
     * @param minLength the shortest string, {@code >= 1}
     * @param maxLength the longest string, {@code >= minLength}
     */
    record Strings(String alphabet, int minLength, int maxLength) {

        Strings {
            if (alphabet == null || alphabet.isEmpty()) {
                throw new IllegalArgumentException("alphabet: expected at least one character but got "
                        + (alphabet == null ? "none" : "an empty string"));
            }
            if (minLength < 1 || maxLength < minLength) {
                throw new IllegalArgumentException("minLength, maxLength: expected 1 <= minLength <= maxLength but got "
                        + minLength + " and " + maxLength);
            }
        }
    }

    /**
     * How long a run goes and how often it is validated (and checkpointed).
     *
     * @param steps     train until this many optimizer steps in all (a resumed run counts the steps before it)
     * @param evalEvery validate and checkpoint every this many steps, and at the end
     * @param minutes   stop after this many minutes of this invocation even if {@code steps} is not reached;
     *                  null for no limit
     */
    record Length(long steps, int evalEvery, Double minutes) {

        /** A year: far beyond any run, and small enough that the milliseconds fit a long exactly. */
        static final double MAX_MINUTES = 366 * 24 * 60;

        Length {
            if (steps < 1) {
                throw new IllegalArgumentException("steps: expected >= 1 but got " + steps);
            }
            if (evalEvery < 1) {
                throw new IllegalArgumentException("evalEvery: expected >= 1 but got " + evalEvery);
            }
            if (minutes != null && !(minutes > 0 && minutes <= MAX_MINUTES)) {
                throw new IllegalArgumentException("minutes: expected a number in (0, " + MAX_MINUTES + "] but got "
                        + minutes);
            }
        }

        Length withSteps(long newSteps) {
            return new Length(newSteps, evalEvery, minutes);
        }

        Length withEvalEvery(int newEvalEvery) {
            return new Length(steps, newEvalEvery, minutes);
        }

        Length withMinutes(Double newMinutes) {
            return new Length(steps, evalEvery, newMinutes);
        }
    }
}
