package dev.attention4j.generate;

import dev.attention4j.nn.Mode;
import dev.attention4j.nn.attention.AttentionObserver;
import dev.attention4j.nn.attention.Mask;
import dev.attention4j.nn.transformer.CrossAttentionCaching;
import dev.attention4j.nn.transformer.DecoderCache;
import dev.attention4j.nn.transformer.DecoderOnlyTransformer;
import dev.attention4j.nn.transformer.Seq2SeqTransformer;
import dev.attention4j.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Generates sequences from an encoder-decoder {@link Seq2SeqTransformer} (a batch of padded sources, each starting its
 * target with BOS) or a {@link DecoderOnlyTransformer} (a batch of prompts of any lengths), with the strategy of the
 * {@link GenerationConfig}: greedy, beam search or sampling, each sequence stopping on its own.
 *
 * <p>How a run goes: the sources are encoded once; with beam search each source's memory is repeated for its beams.
 * With {@link DecoderCaching#FULL} the memory's cross-attention keys and values are projected once and every layer's
 * self-attention cache grows by one token per step, so a step feeds one token per row. Beam search reorders the self
 * caches within each source's beams; the cross-attention cache never moves. Decoder-only prompts: the shortest
 * prompt's length is fed at once, then longer prompts are fed one forced token per step while shorter ones already
 * generate, so every sequence keeps its own positions without padding.
 */
public final class Generator {

    private Generator() {
    }

    /**
     * Translates a padded batch of sources.
     *
     * @param src        source ids {@code (batchSize, srcLen)}, anything past each length is ignored
     * @param srcLengths real length of each source, in {@code [1, srcLen]}
     * @param bos        the token every target starts with
     * @return per source, what was generated
     */
    public static List<Generation> generate(Seq2SeqTransformer model, int[][] src, int[] srcLengths, int bos,
                                            GenerationConfig config) {
        return generate(model, src, srcLengths, bos, config, AttentionObserver.NONE);
    }

    /**
     * {@link #generate(Seq2SeqTransformer, int[][], int[], int, GenerationConfig)} watched by {@code observer}: the
     * encoder's maps once ({@code (batchSize, heads, srcLen, srcLen)}), then, with a cache, one map per decoder layer
     * and mechanism per generated token at step {@code t} ({@code (rows, heads, 1, t + 1)} for masked
     * self-attention, {@code (rows, heads, 1, srcLen)} for cross-attention), where the rows are the
     * {@code (source, beam)} pairs of that step (with beam search a row holds whichever hypothesis sits in that beam
     * slot at that step). With {@link DecoderCaching#NONE} each step reruns the decoder on the whole prefix and is
     * observed as such (maps at step 0 over the prefix).
     */
    public static List<Generation> generate(Seq2SeqTransformer model, int[][] src, int[] srcLengths, int bos,
                                            GenerationConfig config, AttentionObserver observer) {
        int batchSize = src.length;
        if (srcLengths.length != batchSize) {
            throw new IllegalArgumentException("srcLengths: expected " + batchSize + " lengths (one per source) but got "
                    + srcLengths.length);
        }
        int vocab = model.config().tgtVocab();
        requireToken("bos", bos, vocab);
        int[][] prompts = new int[batchSize][];
        Arrays.fill(prompts, new int[] {bos});
        if (batchSize == 0 || config.maxNewTokens() == 0) {
            return emptyResults(batchSize, config);
        }
        int srcLen = src[0].length;
        int beams = config.beamsPerSource();
        Mask srcPadding = Mask.keyLengths(srcLen, srcLengths); // checks every length against srcLen
        Tensor memory = model.encode(src, srcPadding, Mode.INFERENCE, observer); // (batchSize, srcLen, modelDim)
        int[] rowLengths = new int[batchSize * beams];
        for (int r = 0; r < rowLengths.length; r++) {
            rowLengths[r] = srcLengths[r / beams];
        }
        Tensor rowMemory = repeatRows(memory, beams);                    // (batchSize * beams, srcLen, modelDim)
        Mask rowPadding = Mask.keyLengths(srcLen, rowLengths);
        int capacity = config.maxNewTokens();                           // BOS + maxNewTokens - 1 tokens are fed
        requireFits(capacity, model.config().maxLen(), "1 (BOS) + maxNewTokens - 1");
        StepDecoder steps = switch (config.caching()) {
            case FULL, SELF_ATTENTION_ONLY -> {
                DecoderCache cache = model.startDecoding(rowMemory, rowPadding, capacity,
                        config.caching() == DecoderCaching.FULL ? CrossAttentionCaching.PROJECT_ONCE
                                : CrossAttentionCaching.PROJECT_EVERY_STEP);
                yield new StepDecoder.Cached(cache, (tgt, c) -> model.decodeCached(tgt, c, observer),
                        (tokens, c) -> model.decodeStep(tokens, c, observer), vocab);
            }
            case NONE -> new StepDecoder.Recomputing(rowLengths.length, capacity,
                    tgt -> model.decode(tgt, rowMemory, rowPadding, Mask.none(), Mode.INFERENCE, observer), vocab);
        };
        return run(steps, prompts, config);
    }

    /**
     * Continues a batch of prompts with a decoder-only model.
     *
     * @param prompts token ids per prompt, each non-empty (e.g. starting with BOS); lengths may differ
     * @return per prompt, what was generated after it
     */
    public static List<Generation> generate(DecoderOnlyTransformer model, int[][] prompts, GenerationConfig config) {
        return generate(model, prompts, config, AttentionObserver.NONE);
    }

    /**
     * {@link #generate(DecoderOnlyTransformer, int[][], GenerationConfig)} watched by {@code observer}: with a cache,
     * the common prompt's maps first (step 0, one row per prompt token), then one map per layer per fed token at
     * step {@code t}, {@code (rows, heads, 1, t + 1)}.
     */
    public static List<Generation> generate(DecoderOnlyTransformer model, int[][] prompts, GenerationConfig config,
                                            AttentionObserver observer) {
        int vocab = model.vocabSize();
        int longest = 0;
        for (int i = 0; i < prompts.length; i++) {
            if (prompts[i].length == 0) {
                throw new IllegalArgumentException("prompts[" + i + "]: expected at least one token but got none");
            }
            for (int t : prompts[i]) {
                requireToken("prompts[" + i + "]", t, vocab);
            }
            longest = Math.max(longest, prompts[i].length);
        }
        if (prompts.length == 0 || config.maxNewTokens() == 0) {
            return emptyResults(prompts.length, config);
        }
        int[][] copies = new int[prompts.length][];
        for (int i = 0; i < prompts.length; i++) {
            copies[i] = prompts[i].clone();
        }
        int rows = prompts.length * config.beamsPerSource();
        int capacity = longest + config.maxNewTokens() - 1;
        requireFits(capacity, model.maxLen(), "the longest prompt + maxNewTokens - 1");
        StepDecoder steps = switch (config.caching()) {
            case FULL, SELF_ATTENTION_ONLY ->
                    new StepDecoder.Cached(model.startDecoding(rows, capacity),
                            (tokens, c) -> model.decodeCached(tokens, c, observer),
                            (tokens, c) -> model.decodeStep(tokens, c, observer), vocab);
            case NONE -> new StepDecoder.Recomputing(rows, capacity,
                    tokens -> model.forward(tokens, Mask.none(), Mode.INFERENCE, observer), vocab);
        };
        return run(steps, copies, config);
    }

    /** The best hypothesis's tokens of each generation, {@code (sources, generated)}. */
    public static int[][] bestTokens(List<Generation> generations) {
        return generations.stream().map(Generation::tokens).toArray(int[][]::new);
    }

    /** The decoding loop shared by every model and strategy. */
    private static List<Generation> run(StepDecoder steps, int[][] prompts, GenerationConfig config) {
        int vocab = steps.vocabSize();
        Search search = switch (config.sampler()) {
            case Sampler.Greedy g -> new TokenByTokenSearch(config, prompts.length, vocab);
            case Sampler.Random r -> new TokenByTokenSearch(config, prompts.length, vocab);
            case Sampler.Beam b -> new BeamSearch(config, b, prompts.length, vocab);
        };
        int longest = Arrays.stream(prompts).mapToInt(p -> p.length).max().orElse(0);
        Rows rows = new Rows(prompts, config.beamsPerSource(), longest + config.maxNewTokens());
        int[][] next = new int[rows.rows()][1]; // (rows, 1): the tokens fed at each step, reused
        decode(search, rows, steps, next, steps.feed(rows.feedPromptStart(rows.commonPromptLength())));
        return search.results(rows);
    }

    /**
     * The per-token loop, from the prompt's logits until every row is done: the search chooses each row's next
     * token into {@code next (rows, 1)}, the model is fed them. With a {@link StepDecoder.Cached} model and greedy
     * search or sampling it allocates nothing per token (beam search allocates when it records a finished
     * hypothesis, and at its first reordering of the caches).
     */
    static void decode(Search search, Rows rows, StepDecoder steps, int[][] next, float[] promptLogits) {
        float[] logits = promptLogits;
        while (search.advance(logits, rows, steps, next)) {
            logits = steps.feed(next);
        }
    }

    private static List<Generation> emptyResults(int sources, GenerationConfig config) {
        int n = config.sampler() instanceof Sampler.Beam b ? b.numReturnSequences() : 1;
        List<Generation> out = new ArrayList<>(sources);
        for (int s = 0; s < sources; s++) {
            out.add(new Generation(Collections.nCopies(n, new Hypothesis(new int[0], 0, Finish.MAX_LENGTH))));
        }
        return out;
    }

    /** {@code x (batchSize, ...)} with each row repeated {@code times} times in place. */
    private static Tensor repeatRows(Tensor x, int times) {
        if (times == 1) {
            return x;
        }
        int row = x.size() / x.dim(0);
        int[] dims = x.shape().dims();
        dims[0] *= times;
        Tensor out = Tensor.zeros(dims);
        for (int r = 0; r < dims[0]; r++) {
            System.arraycopy(x.data(), (r / times) * row, out.data(), r * row, row);
        }
        return out;
    }

    private static void requireToken(String name, int token, int vocab) {
        if (token < 0 || token >= vocab) {
            throw new IllegalArgumentException(name + ": expected token ids in [0, " + vocab + ") but got " + token);
        }
    }

    private static void requireFits(int capacity, int maxLen, String what) {
        if (capacity > maxLen) {
            throw new IllegalArgumentException("maxNewTokens: " + what + " = " + capacity
                    + " tokens would be fed, more than the model's maxLen = " + maxLen);
        }
    }
}
