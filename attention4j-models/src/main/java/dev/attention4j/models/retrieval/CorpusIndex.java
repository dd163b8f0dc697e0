package dev.attention4j.models.retrieval;

import dev.attention4j.models.embeddings.EmbeddingProgress;
import dev.attention4j.models.formats.Safetensors;
import dev.attention4j.models.formats.SafetensorsFile;
import dev.attention4j.models.pretrained.EmbeddingModel;
import dev.attention4j.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The embeddings of a corpus, one per non-empty line, searchable by cosine similarity: the retrieval step of
 * retrieval-augmented generation.
 *
 * <pre>{@code
 * EmbeddingModel model = EmbeddingModels.load(EmbeddingModels.DEFAULT);
 * CorpusIndex.Opened opened = CorpusIndex.open(Path.of("notes.txt"), model, EmbeddingProgress.NONE);
 * List<Hit> top3 = opened.index().search("how does attention scale?", 3);
 * }</pre>
 *
 * <p>Lines that are empty or blank are not embedded and never returned, but keep their numbers. Passages are
 * embedded with the model's passage prefix and queries with its query prefix (e5's {@code "passage: "} and
 * {@code "query: "}). Immutable and thread-safe.
 */
public final class CorpusIndex {

    /** The value of the cache's {@code format} metadata; a cache in any other format is rebuilt. */
    public static final String CACHE_FORMAT = "attention4j-corpus-embeddings/1";
    /** The cache file's name: the corpus's name and this suffix, beside it. */
    public static final String CACHE_SUFFIX = ".embeddings.safetensors";

    private static final String EMBEDDINGS = "embeddings";

    private final EmbeddingModel model;
    private final List<String> lines;
    private final int[] lineNumbers;   // (numLines): 1-based number of each embedded line
    private final float[][] vectors;   // (numLines, dim)

    private CorpusIndex(EmbeddingModel model, List<String> lines, int[] lineNumbers, float[][] vectors) {
        this.model = model;
        this.lines = lines;
        this.lineNumbers = lineNumbers;
        this.vectors = vectors;
    }

    /** The result of {@link #open}: the index and what was done with its cache. */
    public record Opened(CorpusIndex index, CacheUse cacheUse) {
        public Opened {
            Objects.requireNonNull(index, "index");
            Objects.requireNonNull(cacheUse, "cacheUse");
        }
    }

