package dev.attention4j.models.embeddings;

import dev.attention4j.models.tokenizers.Encoding;
import dev.attention4j.models.tokenizers.PretrainedTokenizer;
import dev.attention4j.models.tokenizers.Truncation;
import dev.attention4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Texts in, one embedding per text out: a {@link PretrainedTokenizer}, then a {@link SentenceEmbedder} (encoder,
 * pooling, normalisation), as a sentence-transformers model's {@code encode(texts)}.
 *
 * <pre>{@code
 * var embedder = new TextEmbedder(PretrainedTokenizer.fromFile(Path.of("tokenizer.json")),
 *         new SentenceEmbedder(BertModel.fromOnnx(Path.of("model.onnx")), Pooling.MEAN, Normalize.L2), 256);
 * float[][] vectors = embedder.embed(List.of("first text", "second text")); // [2][384], unit length
 * }</pre>
 *
 * <p>Long lists are cut into batches so that almost no work is spent on padding: the texts are sorted by token count
 * (longest first, so running out of memory happens at once, not at the end), and a batch takes the next text while it
 * stays within {@code maxBatchSize} texts and {@code maxBatchTokens} padded tokens and its padding stays within
 * {@value #MAX_PADDING_PERCENT}% of its padded tokens; the results are put back in the input order. On a corpus of
 * real sentences of mixed lengths (BENCHMARKS.md, issue 6) this pads about 1% of the tokens, where batches of a fixed
 * number of sorted texts pad 3-5%, and a long text in a run of short ones is embedded on its own rather than making
 * them all pad to its length. A text's embedding does not depend on which other texts share its batch, beyond float
 * rounding (padding is masked out of attention and pooling).
 *
 * <p>Texts longer than {@code maxTokens} (special tokens included) are truncated, as every BERT-family encoder
 * requires. Immutable and safe to call from several threads at once.
 */
public final class TextEmbedder {

    /**
     * Texts per batch by default. The token budget and the padding bound decide for all but the shortest texts;
     * allowing more than sentence-transformers' 32 lets short sentences fill a batch as long ones do.
     */
    public static final int DEFAULT_MAX_BATCH_SIZE = 256;
    /** Padded tokens per batch by default: 16 texts of 256 tokens, 8 of 512. */
    public static final int DEFAULT_MAX_BATCH_TOKENS = 4096;
    /** The most padding a batch may hold, in percent of its padded tokens (a batch of one text holds none). */
    public static final int MAX_PADDING_PERCENT = 2;

    private final PretrainedTokenizer tokenizer;
    private final SentenceEmbedder embedder;
    private final int maxTokens;
    private final int maxBatchSize;
    private final int maxBatchTokens;

    /**
     * @param tokenizer the model's tokenizer; its own padding is not used (batches are padded here), its truncation is
     *                  replaced by {@code maxTokens}
     * @param embedder  the encoder with its pooling and normalisation
     * @param maxTokens the longest input in tokens, special tokens included, {@code >= 3} (e.g. 512 for BERT, 256 for
     *                  all-MiniLM as sentence-transformers runs it)
     */
    public TextEmbedder(PretrainedTokenizer tokenizer, SentenceEmbedder embedder, int maxTokens) {
        this(tokenizer, embedder, maxTokens, DEFAULT_MAX_BATCH_SIZE, DEFAULT_MAX_BATCH_TOKENS);
    }

    private TextEmbedder(PretrainedTokenizer tokenizer, SentenceEmbedder embedder, int maxTokens, int maxBatchSize,
                         int maxBatchTokens) {
        Objects.requireNonNull(tokenizer, "tokenizer");
        this.embedder = Objects.requireNonNull(embedder, "embedder");
        if (maxTokens < 3) {
            throw new IllegalArgumentException("maxTokens: expected >= 3 (room for [CLS] x [SEP]) but got "
                    + maxTokens);
        }
        if (maxBatchSize < 1) {
            throw new IllegalArgumentException("maxBatchSize: expected >= 1 but got " + maxBatchSize);
        }
        if (maxBatchTokens < maxTokens) {
            throw new IllegalArgumentException("maxBatchTokens: expected >= maxTokens = " + maxTokens
                    + " (one longest text must fit a batch) but got " + maxBatchTokens);
        }
        this.tokenizer = tokenizer.withTruncation(Truncation.longestFirst(maxTokens)).withoutPadding();
        this.maxTokens = maxTokens;
        this.maxBatchSize = maxBatchSize;
        this.maxBatchTokens = maxBatchTokens;
    }

    /**
     * This embedder with other batch limits.
     *
     * @param maxBatchSize   texts per batch, {@code >= 1}
     * @param maxBatchTokens padded tokens per batch ({@code texts x longest}), {@code >= maxTokens}
     */
    public TextEmbedder withBatching(int maxBatchSize, int maxBatchTokens) {
        return new TextEmbedder(tokenizer, embedder, maxTokens, maxBatchSize, maxBatchTokens);
    }

    /** The embedding of one text: {@code [dimension]}. */
    public float[] embed(String text) {
        Objects.requireNonNull(text, "text");
        return embed(List.of(text))[0];
    }

    /** {@link #embed(List, EmbeddingProgress)} without progress reports. */
    public float[][] embed(List<String> texts) {
        return embed(texts, EmbeddingProgress.NONE);
    }

    /**
     * The embeddings of {@code texts}, in their order: {@code [texts.size()][dimension]}. An empty text is embedded
     * too (as {@code [CLS] [SEP]}).
     *
     * @param progress told after each batch how many texts are done
     */
    public float[][] embed(List<String> texts, EmbeddingProgress progress) {
        Objects.requireNonNull(texts, "texts");
        Objects.requireNonNull(progress, "progress");
        int n = texts.size();
        int[][] ids = new int[n][];
        for (int i = 0; i < n; i++) {
            String text = texts.get(i);
            if (text == null) {
                throw new NullPointerException("texts[" + i + "] is null");
            }
            Encoding encoding = tokenizer.encode(text);
            ids[i] = encoding.ids();
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        // longest first; ties keep the input order, so the batches are a function of the texts alone
        java.util.Arrays.sort(order, Comparator.comparingInt((Integer i) -> -ids[i].length));
        float[][] out = new float[n][];
        int done = 0;
        for (int from = 0; from < n; ) {
            int to = batchEnd(ids, order, from);
            List<int[]> batch = new ArrayList<>(to - from);
            for (int k = from; k < to; k++) {
                batch.add(ids[order[k]]);
            }
            Tensor vectors = embedder.embed(TokenBatch.padded(0, batch.toArray(int[][]::new))); // (batch, dim)
            int dim = vectors.dim(1);
            float[] data = vectors.data();
            for (int k = from; k < to; k++) {
                float[] row = new float[dim];
                System.arraycopy(data, (k - from) * dim, row, 0, dim);
                out[order[k]] = row;
            }
            done += to - from;
            progress.update(done, n);
            from = to;
        }
        return out;
    }

    /**
     * Where the batch that starts at {@code order[from]} ends (exclusive): it takes the next text while the batch
     * stays within the size and token limits and its padding within {@link #MAX_PADDING_PERCENT} percent. The texts
     * are sorted longest first, so every batch pads to its first text's length.
     */
    private int batchEnd(int[][] ids, Integer[] order, int from) {
        int n = order.length;
        long longest = ids[order[from]].length;
        long real = longest;
        int to = from + 1;
        while (to < n && to - from < maxBatchSize) {
            long padded = (to - from + 1) * longest;
            long withNext = real + ids[order[to]].length;
            if (padded > maxBatchTokens || 100 * (padded - withNext) > MAX_PADDING_PERCENT * padded) {
                break;
            }
            real = withNext;
            to++;
        }
        return to;
    }

    /** The tokenizer as this embedder runs it (truncating to {@link #maxTokens()}, not padding). */
    public PretrainedTokenizer tokenizer() {
        return tokenizer;
    }

    public SentenceEmbedder sentenceEmbedder() {
        return embedder;
    }

    /** The longest input in tokens, special tokens included; longer texts are truncated. */
    public int maxTokens() {
        return maxTokens;
    }

    public int maxBatchSize() {
        return maxBatchSize;
    }

    public int maxBatchTokens() {
        return maxBatchTokens;
    }

    /** The length of each embedding. */
    public int dimension() {
        return embedder.dimension();
    }

    @Override
    public String toString() {
        return "TextEmbedder[" + embedder + ", maxTokens=" + maxTokens + ", maxBatchSize=" + maxBatchSize
                + ", maxBatchTokens=" + maxBatchTokens + "]";
    }
}
