package dev.attention4j.train;

import dev.attention4j.generate.GenerationConfig;
import dev.attention4j.generate.Generator;
import dev.attention4j.kernels.Parallel;
import dev.attention4j.nn.Activation;
import dev.attention4j.nn.transformer.Seq2SeqConfig;
import dev.attention4j.nn.transformer.Seq2SeqTransformer;
import dev.attention4j.nn.transformer.TransformerConfig;
import dev.attention4j.nn.transformer.TransformerLayerConfig;
import dev.attention4j.tensor.BufferPool;
import dev.attention4j.tensor.Tensor;
import dev.attention4j.train.data.Batch;
import dev.attention4j.train.data.BatchLimits;
import dev.attention4j.train.data.Batcher;
import dev.attention4j.train.data.CharTokenizer;
import dev.attention4j.train.data.EncodedExample;
import dev.attention4j.train.data.Example;
import dev.attention4j.train.data.Tasks;
import dev.attention4j.train.data.Tokenizer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class Seq2SeqTrainerTest {

    static final long SEED = 7;
    final List<Example> examples = Tasks.reverse(SEED, 400, "abcdef", 1, 8);
    final Tokenizer tokenizer = CharTokenizer.train(examples.stream().map(Example::source).toList());
    final List<EncodedExample> encoded = EncodedExample.encode(examples, tokenizer, tokenizer);
    final Batcher batcher = new Batcher(encoded, BatchLimits.sentences(16), SEED);
    final List<Batch> valid = List.of(Batch.of(encoded.subList(0, 16)));

    Seq2SeqTransformer model(float dropout) {
        TransformerLayerConfig layer = TransformerLayerConfig.of(32, 4, 64).withDropout(dropout)
                .withActivation(Activation.GELU);
        return new Seq2SeqTransformer(Seq2SeqConfig.of(new TransformerConfig(layer, 1, 1), tokenizer.vocabSize(),
                tokenizer.vocabSize(), 16), SEED);
    }

    Seq2SeqTrainer trainer(Seq2SeqTransformer model, TrainingConfig config) {
        return new Seq2SeqTrainer(model, new Adam(AdamConfig.paper()), new LearningRateSchedule.Noam(32, 20, 1f),
                config);
    }

    Seq2SeqTrainer.Decoder decoder(Seq2SeqTransformer model) {
        return (src, lengths) -> Generator.bestTokens(Generator.generate(model, src, lengths, Tokenizer.BOS_ID,
                GenerationConfig.greedy(10, Tokenizer.EOS_ID)));
    }

    /** Remembers what it is given. */
    static final class Recorder implements TrainingListener, CheckpointStore {
        final List<Double> losses = new ArrayList<>();
        final List<Evaluation> evaluations = new ArrayList<>();
        Checkpoint latest;

        @Override
        public void onStep(StepReport report) {
            losses.add(report.loss());
        }

        @Override
        public void onEvaluation(Evaluation evaluation) {
            evaluations.add(evaluation);
        }

        @Override
        public void save(Checkpoint checkpoint) {
            latest = checkpoint;
        }

        @Override
        public Optional<Checkpoint> loadLatest() {
            return Optional.ofNullable(latest);
        }
    }

    @Test
    void aResumedRunContinuesTheSameLossCurveBitForBit() throws Exception {
        TrainingConfig config = TrainingConfig.of(8, SEED).withEvalEvery(4).withCheckpointEvery(4)
                .withAccumulationSteps(2);
        Seq2SeqTransformer whole = model(0.1f);
        Recorder uninterrupted = new Recorder();
        trainer(whole, config).run(batcher, valid, decoder(whole), tokenizer, uninterrupted, "{}", uninterrupted);

        Seq2SeqTransformer first = model(0.1f);
        Recorder firstHalf = new Recorder();
        trainer(first, TrainingConfig.of(4, SEED).withEvalEvery(4).withCheckpointEvery(4).withAccumulationSteps(2))
                .run(batcher, valid, decoder(first), tokenizer, firstHalf, "{}", firstHalf);
        assertThat(firstHalf.latest.step()).isEqualTo(4);

        Seq2SeqTransformer second = model(0.1f);
        Seq2SeqTrainer resumed = trainer(second, config);
        resumed.restore(firstHalf.latest);
        Recorder secondHalf = new Recorder();
        resumed.run(batcher, valid, decoder(second), tokenizer, secondHalf, "{}", secondHalf);

        List<Double> stitched = new ArrayList<>(firstHalf.losses);
        stitched.addAll(secondHalf.losses);
        assertThat(stitched).containsExactlyElementsOf(uninterrupted.losses);
        assertThat(secondHalf.evaluations.get(secondHalf.evaluations.size() - 1).loss())
                .isEqualTo(uninterrupted.evaluations.get(uninterrupted.evaluations.size() - 1).loss());
        Map<String, Tensor> a = whole.namedParameters();
        second.namedParameters().forEach((name, t) -> assertThat(t.bitEquals(a.get(name))).as(name).isTrue());
    }

    @Test
    void sameWeightsBitForBitAtOneAndTwoThreads() {
        int before = Parallel.threads();
        try {
            Map<String, Tensor> one = trainSteps(1);
            Map<String, Tensor> two = trainSteps(2);
            one.forEach((name, t) -> assertThat(t.bitEquals(two.get(name))).as(name).isTrue());
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void reusedStepBuffersGiveTheBitsOfFreshOnes() {
        // The suite lends every array through the pool and poisons what a step returns (see the surefire
        // configuration), so a tensor that outlived its step would turn the weights into NaN here.
        Seq2SeqTransformer pooled = model(0.1f);
        Seq2SeqTransformer fresh = model(0.1f);
        Seq2SeqTrainer a = trainer(pooled, TrainingConfig.of(4, SEED).withAccumulationSteps(2));
        Seq2SeqTrainer b = trainer(fresh, TrainingConfig.of(4, SEED).withAccumulationSteps(2));
        BufferPool pool = new BufferPool(1);
        a.useBufferPool(pool);
        b.useBufferPool(new BufferPool(Integer.MAX_VALUE)); // lends nothing
        List<Batch> epoch = batcher.epoch(0);
        for (int i = 0; i < 4; i++) {
            List<Batch> micro = List.of(epoch.get(i % 2), epoch.get(2));  // the same shapes come back: reuse
            assertThat(a.step(micro).loss()).isEqualTo(b.step(micro).loss());
        }
        Map<String, Tensor> want = fresh.namedParameters();
        pooled.namedParameters().forEach((name, t) -> assertThat(t.bitEquals(want.get(name))).as(name).isTrue());
        pooled.namedParameters().forEach((name, t) -> assertThat(t.data()).as(name).doesNotContain(Float.NaN));
        assertThat(pool.reusedArrays()).as("arrays handed out again").isGreaterThan(pool.allocatedArrays());
    }

    @Test
    void aSingleMicroBatchStepsLikeTheAverageOfTwoEqualOnes() {
        // Without dropout two copies of a batch have the same gradient g, and (g + g) / 2 is g exactly: the
        // accumulator's path is the oracle for the single micro-batch path, which skips it.
        Seq2SeqTransformer single = model(0f);
        Seq2SeqTransformer doubled = model(0f);
        Seq2SeqTrainer a = trainer(single, TrainingConfig.of(3, SEED));
        Seq2SeqTrainer b = trainer(doubled, TrainingConfig.of(3, SEED).withAccumulationSteps(2));
        List<Batch> epoch = batcher.epoch(0);
        for (int i = 0; i < 3; i++) {
            StepReport one = a.step(List.of(epoch.get(i)));
            StepReport two = b.step(List.of(epoch.get(i), epoch.get(i)));
            assertThat(one.loss()).isEqualTo(two.loss());
            assertThat(one.gradNorm()).isEqualTo(two.gradNorm());
        }
        Map<String, Tensor> want = doubled.namedParameters();
        single.namedParameters().forEach((name, t) -> assertThat(t.bitEquals(want.get(name))).as(name).isTrue());
    }

    private Map<String, Tensor> trainSteps(int threads) {
        Parallel.setThreads(threads);
        Seq2SeqTransformer m = model(0.1f);
        Seq2SeqTrainer t = trainer(m, TrainingConfig.of(3, SEED));
        List<Batch> epoch = batcher.epoch(0);
        for (int i = 0; i < 3; i++) {
            t.step(List.of(epoch.get(i)));
        }
        return m.namedParameters();
    }

    @Test
    void itLearnsToCopy() {
        List<Example> copies = Tasks.copy(SEED, 400, "abcdef", 1, 8);
        List<EncodedExample> copyEncoded = EncodedExample.encode(copies, tokenizer, tokenizer);
        Batcher copyBatcher = new Batcher(copyEncoded, BatchLimits.sentences(16), SEED);
        List<Batch> valid = List.of(Batch.of(copyEncoded.subList(0, 32)));
        Seq2SeqTransformer m = model(0f);
        Seq2SeqTrainer t = new Seq2SeqTrainer(m, new Adam(AdamConfig.paper()), new LearningRateSchedule.Noam(32, 20,
                0.3f), TrainingConfig.of(150, SEED).withLabelSmoothing(0f));
        Evaluation before = t.evaluate(valid, decoder(m), tokenizer);
        List<Batch> epoch = copyBatcher.epoch(0);
        for (int i = 0; i < 150; i++) {
            t.step(List.of(epoch.get(i % epoch.size())));
        }
        Evaluation after = t.evaluate(valid, decoder(m), tokenizer);
        assertThat(after.loss()).isLessThan(before.loss() * 0.5);
        assertThat(after.tokenAccuracy()).isGreaterThan(before.tokenAccuracy() + 0.3);
    }
}
