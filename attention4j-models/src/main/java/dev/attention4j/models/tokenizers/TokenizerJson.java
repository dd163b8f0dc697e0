package dev.attention4j.models.tokenizers;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a HF {@code tokenizer.json} into a {@link PretrainedTokenizer}. Strict: a missing or mistyped field, or a
 * component type this package cannot run, is a {@link TokenizerFormatException} naming the file, the JSON path and
 * the type, never a silent fallback. Fields HF gives defaults to may be absent. The {@code decoder} section is not
 * read (this package encodes only).
 */
final class TokenizerJson {

    /** The largest file read; real tokenizer.json files are under 40 MB. */
    static final long MAX_FILE_BYTES = 256L << 20;

    private static final String NOT_SUPPORTED = "attention4j runs the WordPiece/BERT family of tokenizer.json files"
            + " today; this file needs a component it does not have yet";
    private static final String CORRUPT = "The file is truncated or corrupt, or was not written by the HF"
            + " tokenizers library; re-download or re-save it with tokenizer.save(path).";

    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build());

    private final Path path;

    private TokenizerJson(Path path) {
        this.path = path;
    }

    static PretrainedTokenizer read(Path path) throws IOException {
        long size;
        try {
            size = Files.size(path);
        } catch (NoSuchFileException e) {
            throw new TokenizerFormatException(path, TokenizerFormatException.NO_OFFSET, "the file does not exist",
                    "Check the path; a model directory holds tokenizer.json beside config.json.", e);
        }
        if (size > MAX_FILE_BYTES) {
            throw new TokenizerFormatException(path, TokenizerFormatException.NO_OFFSET, "the file is " + size
                    + " bytes, more than the " + MAX_FILE_BYTES + " a tokenizer.json may have here",
                    "Is it really a tokenizer.json (not the weights)?");
        }
        byte[] bytes = Files.readAllBytes(path);
        return new TokenizerJson(path).parse(bytes);
    }

    private PretrainedTokenizer parse(byte[] bytes) throws TokenizerFormatException {
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            long offset = at == null || at.getByteOffset() < 0 ? TokenizerFormatException.NO_OFFSET
                    : at.getByteOffset();
            throw new TokenizerFormatException(path, offset, "the file is not valid JSON: " + e.getOriginalMessage(),
                    CORRUPT, e);
        } catch (IOException e) {
            throw new TokenizerFormatException(path, TokenizerFormatException.NO_OFFSET, "the file could not be"
                    + " parsed: " + e.getMessage(), CORRUPT, e);
        }
        if (root == null || root.isMissingNode()) {
            throw fail("the file is empty (no JSON value)", CORRUPT);
        }
        if (!root.isObject()) {
            throw fail("the top level must be a JSON object but is " + describe(root), CORRUPT);
        }
        JsonNode modelNode = root.get("model");
        if (modelNode == null || modelNode.isNull()) {
            throw fail("'model' is missing", CORRUPT);
        }
        Normalizer normalizer = optional(root, "normalizer") == null ? null
                : normalizer(root.get("normalizer"), "normalizer");
        TokenizerModel model = model(modelNode);
        PreTokenizer preTokenizer = optional(root, "pre_tokenizer") == null ? null
                : preTokenizer(root.get("pre_tokenizer"), "pre_tokenizer");
        PostProcessor postProcessor = optional(root, "post_processor") == null ? null
                : postProcessor(root.get("post_processor"), "post_processor");
        List<AddedToken> added = addedTokens(root, model);
        Truncation truncation = optional(root, "truncation") == null ? null : truncation(root.get("truncation"));
        Padding padding = optional(root, "padding") == null ? null : padding(root.get("padding"));
        if (truncation == null) {
            truncation = Truncation.bert();
        }
        if (padding == null) {
            padding = defaultPadding(model, added);
        }
        try {
            return new PretrainedTokenizer(normalizer, preTokenizer, model, postProcessor, added, truncation,
                    padding);
        } catch (IllegalArgumentException e) {
            throw fail("the file's settings do not fit together: " + e.getMessage(), CORRUPT);
        }
    }

    /** Batch-longest padding with the vocabulary's [PAD], if it has one. */
    private static Padding defaultPadding(TokenizerModel model, List<AddedToken> added) {
        for (AddedToken t : added) {
            if (t.content().equals("[PAD]")) {
                return Padding.batchLongest().withPadToken("[PAD]", t.id());
            }
        }
        return model.tokenToId("[PAD]").map(id -> Padding.batchLongest().withPadToken("[PAD]", id)).orElse(null);
    }

    // ---- components ----

    private Normalizer normalizer(JsonNode node, String where) throws TokenizerFormatException {
        String type = type(node, where);
        switch (type) {
            case "BertNormalizer" -> {
                boolean lowercase = bool(node, "lowercase", where, true);
                JsonNode strip = node.get("strip_accents");
                boolean stripAccents = strip == null || strip.isNull() ? lowercase
                        : bool(node, "strip_accents", where, lowercase);
                return new Normalizer.BertNormalizer(bool(node, "clean_text", where, true),
                        bool(node, "handle_chinese_chars", where, true), stripAccents, lowercase);
            }
            case "NFD" -> {
                return new Normalizer.Nfd();
            }
            case "Lowercase" -> {
                return new Normalizer.Lowercase();
            }
            case "StripAccents" -> {
                return new Normalizer.StripAccents();
            }
            case "Sequence" -> {
                JsonNode list = array(node, "normalizers", where);
                List<Normalizer> normalizers = new ArrayList<>();
                for (int i = 0; i < list.size(); i++) {
                    normalizers.add(normalizer(list.get(i), where + ".normalizers[" + i + "]"));
                }
                return new Normalizer.Sequence(normalizers);
            }
            default -> throw unsupported(where, type, "BertNormalizer, NFD, Lowercase, StripAccents, Sequence");
        }
    }

    private PreTokenizer preTokenizer(JsonNode node, String where) throws TokenizerFormatException {
        String type = type(node, where);
        switch (type) {
            case "BertPreTokenizer" -> {
                return new PreTokenizer.BertPreTokenizer();
            }
            case "WhitespaceSplit" -> {
                return new PreTokenizer.WhitespaceSplit();
            }
            case "Whitespace" -> {
                return new PreTokenizer.Whitespace();
            }
            case "Sequence" -> {
                JsonNode list = array(node, "pretokenizers", where);
                List<PreTokenizer> steps = new ArrayList<>();
                for (int i = 0; i < list.size(); i++) {
                    steps.add(preTokenizer(list.get(i), where + ".pretokenizers[" + i + "]"));
                }
                return new PreTokenizer.Sequence(steps);
            }
            default -> throw unsupported(where, type, "BertPreTokenizer, Whitespace, WhitespaceSplit, Sequence");
        }
    }

    private TokenizerModel model(JsonNode node) throws TokenizerFormatException {
        String where = "model";
        String type = type(node, where);
        if (!type.equals("WordPiece")) {
            throw unsupported(where, type, "WordPiece");
        }
        JsonNode vocabNode = node.get("vocab");
        if (vocabNode == null || vocabNode.isNull()) {
            throw fail("model.vocab is missing", "A WordPiece model needs its vocabulary; " + CORRUPT);
        }
        if (!vocabNode.isObject()) {
            throw fail("model.vocab must be an object of token -> id but is " + describe(vocabNode), CORRUPT);
        }
        Map<String, Integer> vocab = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = vocabNode.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> e = fields.next();
            vocab.put(e.getKey(), id(e.getValue(), "model.vocab['" + e.getKey() + "']"));
        }
        String unk = string(node, "unk_token", where, "[UNK]");
        if (!vocab.containsKey(unk)) {
            throw fail("model.unk_token '" + unk + "' is not in model.vocab (" + vocab.size() + " tokens)",
                    "WordPiece needs its unknown token in the vocabulary; " + CORRUPT);
        }
        int maxChars = integer(node, "max_input_chars_per_word", where, 100);
        if (maxChars <= 0) {
            throw fail("model.max_input_chars_per_word must be positive but is " + maxChars, CORRUPT);
        }
        return new WordPiece(vocab, unk, string(node, "continuing_subword_prefix", where, "##"), maxChars);
    }

    private PostProcessor postProcessor(JsonNode node, String where) throws TokenizerFormatException {
        String type = type(node, where);
        try {
            switch (type) {
                case "BertProcessing" -> {
                    return new PostProcessor.BertProcessing(tokenAndId(node, "cls", where),
                            tokenAndId(node, "sep", where));
                }
                case "TemplateProcessing" -> {
                    Map<String, PostProcessor.SpecialToken> specials = new HashMap<>();
                    JsonNode map = node.get("special_tokens");
                    if (map != null && !map.isNull()) {
                        if (!map.isObject()) {
                            throw fail(where + ".special_tokens must be an object but is " + describe(map), CORRUPT);
                        }
                        Iterator<Map.Entry<String, JsonNode>> fields = map.fields();
                        while (fields.hasNext()) {
                            Map.Entry<String, JsonNode> e = fields.next();
                            specials.put(e.getKey(), specialToken(e.getValue(),
                                    where + ".special_tokens['" + e.getKey() + "']"));
                        }
                    }
                    return new PostProcessor.TemplateProcessing(template(node, "single", where),
                            template(node, "pair", where), specials);
                }
                default -> throw unsupported(where, type, "BertProcessing, TemplateProcessing");
            }
        } catch (IllegalArgumentException e) {
            throw fail(where + " is inconsistent: " + e.getMessage(), CORRUPT);
        }
    }

    private PostProcessor.SpecialToken tokenAndId(JsonNode node, String field, String where)
            throws TokenizerFormatException {
        JsonNode pair = array(node, field, where);
        if (pair.size() != 2 || !pair.get(0).isTextual()) {
            throw fail(where + "." + field + " must be [token, id] but is " + pair, CORRUPT);
        }
        return PostProcessor.SpecialToken.of(pair.get(0).asText(), id(pair.get(1), where + "." + field + "[1]"));
    }

    private PostProcessor.SpecialToken specialToken(JsonNode node, String where) throws TokenizerFormatException {
        requireObject(node, where);
        JsonNode ids = array(node, "ids", where);
        JsonNode tokens = array(node, "tokens", where);
        List<Integer> idList = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            idList.add(id(ids.get(i), where + ".ids[" + i + "]"));
        }
        List<String> tokenList = new ArrayList<>();
        for (int i = 0; i < tokens.size(); i++) {
            if (!tokens.get(i).isTextual()) {
                throw fail(where + ".tokens[" + i + "] must be a string but is " + describe(tokens.get(i)), CORRUPT);
            }
            tokenList.add(tokens.get(i).asText());
        }
        return new PostProcessor.SpecialToken(string(node, "id", where, null), idList, tokenList);
    }

    private List<PostProcessor.Piece> template(JsonNode node, String field, String where)
            throws TokenizerFormatException {
        JsonNode list = array(node, field, where);
        List<PostProcessor.Piece> pieces = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String at = where + "." + field + "[" + i + "]";
            JsonNode piece = list.get(i);
            requireObject(piece, at);
            if (piece.has("Sequence")) {
                JsonNode s = piece.get("Sequence");
                requireObject(s, at + ".Sequence");
                pieces.add(new PostProcessor.Piece.Sequence(string(s, "id", at + ".Sequence", null),
                        integer(s, "type_id", at + ".Sequence", 0)));
            } else if (piece.has("SpecialToken")) {
                JsonNode s = piece.get("SpecialToken");
                requireObject(s, at + ".SpecialToken");
                pieces.add(new PostProcessor.Piece.Special(string(s, "id", at + ".SpecialToken", null),
                        integer(s, "type_id", at + ".SpecialToken", 0)));
            } else {
                throw fail(at + " must be {\"Sequence\": ...} or {\"SpecialToken\": ...} but is " + piece, CORRUPT);
            }
        }
        return pieces;
    }

    /**
     * The added tokens with the ids HF gives them, which are not always the file's: a token in the model's
     * vocabulary (or added before) keeps that id; a new one gets the next id after the vocabulary and the added
     * tokens so far. For files HF wrote the two agree.
     */
    private List<AddedToken> addedTokens(JsonNode root, TokenizerModel model) throws TokenizerFormatException {
        JsonNode list = optional(root, "added_tokens");
        if (list == null) {
            return List.of();
        }
        if (!list.isArray()) {
            throw fail("added_tokens must be an array but is " + describe(list), CORRUPT);
        }
        List<AddedToken> tokens = new ArrayList<>();
        Map<String, Integer> assigned = new HashMap<>();
        int vocabSize = model.vocabSize();
        int maxAssigned = -1;
        for (int i = 0; i < list.size(); i++) {
            String where = "added_tokens[" + i + "]";
            JsonNode t = list.get(i);
            requireObject(t, where);
            String content = string(t, "content", where, null);
            if (content.isEmpty()) {
                continue; // HF ignores empty added tokens
            }
            id(t.get("id"), where + ".id"); // validated, though HF decides the id
            Integer known = model.tokenToId(content).orElse(assigned.get(content));
            int id;
            if (known != null) {
                id = known;
            } else {
                id = maxAssigned < 0 ? vocabSize
                        : maxAssigned >= vocabSize || vocabSize == 0 ? maxAssigned + 1 : vocabSize;
            }
            assigned.put(content, id);
            maxAssigned = Math.max(maxAssigned, id);
            tokens.add(new AddedToken(id, content,
                    bool(t, "single_word", where, false), bool(t, "lstrip", where, false),
                    bool(t, "rstrip", where, false), bool(t, "normalized", where, true),
                    bool(t, "special", where, false)));
        }
        return tokens;
    }

    private Truncation truncation(JsonNode node) throws TokenizerFormatException {
        String where = "truncation";
        requireObject(node, where);
        String strategy = string(node, "strategy", where, "LongestFirst");
        Truncation.Strategy s = switch (strategy) {
            case "LongestFirst" -> Truncation.Strategy.LONGEST_FIRST;
            case "OnlyFirst" -> Truncation.Strategy.ONLY_FIRST;
            case "OnlySecond" -> Truncation.Strategy.ONLY_SECOND;
            default -> throw fail("truncation.strategy '" + strategy + "' is not LongestFirst, OnlyFirst or"
                    + " OnlySecond", CORRUPT);
        };
        int maxLength = integer(node, "max_length", where, 512);
        int stride = integer(node, "stride", where, 0);
        if (maxLength < 0 || stride < 0) {
            throw fail("truncation.max_length and stride must be >= 0 but are " + maxLength + " and " + stride,
                    CORRUPT);
        }
        return new Truncation(maxLength, s, stride, side(node, "direction", where));
    }

    private Padding padding(JsonNode node) throws TokenizerFormatException {
        String where = "padding";
        requireObject(node, where);
        JsonNode strategy = node.get("strategy");
        Padding.Length length;
        if (strategy == null || strategy.isNull()
                || (strategy.isTextual() && strategy.asText().equals("BatchLongest"))) {
            length = new Padding.BatchLongest();
        } else if (strategy.isObject() && strategy.has("Fixed")) {
            int fixed = id(strategy.get("Fixed"), "padding.strategy.Fixed");
            if (fixed < 1) {
                throw fail("padding.strategy.Fixed must be >= 1 but is " + fixed, CORRUPT);
            }
            length = new Padding.Fixed(fixed);
        } else {
            throw fail("padding.strategy must be \"BatchLongest\" or {\"Fixed\": n} but is " + strategy, CORRUPT);
        }
        JsonNode multiple = node.get("pad_to_multiple_of");
        int padToMultipleOf = multiple == null || multiple.isNull() ? 0 : id(multiple, "padding.pad_to_multiple_of");
        return new Padding(length, side(node, "direction", where), padToMultipleOf,
                id(orMissing(node, "pad_id", 0), "padding.pad_id"),
                id(orMissing(node, "pad_type_id", 0), "padding.pad_type_id"),
                string(node, "pad_token", where, "[PAD]"));
    }

    private Side side(JsonNode node, String field, String where) throws TokenizerFormatException {
        String value = string(node, field, where, "Right");
        return switch (value) {
            case "Left" -> Side.LEFT;
            case "Right" -> Side.RIGHT;
            default -> throw fail(where + "." + field + " must be Left or Right but is '" + value + "'", CORRUPT);
        };
    }

    // ---- field helpers ----

    private static JsonNode optional(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v;
    }

    private static JsonNode orMissing(JsonNode node, String field, int fallback) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? com.fasterxml.jackson.databind.node.IntNode.valueOf(fallback) : v;
    }

    private String type(JsonNode node, String where) throws TokenizerFormatException {
        requireObject(node, where);
        JsonNode type = node.get("type");
        if (type == null || !type.isTextual()) {
            throw fail(where + ".type is missing or not a string", CORRUPT);
        }
        return type.asText();
    }

    private void requireObject(JsonNode node, String where) throws TokenizerFormatException {
        if (node == null || !node.isObject()) {
            throw fail(where + " must be a JSON object but is " + describe(node), CORRUPT);
        }
    }

    private JsonNode array(JsonNode node, String field, String where) throws TokenizerFormatException {
        JsonNode v = node.get(field);
        if (v == null || !v.isArray()) {
            throw fail(where + "." + field + " must be an array but is " + describe(v), CORRUPT);
        }
        return v;
    }

    private boolean bool(JsonNode node, String field, String where, boolean fallback)
            throws TokenizerFormatException {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isBoolean()) {
            throw fail(where + "." + field + " must be true or false but is " + describe(v), CORRUPT);
        }
        return v.booleanValue();
    }

    /** A string field; {@code fallback} null makes it required. */
    private String string(JsonNode node, String field, String where, String fallback)
            throws TokenizerFormatException {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            if (fallback == null) {
                throw fail(where + "." + field + " is missing", CORRUPT);
            }
            return fallback;
        }
        if (!v.isTextual()) {
            throw fail(where + "." + field + " must be a string but is " + describe(v), CORRUPT);
        }
        return v.asText();
    }

    private int integer(JsonNode node, String field, String where, int fallback) throws TokenizerFormatException {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw fail(where + "." + field + " must be an integer but is " + describe(v), CORRUPT);
        }
        return v.intValue();
    }

    /** A non-negative int (an id, a length). */
    private int id(JsonNode v, String where) throws TokenizerFormatException {
        if (v == null || !v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 0) {
            throw fail(where + " must be an integer in [0, " + Integer.MAX_VALUE + "] but is " + describe(v),
                    CORRUPT);
        }
        return v.intValue();
    }

    private static String describe(JsonNode node) {
        if (node == null || node.getNodeType() == JsonNodeType.MISSING) {
            return "missing";
        }
        return switch (node.getNodeType()) {
            case OBJECT -> "an object";
            case ARRAY -> "an array";
            case STRING -> "the string \"" + abbreviate(node.asText()) + "\"";
            case NUMBER -> "the number " + node.asText();
            case BOOLEAN -> node.asText();
            case NULL -> "null";
            default -> node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    private TokenizerFormatException fail(String problem, String hint) {
        return new TokenizerFormatException(path, TokenizerFormatException.NO_OFFSET, problem, hint);
    }

    private TokenizerFormatException unsupported(String where, String type, String supported) {
        return new TokenizerFormatException(path, TokenizerFormatException.NO_OFFSET, where + ".type '" + type
                + "' is not supported (supported: " + supported + ")", NOT_SUPPORTED + ".");
    }
}
