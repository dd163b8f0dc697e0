package dev.attention4j.generate;

import dev.attention4j.nn.Mode;
import dev.attention4j.nn.attention.Mask;
import dev.attention4j.nn.transformer.DecoderOnlyTransformer;
import dev.attention4j.nn.transformer.NormPlacement;
import dev.attention4j.nn.transformer.Seq2SeqConfig;
import dev.attention4j.nn.transformer.Seq2SeqTransformer;
import dev.attention4j.nn.transformer.TransformerConfig;
import dev.attention4j.nn.transformer.TransformerLayerConfig;
import dev.attention4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class GeneratorTest {

    static final int BOS = 1;
    static final int EOS = 2;
    final Seq2SeqTransformer model = new Seq2SeqTransformer(Seq2SeqConfig.of(TransformerConfig.tiny(), 20, 12, 40), 3L);

    static Seq2SeqTransformer randomSeq2Seq(long seed, int tgtVocab) {
        TransformerLayerConfig layer = TransformerLayerConfig.of(32, 4, 64).withDropout(0f)
                .withNormPlacement(seed % 2 == 0 ? NormPlacement.POST : NormPlacement.PRE);
        return new Seq2SeqTransformer(Seq2SeqConfig.of(new TransformerConfig(layer, 2, 1 + (int) (seed % 3)), 20,
                tgtVocab, 40), seed);
    }

    static DecoderOnlyTransformer randomDecoderOnly(long seed) {
        TransformerLayerConfig layer = TransformerLayerConfig.of(32, 4, 64).withDropout(0f)
                .withNormPlacement(seed % 2 == 0 ? NormPlacement.POST : NormPlacement.PRE);
        return new DecoderOnlyTransformer(layer, 1 + (int) (seed % 3), 12, 40,
                seed % 3 == 0 ? Seq2SeqConfig.Positions.LEARNED : Seq2SeqConfig.Positions.SINUSOIDAL, seed);
    }

    static GenerationConfig config(int maxNewTokens, Sampler sampler) {
        return GenerationConfig.greedy(maxNewTokens, EOS).withSampler(sampler);
    }

    /** The definition of greedy decoding, one sequence at a time: rerun the model on the prefix, take the argmax. */
    private static int[] greedyOneByOne(Seq2SeqTransformer m, int[] src, int maxNewTokens) {
        int[] prefix = {BOS};
        for (int step = 0; step < maxNewTokens; step++) {
            Tensor logits = m.forward(new int[][] {src}, new int[][] {prefix});
            int vocab = logits.dim(2);
            int next = Scores.argmax(logits.data(), step * vocab, vocab);
            if (next == EOS) {
                break;
            }
            prefix = Arrays.copyOf(prefix, prefix.length + 1);
            prefix[prefix.length - 1] = next;
        }
        return Arrays.copyOfRange(prefix, 1, prefix.length);
    }

    /** log p(tokens[t] | prefix) in double, from the teacher-forced forward pass: the oracle of every score. */
    private static double[] stepLogProbs(Seq2SeqTransformer m, int[] src, int[] target) {
        int[] tgt = new int[target.length];
        tgt[0] = BOS;
        System.arraycopy(target, 0, tgt, 1, target.length - 1);
        Tensor logits = m.forward(new int[][] {src}, new int[][] {tgt}); // (1, len, vocab)
        int vocab = logits.dim(2);
        double[] out = new double[target.length];
        for (int t = 0; t < target.length; t++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int v = 0; v < vocab; v++) {
                max = Math.max(max, logits.data()[t * vocab + v]);
            }
            double sum = 0;
            for (int v = 0; v < vocab; v++) {
                sum += Math.exp(logits.data()[t * vocab + v] - max);
            }
            out[t] = logits.data()[t * vocab + target[t]] - max - Math.log(sum);
        }
        return out;
    }

    /** HF's beam score of a hypothesis: sum of log-probs (stop token included) / generatedLength^lengthPenalty. */
    private static double beamScore(Seq2SeqTransformer m, int[] src, Hypothesis h, double lengthPenalty) {
        int[] target = h.finish() == Finish.STOP_TOKEN ? append(h.tokens(), EOS) : h.tokens();
        double sum = Arrays.stream(stepLogProbs(m, src, target)).sum();
        return sum / Math.pow(target.length, lengthPenalty);
    }

    private static int[] append(int[] a, int x) {
        int[] out = Arrays.copyOf(a, a.length + 1);
        out[a.length] = x;
        return out;
    }

    @Test
    void batchedGreedyDecodingOfPaddedSourcesEqualsDecodingEachAlone() {
        int[][] sources = {{5, 6, 7, 8, 9}, {10, 11, 0, 0, 0}, {12, 13, 14, 0, 0}};
        int[] lengths = {5, 2, 3};
        for (DecoderCaching caching : DecoderCaching.values()) {
            List<Generation> batched = Generator.generate(model, sources, lengths, BOS,
                    GenerationConfig.greedy(12, EOS).withCaching(caching));
            for (int b = 0; b < sources.length; b++) {
                int[] alone = greedyOneByOne(model, Arrays.copyOf(sources[b], lengths[b]), 12);
                assertThat(batched.get(b).tokens()).as("%s, sequence %d", caching, b).containsExactly(alone);
            }
        }
    }

    @Test
    void greedyScoreIsTheSumOfTheChosenTokensLogProbabilities() {
        int[] src = {5, 6, 7};
        Hypothesis h = Generator.generate(model, new int[][] {src}, new int[] {3}, BOS,
                GenerationConfig.greedy(8, EOS)).get(0).best();
        int[] target = h.finish() == Finish.STOP_TOKEN ? append(h.tokens(), EOS) : h.tokens();
        assertThat(h.score()).isCloseTo(Arrays.stream(stepLogProbs(model, src, target)).sum(), within(1e-4));
    }

    @Test
    void stopsAtMaxNewTokensAndNeverEmitsTheStopToken() {
        Generation g = Generator.generate(model, new int[][] {{5, 6}}, new int[] {2}, BOS,
                GenerationConfig.greedy(3, EOS)).get(0);
        assertThat(g.tokens().length).isLessThanOrEqualTo(3);
        assertThat(g.tokens()).doesNotContain(EOS);
        if (g.tokens().length < 3) {
            assertThat(g.best().finish()).isEqualTo(Finish.STOP_TOKEN);
        }
        assertThat(Generator.generate(model, new int[][] {{5, 6}}, new int[] {2}, BOS,
                GenerationConfig.greedy(0, EOS)).get(0).tokens()).isEmpty();
    }

    @Test
    void everyStopTokenEndsASequence() {
        int[][] src = {{5, 6, 7}, {8, 9, 10}};
        int[] lengths = {3, 3};
        int[] free = Generator.generate(model, src, lengths, BOS, GenerationConfig.greedy(10, EOS)
                .withStopTokens(Set.of())).get(0).tokens();
        assertThat(free).hasSize(10); // with no stop token, runs to the limit
        int stopAt = free[2];
        int[] stopped = Generator.generate(model, src, lengths, BOS, GenerationConfig.greedy(10, EOS)
                .withStopTokens(Set.of(EOS, stopAt))).get(0).tokens();
        int first = 0;
        while (free[first] != stopAt && free[first] != EOS) {
            first++;
        }
        assertThat(stopped).containsExactly(Arrays.copyOf(free, first));
    }

    @Test
    void aSequenceStopsOnItsOwn() {
        // EOS becomes the certain choice for every sequence: each stops at once, whatever the others do.
        Seq2SeqTransformer m = new Seq2SeqTransformer(Seq2SeqConfig.of(TransformerConfig.tiny(), 20, 12, 40), 4L);
        m.namedParameters().get("generator.bias").data()[EOS] = 1e4f;
        List<Generation> out = Generator.generate(m, new int[][] {{5, 6, 7}, {8, 0, 0}}, new int[] {3, 1}, BOS,
                GenerationConfig.greedy(10, EOS));
        assertThat(out.get(0).tokens()).isEmpty();
        assertThat(out.get(1).tokens()).isEmpty();
        assertThat(out.get(0).best().finish()).isEqualTo(Finish.STOP_TOKEN);
    }

    /** Every strategy on random models: the cached paths give the tokens of recomputing the prefix at every step. */
    @Test
    void cachedDecodingGivesTheSameResultsAsRecomputingForEveryStrategy() {
        int[][] sources = {{5, 6, 7, 8, 9, 3}, {10, 11, 0, 0, 0, 0}, {12, 13, 14, 15, 0, 0}, {4, 0, 0, 0, 0, 0}};
        int[] lengths = {6, 2, 4, 1};
        List<Sampler> samplers = List.of(Sampler.greedy(), Sampler.beam(1), Sampler.beam(3).withNumReturnSequences(3),
                Sampler.beam(4).withLengthPenalty(0.6).withEarlyStopping(EarlyStopping.NEVER),
                Sampler.beam(2).withEarlyStopping(EarlyStopping.WHEN_BEAM_SIZE_FINISHED),
                Sampler.random(7), Sampler.random(8).withTemperature(0.7).withTopK(5),
                Sampler.random(9).withTopP(0.8), Sampler.random(10).withTopK(4).withTopP(0.9).withTemperature(1.3));
        int tokens = 0;
        for (long seed = 10; seed < 14; seed++) {
            Seq2SeqTransformer m = randomSeq2Seq(seed, 12);
            for (Sampler sampler : samplers) {
                GenerationConfig config = config(12, sampler).withRepetitionPenalty(seed % 2 == 0 ? 1.0 : 1.3);
                List<Generation> recomputed = Generator.generate(m, sources, lengths, BOS,
                        config.withCaching(DecoderCaching.NONE));
                for (DecoderCaching caching : List.of(DecoderCaching.FULL, DecoderCaching.SELF_ATTENTION_ONLY)) {
                    List<Generation> cached = Generator.generate(m, sources, lengths, BOS, config.withCaching(caching));
                    tokens += assertSameGenerations(cached, recomputed, "seed " + seed + ", " + sampler + ", " + caching);
                }
            }
        }
        assertThat(tokens).as("tokens generated in all").isGreaterThan(4 * 9 * 2 * sources.length * 4);
    }

    @Test
    void decoderOnlyCachedGenerationEqualsRecomputing() {
        int[][] prompts = {{1, 5, 6}, {1}, {1, 7, 8, 9, 10, 3}, {1, 4}};
        List<Sampler> samplers = List.of(Sampler.greedy(), Sampler.beam(3).withNumReturnSequences(2),
                Sampler.random(3).withTopP(0.9), Sampler.random(4).withTopK(3).withTemperature(0.8));
        for (long seed = 20; seed < 24; seed++) {
            DecoderOnlyTransformer m = randomDecoderOnly(seed);
            for (Sampler sampler : samplers) {
                GenerationConfig config = config(10, sampler).withRepetitionPenalty(1.2);
                assertSameGenerations(Generator.generate(m, prompts, config),
                        Generator.generate(m, prompts, config.withCaching(DecoderCaching.NONE)),
                        "seed " + seed + ", " + sampler);
            }
        }
    }

    /** Prompts of different lengths in one batch: each continues as it would alone (its positions are its own). */
    @Test
    void decoderOnlyPromptsOfDifferentLengthsGenerateAsTheyWouldAlone() {
        int[][] prompts = {{1, 5, 6}, {1}, {1, 7, 8, 9, 10, 3}};
        DecoderOnlyTransformer m = randomDecoderOnly(31);
        for (Sampler sampler : List.of(Sampler.greedy(), Sampler.beam(3).withNumReturnSequences(3))) {
            List<Generation> batched = Generator.generate(m, prompts, config(9, sampler));
            for (int i = 0; i < prompts.length; i++) {
                Generation alone = Generator.generate(m, new int[][] {prompts[i]}, config(9, sampler)).get(0);
                assertThat(batched.get(i).hypotheses()).hasSameSizeAs(alone.hypotheses());
                for (int h = 0; h < alone.hypotheses().size(); h++) {
                    assertThat(batched.get(i).hypotheses().get(h).tokens()).as("%s, prompt %d, hypothesis %d",
                            sampler, i, h).containsExactly(alone.hypotheses().get(h).tokens());
                    assertThat(batched.get(i).hypotheses().get(h).score())
                            .isCloseTo(alone.hypotheses().get(h).score(), within(1e-4));
                }
            }
        }
    }

    /** Returns the tokens compared. */
    private static int assertSameGenerations(List<Generation> actual, List<Generation> expected, String what) {
        assertThat(actual).hasSameSizeAs(expected);
        int tokens = 0;
        for (int s = 0; s < expected.size(); s++) {
            List<Hypothesis> a = actual.get(s).hypotheses();
            List<Hypothesis> e = expected.get(s).hypotheses();
            assertThat(a).as("%s, source %d: hypotheses", what, s).hasSameSizeAs(e);
            for (int h = 0; h < e.size(); h++) {
                assertThat(a.get(h).tokens()).as("%s, source %d, hypothesis %d", what, s, h)
                        .containsExactly(e.get(h).tokens());
                assertThat(a.get(h).finish()).isEqualTo(e.get(h).finish());
                assertThat(a.get(h).score()).as("%s, source %d, hypothesis %d: score", what, s, h)
                        .isCloseTo(e.get(h).score(), within(1e-4));
                tokens += e.get(h).length();
            }
        }
        return tokens;
    }

    @Test
    void beamSizeOneIsGreedy() {
        int[][] sources = {{5, 6, 7, 8, 9, 3}, {10, 11, 0, 0, 0, 0}, {12, 13, 14, 15, 0, 0}};
        int[] lengths = {6, 2, 4};
        List<Sampler.Beam> beams = new ArrayList<>();
        for (EarlyStopping e : EarlyStopping.values()) {
            beams.add(Sampler.beam(1).withEarlyStopping(e).withLengthPenalty(0)); // the score is the sum: greedy's
        }
        beams.add(Sampler.beam(1).withEarlyStopping(EarlyStopping.WHEN_BEAM_SIZE_FINISHED));
        beams.add(Sampler.beam(1).withEarlyStopping(EarlyStopping.WHEN_BEAM_SIZE_FINISHED).withLengthPenalty(2));
        int compared = 0;
        for (long seed = 40; seed < 46; seed++) {
            Seq2SeqTransformer m = randomSeq2Seq(seed, 12);
            List<Generation> greedy = Generator.generate(m, sources, lengths, BOS, config(14, Sampler.greedy()));
            for (Sampler.Beam beam : beams) {
                List<Generation> out = Generator.generate(m, sources, lengths, BOS, config(14, beam));
                for (int s = 0; s < sources.length; s++) {
                    assertThat(out.get(s).tokens()).as("seed %d, %s, source %d", seed, beam, s)
                            .containsExactly(greedy.get(s).tokens());
                    compared += greedy.get(s).tokens().length;
                }
            }
        }
        assertThat(compared).isGreaterThan(6 * 5 * 3 * 3);
    }

    /**
     * The oracle: every possible output of up to {@code maxNew} tokens over a 5-token vocabulary, scored as HF defines
     * it from teacher-forced log-probabilities. A beam wide enough to prune nothing must return exactly the best of
     * them, in order.
     */
    @Test
    void aBeamTooWideToPruneFindsTheBestOfEveryPossibleOutput() {
        int vocab = 5;
        int maxNew = 3;
        int beamSize = vocab * (int) Math.pow(vocab - 1, maxNew - 1); // every candidate of every step is kept
        int[] src = {5, 6, 7, 8};
        for (long seed = 50; seed < 54; seed++) {
            Seq2SeqTransformer m = randomSeq2Seq(seed, vocab);
            for (double lengthPenalty : new double[] {0, 1, 2, -0.5}) {
                List<double[]> all = new ArrayList<>(); // {score, index into outputs}
                List<int[]> outputs = new ArrayList<>();
                enumerate(new int[0], vocab, maxNew, outputs);
                for (int i = 0; i < outputs.size(); i++) {
                    int[] target = outputs.get(i);
                    boolean stopped = target.length > 0 && target[target.length - 1] == EOS;
                    if (target.length == 0 || (!stopped && target.length < maxNew)) {
                        continue; // only outputs that end on EOS or at the limit are hypotheses
                    }
                    double sum = Arrays.stream(stepLogProbs(m, src, target)).sum();
                    all.add(new double[] {sum / Math.pow(target.length, lengthPenalty), i});
                }
                all.sort(Comparator.comparingDouble((double[] a) -> -a[0]));
                Sampler.Beam beam = new Sampler.Beam(beamSize, lengthPenalty, EarlyStopping.NEVER, 5);
                Generation g = Generator.generate(m, new int[][] {src}, new int[] {src.length}, BOS,
                        config(maxNew, beam)).get(0);
                for (int rank = 0; rank < 5; rank++) {
                    int[] expected = outputs.get((int) all.get(rank)[1]);
                    boolean stopped = expected[expected.length - 1] == EOS;
                    Hypothesis h = g.hypotheses().get(rank);
                    assertThat(h.tokens()).as("seed %d, lp %s, rank %d", seed, lengthPenalty, rank)
                            .containsExactly(stopped ? Arrays.copyOf(expected, expected.length - 1) : expected);
                    assertThat(h.finish()).isEqualTo(stopped ? Finish.STOP_TOKEN : Finish.MAX_LENGTH);
                    assertThat(h.score()).isCloseTo(all.get(rank)[0], within(1e-4));
                }
            }
        }
    }

    /** Every sequence over {@code vocab} of length {@code <= maxLen} that has EOS, if at all, only at its end. */
    private static void enumerate(int[] prefix, int vocab, int maxLen, List<int[]> into) {
        into.add(prefix);
        if (prefix.length == maxLen || (prefix.length > 0 && prefix[prefix.length - 1] == EOS)) {
            return;
        }
        for (int v = 0; v < vocab; v++) {
            enumerate(append(prefix, v), vocab, maxLen, into);
        }
    }

    @Test
    void beamHypothesesAreDistinctSortedAndScoredAsHfDefinesIt() {
        int[][] sources = {{5, 6, 7, 8, 9, 3}, {10, 11, 0, 0, 0, 0}};
        int[] lengths = {6, 2};
        for (long seed = 60; seed < 64; seed++) {
            Seq2SeqTransformer m = randomSeq2Seq(seed, 12);
            for (double lp : new double[] {1.0, 0.5, -1}) {
                Sampler.Beam beam = Sampler.beam(4).withLengthPenalty(lp).withNumReturnSequences(4);
                List<Generation> out = Generator.generate(m, sources, lengths, BOS, config(10, beam));
                for (int s = 0; s < sources.length; s++) {
                    List<Hypothesis> hs = out.get(s).hypotheses();
                    assertThat(hs).hasSize(4);
                    assertThat(hs.stream().map(h -> Arrays.toString(h.tokens()) + h.finish()).distinct()).hasSize(4);
                    for (int h = 0; h < hs.size(); h++) {
                        if (h > 0) {
                            assertThat(hs.get(h).score()).isLessThanOrEqualTo(hs.get(h - 1).score());
                        }
                        int[] src = Arrays.copyOf(sources[s], lengths[s]);
                        assertThat(hs.get(h).score()).as("seed %d, lp %s, source %d, hypothesis %d", seed, lp, s, h)
                                .isCloseTo(beamScore(m, src, hs.get(h), lp), within(1e-4));
                    }
                }
            }
        }
    }

    @Test
    void batchedBeamSearchOfPaddedSourcesEqualsEachAlone() {
        int[][] sources = {{5, 6, 7, 8, 9}, {10, 11, 0, 0, 0}, {12, 13, 14, 0, 0}};
        int[] lengths = {5, 2, 3};
        Seq2SeqTransformer m = randomSeq2Seq(71, 12);
        GenerationConfig config = config(10, Sampler.beam(3).withNumReturnSequences(2));
        List<Generation> batched = Generator.generate(m, sources, lengths, BOS, config);
        for (int b = 0; b < sources.length; b++) {
            Generation alone = Generator.generate(m, new int[][] {Arrays.copyOf(sources[b], lengths[b])},
                    new int[] {lengths[b]}, BOS, config).get(0);
            assertSameGenerations(List.of(batched.get(b)), List.of(alone), "source " + b);
        }
    }

    @Test
    void samplingIsReproducibleFromItsSeedAndVariesAcrossSeeds() {
        int[][] sources = {{5, 6, 7}, {8, 9, 10}};
        int[] lengths = {3, 3};
        GenerationConfig config = config(12, Sampler.random(5).withTemperature(1.5));
        int[][] first = Generator.bestTokens(Generator.generate(model, sources, lengths, BOS, config));
        assertThat(Generator.bestTokens(Generator.generate(model, sources, lengths, BOS, config))).isDeepEqualTo(first);
        Set<String> outputs = new java.util.HashSet<>();
        for (long seed = 0; seed < 8; seed++) {
            outputs.add(Arrays.deepToString(Generator.bestTokens(Generator.generate(model, sources, lengths, BOS,
                    config.withSampler(Sampler.random(seed).withTemperature(1.5))))));
        }
        assertThat(outputs).as("distinct outputs over 8 seeds").hasSizeGreaterThan(4);
    }

    @Test
    void topKOfOneAndATinyTopPAreGreedy() {
        int[][] sources = {{5, 6, 7}, {8, 9, 10}, {11, 12, 0}};
        int[] lengths = {3, 3, 2};
        int[][] greedy = Generator.bestTokens(Generator.generate(model, sources, lengths, BOS, config(12,
                Sampler.greedy())));
        for (long seed = 0; seed < 3; seed++) {
            assertThat(Generator.bestTokens(Generator.generate(model, sources, lengths, BOS,
                    config(12, Sampler.random(seed).withTopK(1).withTemperature(3))))).isDeepEqualTo(greedy);
            assertThat(Generator.bestTokens(Generator.generate(model, sources, lengths, BOS,
                    config(12, Sampler.random(seed).withTopP(1e-6))))).isDeepEqualTo(greedy);
        }
    }

    /**
     * The first sampled token over many sources, each with its own draws, against the model's distribution after the
     * warpers as their definitions say (computed here independently from the teacher-forced logits).
     */
    @Test
    void sampledTokensFollowTheWarpedDistribution() {
        int n = 4000;
        int[][] sources = new int[n][];
        Arrays.fill(sources, new int[] {5, 6, 7});
        int[] lengths = new int[n];
        Arrays.fill(lengths, 3);
        Tensor logits = model.forward(new int[][] {{5, 6, 7}}, new int[][] {{BOS}}); // (1, 1, vocab)
        int vocab = logits.dim(2);
        for (Sampler.Random sampler : List.of(Sampler.random(1).withTemperature(2), Sampler.random(2).withTopK(3),
                Sampler.random(3).withTopP(0.7).withTemperature(1.5))) {
            double[] expected = warpedDistribution(logits.data(), vocab, sampler);
            GenerationConfig config = config(1, sampler).withStopTokens(Set.of());
            int[] counts = new int[vocab];
            for (Generation g : Generator.generate(model, sources, lengths, BOS, config)) {
                counts[g.tokens()[0]]++;
            }
            for (int v = 0; v < vocab; v++) {
                double sigma = Math.sqrt(n * expected[v] * (1 - expected[v]));
                assertThat((double) counts[v]).as("%s, token %d (p = %.4f)", sampler, v, expected[v])
                        .isCloseTo(n * expected[v], within(4.5 * sigma + 1e-9));
            }
        }
    }

    /** Temperature, then top-k (ties kept), then the smallest most-likely set with probability >= topP. */
    private static double[] warpedDistribution(float[] logits, int vocab, Sampler.Random s) {
        double[] x = new double[vocab];
        for (int v = 0; v < vocab; v++) {
            x[v] = (float) (logits[v] / (float) s.temperature());
        }
        Integer[] byScore = new Integer[vocab];
        for (int v = 0; v < vocab; v++) {
            byScore[v] = v;
        }
        Arrays.sort(byScore, Comparator.comparingDouble((Integer v) -> -x[v]));
        boolean[] keep = new boolean[vocab];
        Arrays.fill(keep, true);
        if (s.topK() > 0) {
            for (int v = 0; v < vocab; v++) {
                keep[v] = x[v] >= x[byScore[s.topK() - 1]];
            }
        }
        double[] p = softmax(x, keep);
        double cumulative = 0;
        boolean[] nucleus = new boolean[vocab];
        for (int v : byScore) {
            if (cumulative >= s.topP() - 1e-12) {
                break;
            }
            nucleus[v] = keep[v];
            cumulative += p[v];
        }
        return softmax(x, nucleus);
    }

    private static double[] softmax(double[] x, boolean[] keep) {
        double sum = 0;
        double[] p = new double[x.length];
        for (int v = 0; v < x.length; v++) {
            p[v] = keep[v] ? Math.exp(x[v]) : 0;
            sum += p[v];
        }
        for (int v = 0; v < x.length; v++) {
            p[v] /= sum;
        }
        return p;
    }

    @Test
    void aStrongRepetitionPenaltyStopsATokenRepeating() {
        Seq2SeqTransformer m = new Seq2SeqTransformer(Seq2SeqConfig.of(TransformerConfig.tiny(), 20, 12, 40), 4L);
        float[] bias = m.namedParameters().get("generator.bias").data();
        for (int v = 0; v < bias.length; v++) {
            bias[v] += 20f; // every score positive, so the penalty divides (HF multiplies negative scores instead)
        }
        bias[7] += 8f; // token 7 wins every step
        GenerationConfig config = config(8, Sampler.greedy()).withStopTokens(Set.of());
        int[] plain = Generator.generate(m, new int[][] {{5, 6}}, new int[] {2}, BOS, config).get(0).tokens();
        assertThat(Arrays.stream(plain).filter(t -> t == 7).count()).isGreaterThan(1);
        int[] penalized = Generator.generate(m, new int[][] {{5, 6}}, new int[] {2}, BOS,
                config.withRepetitionPenalty(1e4)).get(0).tokens();
        assertThat(penalized[0]).isEqualTo(7);
        assertThat(Arrays.stream(penalized).filter(t -> t == 7).count()).isEqualTo(1);
    }

    @Test
    void badArgumentsAreNamed() {
        GenerationConfig greedy = GenerationConfig.greedy(3, EOS);
        assertThatThrownBy(() -> Generator.generate(model, new int[][] {{5}}, new int[] {1, 1}, BOS, greedy))
                .hasMessageContaining("srcLengths");
        assertThatThrownBy(() -> Generator.generate(model, new int[][] {{5}}, new int[] {2}, BOS, greedy))
                .hasMessageContaining("lengths[0]");
        assertThatThrownBy(() -> Generator.generate(model, new int[][] {{5}}, new int[] {1}, 12, greedy))
                .hasMessageContaining("bos").hasMessageContaining("[0, 12)");
        assertThatThrownBy(() -> Generator.generate(model, new int[][] {{5}}, new int[] {1}, BOS,
                greedy.withStopTokens(Set.of(40)))).hasMessageContaining("stopTokens");
        assertThatThrownBy(() -> Generator.generate(model, new int[][] {{5}}, new int[] {1}, BOS,
                greedy.withMaxNewTokens(41))).hasMessageContaining("maxLen = 40");
        assertThatThrownBy(() -> GenerationConfig.greedy(-1, EOS)).hasMessageContaining("maxNewTokens");
        assertThatThrownBy(() -> greedy.withRepetitionPenalty(0)).hasMessageContaining("repetitionPenalty");
        assertThatThrownBy(() -> Sampler.beam(0)).hasMessageContaining("beamSize");
        assertThatThrownBy(() -> Sampler.beam(2).withNumReturnSequences(3)).hasMessageContaining("numReturnSequences");
        assertThatThrownBy(() -> Sampler.random(1).withTopP(0)).hasMessageContaining("topP");
        assertThatThrownBy(() -> Sampler.random(1).withTopK(-1)).hasMessageContaining("topK");
        assertThatThrownBy(() -> Sampler.random(1).withTemperature(0)).hasMessageContaining("temperature");
        DecoderOnlyTransformer d = randomDecoderOnly(1);
        assertThatThrownBy(() -> Generator.generate(d, new int[][] {{1}, {}}, greedy))
                .hasMessageContaining("prompts[1]");
        assertThatThrownBy(() -> Generator.generate(d, new int[][] {{1, 99}}, greedy))
                .hasMessageContaining("prompts[0]");
    }

    /** The README's generation example, so the documentation cannot drift from the API. */
    @Test
    void theReadmeExampleRuns() {
        int[][] src = {{5, 6, 7}, {8, 9, 0}};
        int[] srcLengths = {3, 2};
        List<Generation> out = Generator.generate(model, src, srcLengths, BOS,
                GenerationConfig.greedy(64 - 30, EOS).withSampler(Sampler.beam(4).withNumReturnSequences(2)));
        assertThat(out).hasSize(2);
        assertThat(out.get(0).hypotheses()).hasSize(2);
        assertThat(out.get(0).best().tokens()).doesNotContain(EOS);
        GenerationConfig sampling = GenerationConfig.greedy(10, EOS)
                .withSampler(Sampler.random(1).withTemperature(0.8).withTopP(0.9)).withRepetitionPenalty(1.2)
                .withStopTokens(Set.of(EOS, 3));
        assertThat(Generator.generate(model, src, srcLengths, BOS, sampling)).hasSize(2);
        assertThat(Generator.generate(randomDecoderOnly(2), new int[][] {{1, 5}, {1}}, sampling)).hasSize(2);
    }
}