    /**
     * Embeds the non-empty {@code lines} with {@code model} (no cache).
     *
     * @param progress told after each batch how many non-empty lines are embedded
     */
    public static CorpusIndex build(List<String> lines, EmbeddingModel model, EmbeddingProgress progress) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(progress, "progress");
        List<String> copy = List.copyOf(lines);
        int[] numbers = nonEmptyLineNumbers(copy);
        List<String> passages = new ArrayList<>(numbers.length);
        for (int number : numbers) {
            passages.add(model.passagePrefix() + copy.get(number - 1));
        }
        return new CorpusIndex(model, copy, numbers, model.embedder().embed(passages, progress));
    }

    /** The cache file of {@code corpus}: {@code corpus.txt} -> {@code corpus.txt.embeddings.safetensors} beside it. */
    public static Path cachePath(Path corpus) {
        return corpus.resolveSibling(corpus.getFileName() + CACHE_SUFFIX);
    }

    /** {@link #open(Path, Path, EmbeddingModel, EmbeddingProgress)} with the cache at {@link #cachePath}. */
    public static Opened open(Path corpus, EmbeddingModel model, EmbeddingProgress progress) throws IOException {
        return open(corpus, cachePath(corpus), model, progress);
    }

    /**
     * The index of the UTF-8 text file {@code corpus}, one passage per line: read from {@code cache} if that holds
     * the embeddings of this very corpus (same SHA-256) by this very model (same {@link EmbeddingModel#identity}),
     * else embedded and written to {@code cache} atomically. A cache that cannot be read or fails verification is
     * rebuilt, never trusted; a cache that cannot be written is reported in {@link CacheUse#saveFailure}.
     *
     * @param progress told how far embedding has got (not called when the cache is reused)
     * @throws NoSuchFileException if {@code corpus} does not exist
     * @throws IOException         if it cannot be read or is not UTF-8 text (the message names the file)
     */
    public static Opened open(Path corpus, Path cache, EmbeddingModel model, EmbeddingProgress progress)
            throws IOException {
        Objects.requireNonNull(corpus, "corpus");
        Objects.requireNonNull(cache, "cache");
        Objects.requireNonNull(model, "model");
        byte[] bytes = Files.readAllBytes(corpus);
        String sha256 = sha256(bytes);
        List<String> lines = decodeLines(corpus, bytes);
        Map<String, String> stamp = Map.of(
                "format", CACHE_FORMAT,
                "model", model.identity(),
                "passage_prefix", model.passagePrefix(),
                "corpus_sha256", sha256,
                "lines", Integer.toString(lines.size()),
                "embedded", Integer.toString(nonEmptyLineNumbers(lines).length),
                "dimension", Integer.toString(model.dimension()));

        CacheUse.Kind kind = CacheUse.Kind.CREATED;
        String reason = "";
        if (Files.exists(cache)) {
            try {
                Optional<String> stale = staleness(cache, stamp);
                if (stale.isEmpty()) {
                    float[][] vectors = readVectors(cache, Integer.parseInt(stamp.get("embedded")),
                            model.dimension());
                    CorpusIndex index = new CorpusIndex(model, lines, nonEmptyLineNumbers(lines), vectors);
                    return new Opened(index, new CacheUse(cache, CacheUse.Kind.REUSED, "", Optional.empty()));
                }
                kind = CacheUse.Kind.REBUILT_STALE;
                reason = stale.get();
            } catch (IOException | RuntimeException e) {
                kind = CacheUse.Kind.REBUILT_DAMAGED;
                reason = e.getMessage() == null ? e.toString() : e.getMessage();
            }
        }
        CorpusIndex index = build(lines, model, progress);
        Optional<String> saveFailure = Optional.empty();
        try {
            index.save(cache, stamp);
        } catch (IOException e) {
            saveFailure = Optional.of(e.toString());
        }
        return new Opened(index, new CacheUse(cache, kind, reason, saveFailure));
    }

    /** Why the cache's stamp differs from {@code expected}, or empty if it matches. */
    private static Optional<String> staleness(Path cache, Map<String, String> expected) throws IOException {
        Map<String, String> found;
        try (SafetensorsFile file = SafetensorsFile.open(cache)) {
            found = file.metadata();
        }
        if (!CACHE_FORMAT.equals(found.get("format"))) {
            throw new IOException(cache + ": not an attention4j corpus cache (format "
                    + found.get("format") + ", expected " + CACHE_FORMAT + ")");
        }
        if (!expected.get("corpus_sha256").equals(found.get("corpus_sha256"))) {
            return Optional.of("the corpus changed");
        }
        if (!expected.get("model").equals(found.get("model"))
                || !expected.get("passage_prefix").equals(found.get("passage_prefix"))) {
            return Optional.of("the model changed (was " + found.get("model") + ")");
        }
        for (String key : List.of("lines", "embedded", "dimension")) {
            if (!expected.get(key).equals(found.get(key))) {
                throw new IOException(cache + ": metadata '" + key + "' is " + found.get(key) + " but the corpus and"
                        + " model give " + expected.get(key));
            }
        }
        return Optional.empty();
    }

    private static float[][] readVectors(Path cache, int numLines, int dim) throws IOException {
        float[] data;
        try (SafetensorsFile file = SafetensorsFile.open(cache)) {
            if (numLines == 0) {
                return new float[0][];
            }
            Tensor t = file.readFloat(EMBEDDINGS);
            if (t.rank() != 2 || t.dim(0) != numLines || t.dim(1) != dim) {
                throw new IOException(cache + ": '" + EMBEDDINGS + "' has shape " + t.shape() + ", expected ("
                        + numLines + ", " + dim + ")");
            }
            data = t.data();
        }
        float[][] vectors = new float[numLines][];
        for (int i = 0; i < numLines; i++) {
            vectors[i] = Arrays.copyOfRange(data, i * dim, (i + 1) * dim);
            for (float v : vectors[i]) {
                if (!Float.isFinite(v)) {
                    throw new IOException(cache + ": embedding " + i + " holds " + v);
                }
            }
        }
        return vectors;
    }

    /** Writes the embeddings with {@code stamp} as metadata, atomically. */
    private void save(Path cache, Map<String, String> stamp) throws IOException {
        int dim = model.dimension();
        Map<String, Tensor> tensors = Map.of();
        if (vectors.length > 0) {
            float[] data = new float[vectors.length * dim];   // (numLines, dim)
            for (int i = 0; i < vectors.length; i++) {
                System.arraycopy(vectors[i], 0, data, i * dim, dim);
            }
            tensors = Map.of(EMBEDDINGS, Tensor.of(data, vectors.length, dim));
        }
        Safetensors.write(cache, tensors, stamp);
    }

    /**
     * The {@code topK} lines most similar to {@code query} (with the model's query prefix), best first; ties go to the
     * earlier line. Fewer if the corpus has fewer non-empty lines.
     */
    public List<Hit> search(String query, int topK) {
        Objects.requireNonNull(query, "query");
        if (topK < 1) {
            throw new IllegalArgumentException("topK: expected >= 1 but got " + topK);
        }
        return rank(model.embedder().embed(model.queryPrefix() + query), topK);
    }

    /** {@link #search(String, int)} for each query, embedding them together. */
    public List<List<Hit>> search(List<String> queries, int topK) {
        if (topK < 1) {
            throw new IllegalArgumentException("topK: expected >= 1 but got " + topK);
        }
        List<String> prefixed = queries.stream().map(q -> model.queryPrefix() + Objects.requireNonNull(q, "query"))
                .toList();
        float[][] embedded = model.embedder().embed(prefixed);
        List<List<Hit>> out = new ArrayList<>(embedded.length);
        for (float[] q : embedded) {
            out.add(rank(q, topK));
        }
        return out;
    }

    private List<Hit> rank(float[] query, int topK) {
        double[] scores = new double[vectors.length];
        Integer[] order = new Integer[vectors.length];
        for (int i = 0; i < vectors.length; i++) {
            scores[i] = cosine(query, vectors[i]);
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> scores[a] != scores[b] ? Double.compare(scores[b], scores[a])
                : Integer.compare(a, b));
        List<Hit> hits = new ArrayList<>(Math.min(topK, order.length));
        for (int k = 0; k < Math.min(topK, order.length); k++) {
            int i = order[k];
            hits.add(new Hit(lineNumbers[i], lines.get(lineNumbers[i] - 1), scores[i]));
        }
        return hits;
    }

    /** {@code a . b / (|a| |b|)} in double (0 for a zero vector). */
    public static double cosine(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("a and b: expected the same length but got " + a.length + " and "
                    + b.length);
        }
        double dot = 0;
        double aa = 0;
        double bb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            aa += (double) a[i] * a[i];
            bb += (double) b[i] * b[i];
        }
        return aa == 0 || bb == 0 ? 0 : dot / Math.sqrt(aa * bb);
    }

    /** Every line of the corpus, empty ones included (line {@code n} at index {@code n - 1}). */
    public List<String> lines() {
        return lines;
    }

    /** The number of embedded (non-empty) lines. */
    public int size() {
        return vectors.length;
    }

    /** The embedding of line {@code lineNumber} (from 1), or empty if that line is blank. */
    public Optional<float[]> embedding(int lineNumber) {
        int i = Arrays.binarySearch(lineNumbers, lineNumber);
        return i < 0 ? Optional.empty() : Optional.of(vectors[i].clone());
    }

    public EmbeddingModel model() {
        return model;
    }

    private static int[] nonEmptyLineNumbers(List<String> lines) {
        return java.util.stream.IntStream.range(0, lines.size()).filter(i -> !lines.get(i).isBlank())
                .map(i -> i + 1).toArray();
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** UTF-8 (a leading byte-order mark dropped), split at {@code \n}, {@code \r\n} or {@code \r}. */
    private static List<String> decodeLines(Path corpus, byte[] bytes) throws IOException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IOException(corpus + ": not UTF-8 text (" + e.getMessage() + "); save the corpus as UTF-8, one"
                    + " passage per line", e);
        }
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        return text.lines().toList();
    }
}
