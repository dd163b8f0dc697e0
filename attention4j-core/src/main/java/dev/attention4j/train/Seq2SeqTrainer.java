package dev.attention4j.train;

import dev.attention4j.autograd.CrossEntropyOp;
import dev.attention4j.autograd.Gradients;
import dev.attention4j.autograd.Tape;
import dev.attention4j.kernels.DropoutHash;
import dev.attention4j.nn.Mode;
import dev.attention4j.nn.attention.Mask;
import dev.attention4j.nn.transformer.Seq2SeqTransformer;
import dev.attention4j.tensor.BufferPool;
import dev.attention4j.tensor.Tensor;
import dev.attention4j.train.data.Batch;
import dev.attention4j.train.data.Batcher;
import dev.attention4j.train.data.Metrics;
import dev.attention4j.train.data.Tokenizer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Trains a {@link Seq2SeqTransformer} with teacher forcing: for each step, forward the source and the shifted
 * target, label-smoothed cross-entropy against the next tokens, backward through the whole model (the decoder's
 * gradient reaches the encoder through cross-attention), optional gradient accumulation and clipping, then one
 * optimizer step at the schedule's learning rate.
 *
 * <p>Everything random is derived from the config's seed and the step number: dropout masks, and (through the
 * {@link Batcher}) the data order. So a run is reproducible bit for bit at any thread count, and a run resumed from
 * a checkpoint continues exactly the loss curve of an uninterrupted one.
 */
public final class Seq2SeqTrainer {

    /** Decodes a padded source batch into target ids (greedy search, beam search, ...), for validation. */
    @FunctionalInterface
    public interface Decoder {
        int[][] decode(int[][] src, int[] srcLengths);
    }

    private final Seq2SeqTransformer model;
    private final Optimizer optimizer;
    private final LearningRateSchedule schedule;
    private final TrainingConfig config;
    private final Map<String, Tensor> params;
    private BufferPool buffers = new BufferPool();
    private long step;
    private double priorSeconds;    // wall-clock time of the runs this one resumed
    private long startedNanos = System.nanoTime();

    public Seq2SeqTrainer(Seq2SeqTransformer model, Optimizer optimizer, LearningRateSchedule schedule,
                          TrainingConfig config) {
        this.model = Objects.requireNonNull(model, "model");
        this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
        this.schedule = Objects.requireNonNull(schedule, "schedule");
        this.config = Objects.requireNonNull(config, "config");
        this.params = model.namedParameters();
    }

    /** Replaces the pool that lends each step its arrays (tests compare against one that lends nothing). */
    void useBufferPool(BufferPool pool) {
        this.buffers = Objects.requireNonNull(pool, "pool");
    }

    /** Wall-clock seconds since this trainer started (or was restored), plus those of the runs it resumed. */
    public double elapsedSeconds() {
        return priorSeconds + (System.nanoTime() - startedNanos) / 1e9;
    }

    /** Optimizer steps taken. */
    public long steps() {
        return step;
    }

    /** One optimizer step over {@code microBatches} (as many as {@link TrainingConfig#accumulationSteps()}). */
    public StepReport step(List<Batch> microBatches) {
        if (microBatches.isEmpty()) {
            throw new IllegalArgumentException("microBatches: expected at least one batch but got none");
        }
        double lossSum = 0;
        long tokens = 0;
        float gradNorm;
        float learningRate = schedule.at(step + 1);
        // Activations and gradients are lent by the pool and handed back when the step ends, so the next step of the
        // same shapes reuses them; nothing made in the scope outlives it (the loss is read out as a number).
        try (BufferPool.Scope scope = buffers.open()) {
            // One micro-batch: its gradients as they are (averaging over one changes no bit, copying them costs a
            // pass over every parameter); several: summed and averaged.
            GradientAccumulator accumulator = microBatches.size() == 1 ? null : new GradientAccumulator(params);
            Gradients grads = null;
            for (int i = 0; i < microBatches.size(); i++) {
                Batch batch = microBatches.get(i);
                Tape tape = new Tape();
                Mode mode = Mode.training(DropoutHash.mix(config.seed() ^ DropoutHash.mix(step * 1_000_003L + i)),
                        tape);
                Tensor logits = model.forward(batch.src(), batch.tgtIn(), sourcePadding(batch), targetPadding(batch),
                        mode); // (batchSize, tgtLen, tgtVocab)
                Tensor loss = CrossEntropyOp.apply(tape, logits, flatten(batch.tgtOut()), Tokenizer.PAD_ID,
                        config.labelSmoothing());
                grads = tape.backward(loss);
                if (accumulator != null) {
                    accumulator.add(grads);
                }
                lossSum += loss.data()[0];
                tokens += batch.tokens();
            }
            Gradients averaged = accumulator == null ? grads : accumulator.takeAverage();
            gradNorm = GradientClipping.clipGlobalNorm(params, averaged,
                    config.clipNorm() > 0 ? config.clipNorm() : Float.POSITIVE_INFINITY);
            // the optimizer's state must outlive the step
            scope.runOnHeap(() -> optimizer.step(params, averaged, learningRate));
        }
        step++;
        return new StepReport(step, lossSum / microBatches.size(), learningRate, gradNorm, tokens, elapsedSeconds());
    }

