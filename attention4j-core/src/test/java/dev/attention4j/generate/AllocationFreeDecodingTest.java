package dev.attention4j.generate;

import dev.attention4j.kernels.AllocationCounter;
import dev.attention4j.kernels.Parallel;
import dev.attention4j.kernels.WithThreads;
import dev.attention4j.nn.Mode;
import dev.attention4j.nn.attention.Mask;
import dev.attention4j.nn.transformer.DecoderCache;
import dev.attention4j.nn.transformer.DecoderOnlyTransformer;
import dev.attention4j.nn.transformer.NormPlacement;
import dev.attention4j.nn.transformer.Seq2SeqConfig;
import dev.attention4j.nn.transformer.Seq2SeqTransformer;
import dev.attention4j.nn.transformer.TransformerConfig;
import dev.attention4j.nn.transformer.TransformerLayerConfig;
import dev.attention4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 4: decoding allocates nothing per token on the hot path. Measured with the JVM's per-thread allocation
 * counters over the calling thread and the library's pool workers (which would run split work), around 50 one-token
 * steps of small models at batch 1 and 4: first the model's {@code decodeStep} alone, then the whole greedy (and
 * sampling) loop of {@link Generator} — search, rows and model — from the prompt's logits to the last token.
 *
 * <p>Each measurement is repeated until {@value #ZERO_RUNS_IN_A_ROW} runs in a row allocate exactly 0 bytes, within
 * {@value #MAX_RUNS} runs: exactly 0, not a bound. Not from the first run: until C2 has compiled the kernels, the
 * Vector API's vectors are real objects in interpreted and C1 code (with the scalar kernels the second run already
 * allocates nothing), and how many runs that takes depends on the machine's load and on what the JVM ran before. A
 * path that allocates anything per step by itself (a tensor, a lambda, a task of a split op, a vector boxed because
 * C2 did not inline a kernel's vector helper — see the note in {@code VectorKernels}) allocates in every run and
 * never reaches 0; the test prints the first and the last count and how many runs it took. Whether C2 inlines a
 * helper depends on timing (the compile queue, the profile a method had when it was inlined), so the core module also
 * runs this class with C2 forbidden to inline any kernel method (surefire execution {@code kernels-not-inlined}): the
 * worst case, deterministic. Run alone under that worst case, the vector exp taking and returning a vector allocated
 * 92 KB per 50 steps in every run; it now works on the array.
 *
 * <p>The same again at 2 threads on steps whose ops split across threads (a 10,000-token vocabulary's logits
 * projection at batch 1 and 8, the attention over a 512-token self cache, the greedy and sampling loops on them): the
 * hand-off to the workers must allocate nothing either, and {@code Parallel.handOffs()} shows that the workers did take
 * chunks in the measured runs. (With the old ForkJoinPool hand-off these runs allocated 9.7 KB and 18.7 KB per 50
 * steps in every run.)
 */
class AllocationFreeDecodingTest {

    static final int STEPS = 50;
    static final int BOS = 1;
    static final int[][] SOURCES = {{5, 6, 7, 8, 9, 3}, {10, 11, 0, 0, 0, 0}, {12, 13, 14, 15, 0, 0},
            {4, 0, 0, 0, 0, 0}};
    static final int[] SOURCE_LENGTHS = {6, 2, 4, 1};
    static final int MAX_RUNS = 4000;
    static final int ZERO_RUNS_IN_A_ROW = 5;

    /** The first {@code batch} of {@link #SOURCES}, cycled. */
    static int[][] sources(int batch) {
        int[][] src = new int[batch][];
        for (int b = 0; b < batch; b++) {
            src[b] = SOURCES[b % SOURCES.length];
        }
        return src;
    }

    /** The lengths of {@link #sources}. */
    static int[] sourceLengths(int batch) {
        int[] lengths = new int[batch];
        for (int b = 0; b < batch; b++) {
            lengths[b] = SOURCE_LENGTHS[b % SOURCE_LENGTHS.length];
        }
        return lengths;
    }

    static TransformerLayerConfig layer(NormPlacement placement) {
        return TransformerLayerConfig.of(32, 4, 64).withDropout(0f).withNormPlacement(placement);
    }

    static Seq2SeqTransformer seq2seq() {
        return new Seq2SeqTransformer(Seq2SeqConfig.of(new TransformerConfig(layer(NormPlacement.POST), 2, 2), 20, 40,
                STEPS + 8), 3L);
    }

    static DecoderOnlyTransformer decoderOnly() {
        return new DecoderOnlyTransformer(layer(NormPlacement.PRE), 2, 40, STEPS + 8,
                Seq2SeqConfig.Positions.LEARNED, 4L);
    }

    /**
     * One run: makes what it needs, then returns the bytes allocated between {@code counter.start()} and
     * {@code counter.stop()} around the part measured.
     */
    @FunctionalInterface
    interface Run {
        long bytes(AllocationCounter counter);
    }

    /**
     * Repeats {@code run} until {@value #ZERO_RUNS_IN_A_ROW} runs in a row allocate nothing, and fails if that does
     * not happen within {@value #MAX_RUNS} runs.
     */
    static void assertRunsReachZeroBytes(String what, Run run) {
        AllocationCounter counter = new AllocationCounter();
        long first = run.bytes(counter);
        long last = first;
        int runs = 1;
        int zeroRuns = first == 0 ? 1 : 0;
        long lastNonZeroRun = first == 0 ? -1 : 0;
        while (zeroRuns < ZERO_RUNS_IN_A_ROW && runs < MAX_RUNS) {
            last = run.bytes(counter);
            zeroRuns = last == 0 ? zeroRuns + 1 : 0;
            if (last != 0) {
                lastNonZeroRun = runs;
            }
            runs++;
        }
        System.out.printf("%s: %d bytes in the first run of %d steps, %d bytes in the last; the last run that "
                + "allocated was run %d of %d%n", what, first, STEPS, last, lastNonZeroRun, runs);
        assertThat(zeroRuns).as("%s: runs of %d steps in a row that allocated nothing, within %d runs (the last "
                + "allocated %d bytes)", what, STEPS, MAX_RUNS, last).isEqualTo(ZERO_RUNS_IN_A_ROW);
    }

    /** A model's {@code decodeStep}. */
    @FunctionalInterface
    interface Step {
        float[] apply(int[] lastTokens, DecoderCache cache);
    }

    /**
     * One step (BOS), which makes the step's buffers, then {@value #STEPS} steps on {@code cache} counted by
     * {@code counter}; returns their bytes.
     */
    static long countSteps(AllocationCounter counter, Step step, DecoderCache cache, int[] tokens) {
        Arrays.fill(tokens, BOS);
        step.apply(tokens, cache);
        counter.start();
        for (int s = 0; s < STEPS; s++) {
            Arrays.fill(tokens, 3 + s % 30);
            step.apply(tokens, cache);
        }
        return counter.stop();
    }

    @Test
    void seq2seqStepsAllocateNothingAtBatchOneAndFour() {
        Seq2SeqTransformer model = seq2seq();
        for (int batch : new int[] {1, 4}) {
            Mask padding = Mask.keyLengths(6, Arrays.copyOf(SOURCE_LENGTHS, batch));
            Tensor memory = model.encode(Arrays.copyOf(SOURCES, batch), padding, Mode.INFERENCE);
            int[] tokens = new int[batch];
            String what = "seq2seq decodeStep, batch " + batch;
            assertRunsReachZeroBytes(what, counter -> {
                DecoderCache cache = model.startDecoding(memory, padding, STEPS + 1);
                return countSteps(counter, model::decodeStep, cache, tokens);
            });
        }
    }

    @Test
    void decoderOnlyStepsAllocateNothingAtBatchOneAndFour() {
        DecoderOnlyTransformer model = decoderOnly();
        for (int batch : new int[] {1, 4}) {
            int[] tokens = new int[batch];
            String what = "decoder-only decodeStep, batch " + batch;
            assertRunsReachZeroBytes(what, counter -> {
                DecoderCache cache = model.startDecoding(batch, STEPS + 1);
                return countSteps(counter, model::decodeStep, cache, tokens);
            });
        }
    }

    /**
     * Generator's per-token loop ({@link Generator#decode}) on the pieces {@link Generator#generate} makes, from the
     * prompt's logits to the last of {@code STEPS + 1} tokens ({@code STEPS} model steps), with no stop token so
     * every row runs to the end. The tokens must be the ones {@code Generator.generate} returns, so the loop measured
     * is the real one.
     */
    @Test
    void theGreedyAndSamplingLoopsOfGeneratorAllocateNothingPerToken() {
        assertGeneratorLoopsAllocateNothing(seq2seq(), new int[] {1, 4}, "");
    }

    static List<Sampler> samplers() {
        return List.of(Sampler.greedy(), Sampler.random(5).withTopK(10).withTopP(0.9).withTemperature(0.8));
    }

    static void assertGeneratorLoopsAllocateNothing(Seq2SeqTransformer model, int[] batches, String label) {
        int vocab = model.config().tgtVocab();
        for (Sampler sampler : samplers()) {
            GenerationConfig config = new GenerationConfig(STEPS + 1, Set.of(), 1.3, sampler, DecoderCaching.FULL);
            for (int batch : batches) {
                int[][] src = sources(batch);
                int[] lengths = sourceLengths(batch);
                Mask padding = Mask.keyLengths(6, lengths);
                Tensor memory = model.encode(src, padding, Mode.INFERENCE);
                int[][] prompts = new int[batch][];
                Arrays.fill(prompts, new int[] {BOS});
                int[][] expected = Generator.bestTokens(Generator.generate(model, src, lengths, BOS, config));
                String what = label + sampler + ", batch " + batch;
                assertRunsReachZeroBytes(what, counter -> {
                    StepDecoder steps = new StepDecoder.Cached(model.startDecoding(memory, padding, STEPS + 1),
                            model::decodeCached, model::decodeStep, vocab);
                    Search search = new TokenByTokenSearch(config, batch, vocab);
                    Rows rows = new Rows(prompts, 1, 1 + config.maxNewTokens());
                    int[][] next = new int[batch][1];
                    float[] promptLogits = steps.feed(rows.feedPromptStart(1));
                    counter.start();
                    Generator.decode(search, rows, steps, next, promptLogits);
                    long bytes = counter.stop();
                    assertThat(Generator.bestTokens(search.results(rows))).as(what).isDeepEqualTo(expected);
                    return bytes;
                });
            }
        }
    }

    // ---- steps whose ops split across threads: the hand-off to the workers must allocate nothing either ----

    /** Threads for the splitting tests: enough to split whatever the machine, few enough for a 2-core one. */
    static final int SPLIT_THREADS = 2;
    /** Cached tokens before the long-cache steps: the attention over them splits its (sequence, head) pairs. */
    static final int LONG_CACHE = 512;

    /**
     * d_model 128 and a 10,000-token target vocabulary: the logits projection, 1 x 128 x 10,000 multiply-adds per
     * sequence, is above {@code MatMul}'s split threshold (2^20), so at 2 threads every step splits it by columns.
     */
    static Seq2SeqTransformer splittingSeq2seq() {
        TransformerLayerConfig layer = TransformerLayerConfig.of(128, 4, 256).withDropout(0f)
                .withNormPlacement(NormPlacement.POST);
        return new Seq2SeqTransformer(Seq2SeqConfig.of(new TransformerConfig(layer, 1, 1), 40, 10_000,
                LONG_CACHE + STEPS + 2), 6L);
    }

    /**
     * {@link #assertRunsReachZeroBytes} on a run that is meant to split its ops across threads: also checks that the
     * workers did take chunks in the measured windows ({@link Parallel#handOffs}), so the 0 is the hand-off's 0 and
     * not that of a step that ran everything on the calling thread.
     */
    static void assertSplitRunsReachZeroBytes(String what, Run run) {
        long[] handOffs = new long[1];
        assertRunsReachZeroBytes(what, counter -> {
            long before = Parallel.handOffs();
            long bytes = run.bytes(counter);
            handOffs[0] += Parallel.handOffs() - before;
            return bytes;
        });
        assertThat(handOffs[0]).as("%s: loops in which a worker took chunks", what).isPositive();
    }

    @Test
    void stepsThatSplitAcrossThreadsAllocateNothing() {
        Seq2SeqTransformer model = splittingSeq2seq();
        WithThreads.run(SPLIT_THREADS, () -> {
            for (int batch : new int[] {1, 8}) {
                int[][] src = sources(batch);
                Mask padding = Mask.keyLengths(6, sourceLengths(batch));
                Tensor memory = model.encode(src, padding, Mode.INFERENCE);
                int[] tokens = new int[batch];
                assertSplitRunsReachZeroBytes("vocab-10k decodeStep, batch " + batch, counter -> {
                    DecoderCache cache = model.startDecoding(memory, padding, STEPS + 1);
                    return countSteps(counter, model::decodeStep, cache, tokens);
                });
            }
        });
    }

    /** The self-attention over a {@value #LONG_CACHE}-token cache splits its (sequence, head) pairs across threads. */
    @Test
    void stepsOnALongCacheAllocateNothing() {
        Seq2SeqTransformer model = splittingSeq2seq();
        WithThreads.run(SPLIT_THREADS, () -> {
            int batch = 1;
            Mask padding = Mask.keyLengths(6, sourceLengths(batch));
            Tensor memory = model.encode(sources(batch), padding, Mode.INFERENCE);
            int[][] prefix = new int[batch][LONG_CACHE];
            for (int[] row : prefix) {
                Arrays.setAll(row, i -> 3 + i % 30);
            }
            int[] tokens = new int[batch];
            assertSplitRunsReachZeroBytes("decodeStep after " + LONG_CACHE + " cached tokens", counter -> {
                DecoderCache cache = model.startDecoding(memory, padding, LONG_CACHE + STEPS + 1);
                model.decodeCached(prefix, cache);
                return countSteps(counter, model::decodeStep, cache, tokens);
            });
        });
    }

    @Test
    void theGreedyAndSamplingLoopsAllocateNothingWhenTheirStepsSplit() {
        Seq2SeqTransformer model = splittingSeq2seq();
        WithThreads.run(SPLIT_THREADS, () -> {
            long before = Parallel.handOffs();
            assertGeneratorLoopsAllocateNothing(model, new int[] {1, 8}, "vocab 10k, ");
            assertThat(Parallel.handOffs() - before).as("loops in which a worker took chunks").isPositive();
        });
    }
}