    /**
     * Validation: teacher-forced loss (no smoothing) and token accuracy, then {@code decoder}'s outputs scored by
     * exact match and BLEU against the references, as strings and tokens of {@code target}.
     */
    public Evaluation evaluate(List<Batch> batches, Decoder decoder, Tokenizer target) {
        double lossSum = 0;
        long lossTokens = 0;
        long correct = 0;
        long counted = 0;
        List<String> hypotheses = new ArrayList<>();
        List<String> references = new ArrayList<>();
        List<List<String>> hypothesisTokens = new ArrayList<>();
        List<List<String>> referenceTokens = new ArrayList<>();
        for (Batch batch : batches) {
            Tensor logits = model.forward(batch.src(), batch.tgtIn(), sourcePadding(batch), targetPadding(batch),
                    Mode.INFERENCE);
            int[] labels = flatten(batch.tgtOut());
            lossSum += CrossEntropyOp.apply(null, logits, labels, Tokenizer.PAD_ID, 0f).data()[0] * batch.tokens();
            lossTokens += batch.tokens();
            CrossEntropyOp.Stats stats = CrossEntropyOp.stats(logits, labels, Tokenizer.PAD_ID);
            correct += stats.correct();
            counted += stats.counted();
            int[][] decoded = decoder.decode(batch.src(), batch.srcLengths());
            for (int b = 0; b < batch.batchSize(); b++) {
                int[] reference = Arrays.copyOf(batch.tgtOut()[b], batch.tgtLengths()[b] - 1); // without EOS
                hypotheses.add(target.decode(decoded[b]));
                references.add(target.decode(reference));
                hypothesisTokens.add(tokens(target, decoded[b]));
                referenceTokens.add(tokens(target, reference));
            }
        }
        return new Evaluation(step, elapsedSeconds(), lossTokens == 0 ? 0 : lossSum / lossTokens,
                counted == 0 ? 0 : (double) correct / counted, Metrics.exactMatch(hypotheses, references),
                Metrics.bleu(hypothesisTokens, referenceTokens));
    }

    /**
     * Trains until {@link TrainingConfig#maxSteps()} or {@link TrainingConfig#maxMillis()}, drawing batches from
     * {@code batcher} at the position this trainer's step count implies (so a restored trainer continues where the
     * checkpoint left off), validating and checkpointing as configured and at the end.
     *
     * @param store where checkpoints go, or null for none
     */
    public void run(Batcher batcher, List<Batch> valid, Decoder decoder, Tokenizer target, CheckpointStore store,
                    String configJson, TrainingListener listener) throws IOException {
        long startedAt = System.nanoTime();
        int accumulation = config.accumulationSteps();
        BatchCursor cursor = new BatchCursor(batcher, step * accumulation);
        while (step < config.maxSteps()) {
            List<Batch> micro = new ArrayList<>(accumulation);
            for (int i = 0; i < accumulation; i++) {
                micro.add(cursor.next());
            }
            listener.onStep(step(micro));
            boolean outOfTime = (System.nanoTime() - startedAt) / 1_000_000 >= config.maxMillis();
            boolean last = step >= config.maxSteps() || outOfTime;
            if (step % config.evalEvery() == 0 || last) {
                listener.onEvaluation(evaluate(valid, decoder, target));
            }
            if (store != null && (step % config.checkpointEvery() == 0 || last)) {
                store.save(checkpoint(configJson));
                listener.onCheckpoint(step);
            }
            if (outOfTime) {
                break;
            }
        }
    }

    /** A snapshot of everything needed to resume: weights, optimizer state, step, training time. */
    public Checkpoint checkpoint(String configJson) {
        return new Checkpoint(step, model.stateDict(), optimizer.state(), configJson,
                Map.of("elapsed_seconds", Double.toString(elapsedSeconds())));
    }

    /** Continues from {@code checkpoint}: the next step is {@code checkpoint.step() + 1}. */
    public void restore(Checkpoint checkpoint) {
        model.loadStateDict(checkpoint.weights());
        optimizer.loadState(checkpoint.optimizerState());
        step = checkpoint.step();
        priorSeconds = Double.parseDouble(checkpoint.extra().getOrDefault("elapsed_seconds", "0"));
        startedNanos = System.nanoTime();
    }

    /** Walks the batcher's epochs in order; epochs may hold different numbers of batches. */
    private static final class BatchCursor {
        private final Batcher batcher;
        private int epoch;
        private int index;
        private List<Batch> batches;

        /** A cursor positioned after the first {@code consumed} batches. */
        BatchCursor(Batcher batcher, long consumed) {
            this.batcher = batcher;
            this.batches = batcher.epoch(0);
            long remaining = consumed;
            while (remaining >= batches.size()) {
                remaining -= batches.size();
                batches = batcher.epoch(++epoch);
            }
            index = (int) remaining;
        }

        Batch next() {
            if (index == batches.size()) {
                batches = batcher.epoch(++epoch);
                index = 0;
            }
            return batches.get(index++);
        }
    }

    private static Mask sourcePadding(Batch batch) {
        return Mask.keyLengths(batch.srcLen(), batch.srcLengths());
    }

    private static Mask targetPadding(Batch batch) {
        return Mask.keyLengths(batch.tgtLen(), batch.tgtLengths());
    }

    private static int[] flatten(int[][] rows) {
        int n = 0;
        for (int[] r : rows) {
            n += r.length;
        }
        int[] flat = new int[n];
        int at = 0;
        for (int[] r : rows) {
            System.arraycopy(r, 0, flat, at, r.length);
            at += r.length;
        }
        return flat;
    }

    private static List<String> tokens(Tokenizer tokenizer, int[] ids) {
        List<String> out = new ArrayList<>(ids.length);
        for (int id : ids) {
            out.add(tokenizer.token(id));
        }
        return out;
    }
}
