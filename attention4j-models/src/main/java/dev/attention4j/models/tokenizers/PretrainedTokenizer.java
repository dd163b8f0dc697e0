package dev.attention4j.models.tokenizers;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The tokenizer of a pretrained model, as described by its Hugging Face {@code tokenizer.json}: text in, token ids
 * (and type ids, attention mask, tokens, offsets) out, identical to the HF {@code tokenizers} library.
 *
 * <pre>{@code
 * PretrainedTokenizer tokenizer = PretrainedTokenizer.fromFile(Path.of("tokenizer.json"));
 * Encoding e = tokenizer.encode("Hello, world!");              // [CLS] hello , world ! [SEP]
 * Encoding pair = tokenizer.encode("A question?", "Its context.");  // typeIds 0 ... 0 1 ... 1
 * List<Encoding> batch = tokenizer.encodeBatch(List.of("short", "a longer text"));  // padded to the longest
 * }</pre>
 *
 * <p>Stages, in HF's order: added tokens are cut out of the raw text first (so "[SEP]" typed by a user is the
 * special token; BERT's added tokens are not normalized), the rest is normalized, cut into words, and each word
 * tokenized by the model; then the texts are truncated to leave room for the special tokens, the post-processor
 * adds them ([CLS] A [SEP] B [SEP]) with the type ids, and padding evens out a batch.
 *
 * <p>Truncation and padding come from the file when it has them. When it has none, this tokenizer truncates to
 * {@link Truncation#BERT_MAX_LENGTH} (longest text first) and pads batches to their longest encoding, so that its
 * output always fits a BERT model; {@link #withoutTruncation()} and {@link #withoutPadding()} give HF's raw
 * behaviour, {@link #withTruncation} and {@link #withPadding} any other.
 *
 * <p>Immutable, so safe to share between threads; the {@code with*} methods return new tokenizers that share the
 * vocabulary.
 */
public final class PretrainedTokenizer {

    private final Normalizer normalizer;          // null: none
    private final PreTokenizer preTokenizer;      // null: the whole normalized text is one word
    private final TokenizerModel model;
    private final PostProcessor.TemplateProcessing template; // null: no special tokens added
    private final PostProcessor postProcessor;
    private final List<AddedToken> addedTokens;
    private final AddedVocabulary addedVocabulary;
    private final Map<String, Integer> addedIds;
    private final Map<Integer, String> addedTokensById;
    private final Truncation truncation;          // null: none
    private final Padding padding;                // null: none

    /**
     * A tokenizer from its stages; {@code null} leaves a stage out (no normalization, the whole text as one word,
     * no special tokens, no truncation, no padding).
     *
     * @throws IllegalArgumentException if {@code truncation} leaves no room for the post-processor's special tokens
     */
    public PretrainedTokenizer(Normalizer normalizer, PreTokenizer preTokenizer, TokenizerModel model,
                               PostProcessor postProcessor, List<AddedToken> addedTokens, Truncation truncation,
                               Padding padding) {
        this.normalizer = normalizer;
        this.preTokenizer = preTokenizer;
        this.model = Objects.requireNonNull(model, "model");
        this.postProcessor = postProcessor;
        this.template = postProcessor == null ? null : postProcessor.asTemplate();
        this.addedTokens = List.copyOf(addedTokens);
        List<String> normalizedContents = new ArrayList<>();
        Map<String, Integer> ids = new HashMap<>();
        Map<Integer, String> byId = new HashMap<>();
        for (AddedToken t : this.addedTokens) {
            normalizedContents.add(t.normalized() ? normalizeWhole(normalizer, t.content()) : t.content());
            ids.put(t.content(), t.id());
            byId.put(t.id(), t.content());
        }
        this.addedVocabulary = new AddedVocabulary(this.addedTokens, normalizedContents);
        this.addedIds = Map.copyOf(ids);
        this.addedTokensById = Map.copyOf(byId);
        this.truncation = truncation;
        this.padding = padding;
        if (truncation != null && template != null) {
            int specials = Math.max(template.addedTokens(false), template.addedTokens(true));
            if (truncation.maxLength() < specials) {
                throw new IllegalArgumentException("truncation maxLength " + truncation.maxLength()
                        + " leaves no room for the " + specials + " special tokens the post-processor adds");
            }
        }
    }

    private static String normalizeWhole(Normalizer normalizer, String content) {
        if (normalizer == null) {
            return content;
        }
        NormalizedText text = NormalizedText.of(content, 0, content.length());
        Pipeline.normalize(normalizer, text);
        return text.substring(0, text.length());
    }

    /**
     * Loads a {@code tokenizer.json}.
     *
     * @throws TokenizerFormatException if the file is malformed or names a component attention4j cannot run
     * @throws IOException              if it cannot be read
     */
    public static PretrainedTokenizer fromFile(Path tokenizerJson) throws IOException {
        return TokenizerJson.read(tokenizerJson);
    }

    /** This tokenizer truncating as {@code truncation} says. */
    public PretrainedTokenizer withTruncation(Truncation truncation) {
        Objects.requireNonNull(truncation, "truncation");
        return new PretrainedTokenizer(normalizer, preTokenizer, model, postProcessor, addedTokens, truncation,
                padding);
    }

    /** This tokenizer with no length limit (HF's behaviour for a file without {@code truncation}). */
    public PretrainedTokenizer withoutTruncation() {
        return new PretrainedTokenizer(normalizer, preTokenizer, model, postProcessor, addedTokens, null, padding);
    }

    /** This tokenizer padding as {@code padding} says. */
    public PretrainedTokenizer withPadding(Padding padding) {
        Objects.requireNonNull(padding, "padding");
        return new PretrainedTokenizer(normalizer, preTokenizer, model, postProcessor, addedTokens, truncation,
                padding);
    }

    /** This tokenizer with no padding: batches keep their lengths. */
    public PretrainedTokenizer withoutPadding() {
        return new PretrainedTokenizer(normalizer, preTokenizer, model, postProcessor, addedTokens, truncation,
                null);
    }

    public Optional<Normalizer> normalizer() {
        return Optional.ofNullable(normalizer);
    }

    public Optional<PreTokenizer> preTokenizer() {
        return Optional.ofNullable(preTokenizer);
    }

    public TokenizerModel model() {
        return model;
    }

    public Optional<PostProcessor> postProcessor() {
        return Optional.ofNullable(postProcessor);
    }

    public List<AddedToken> addedTokens() {
        return addedTokens;
    }

    public Optional<Truncation> truncation() {
        return Optional.ofNullable(truncation);
    }

    public Optional<Padding> padding() {
        return Optional.ofNullable(padding);
    }

    /** The id of {@code token}: an added token's, else the model's. */
    public Optional<Integer> tokenToId(String token) {
        Integer id = addedIds.get(token);
        return id != null ? Optional.of(id) : model.tokenToId(token);
    }

    /** The token with id {@code id}: an added token's, else the model's. */
    public Optional<String> idToToken(int id) {
        String token = addedTokensById.get(id);
        return token != null ? Optional.of(token) : model.idToToken(id);
    }

    /** Encodes one text, with the post-processor's special tokens, truncated and padded as configured. */
    public Encoding encode(String text) {
        return pad(List.of(encodeOne(text, null, true))).get(0);
    }

    /** Encodes a pair of texts ({@code [CLS] text [SEP] textPair [SEP]} for BERT: type ids 0 then 1). */
    public Encoding encode(String text, String textPair) {
        Objects.requireNonNull(textPair, "textPair");
        return pad(List.of(encodeOne(text, textPair, true))).get(0);
    }

    /** Encodes one text without special tokens (HF's {@code add_special_tokens=False}); truncated and padded. */
    public Encoding encodeWithoutSpecialTokens(String text) {
        return pad(List.of(encodeOne(text, null, false))).get(0);
    }

    /** Encodes each text as {@link #encode(String)}, then pads them together. */
    public List<Encoding> encodeBatch(List<String> texts) {
        List<EncodingBuilder> out = new ArrayList<>(texts.size());
        for (String text : texts) {
            out.add(encodeOne(text, null, true));
        }
        return pad(out);
    }

    /** Encodes each pair as {@link #encode(String, String)}, then pads them together. */
    public List<Encoding> encodePairBatch(List<TextPair> pairs) {
        List<EncodingBuilder> out = new ArrayList<>(pairs.size());
        for (TextPair pair : pairs) {
            out.add(encodeOne(pair.text(), pair.textPair(), true));
        }
        return pad(out);
    }

    /** Two texts encoded together, such as a question and its context. */
    public record TextPair(String text, String textPair) {
        public TextPair {
            Objects.requireNonNull(text, "text");
            Objects.requireNonNull(textPair, "textPair");
        }
    }

    private EncodingBuilder encodeOne(String text, String textPair, boolean addSpecialTokens) {
        Objects.requireNonNull(text, "text");
        EncodingBuilder first = new EncodingBuilder();
        encodeSequence(text, first);
        EncodingBuilder second = null;
        if (textPair != null) {
            second = new EncodingBuilder();
            encodeSequence(textPair, second);
        }
        if (truncation != null) {
            int specials = addSpecialTokens && template != null ? template.addedTokens(second != null) : 0;
            truncate(first, second, truncation.maxLength() - specials);
        }
        return postProcess(first, second, addSpecialTokens);
    }

    /** Added tokens, normalizer, pre-tokenizer and model over one text. */
    private void encodeSequence(String text, EncodingBuilder out) {
        int at = 0;
        for (AddedVocabulary.Match m : addedVocabulary.findInRaw(text)) {
            encodeFragment(text, at, m.start(), out);
            out.add(m.token().id(), text.substring(m.start(), m.end()), m.start(), m.end());
            at = m.end();
        }
        encodeFragment(text, at, text.length(), out);
    }

    private void encodeFragment(String text, int from, int to, EncodingBuilder out) {
        if (from >= to) {
            return;
        }
        NormalizedText normalized = NormalizedText.of(text, from, to);
        if (normalizer != null) {
            Pipeline.normalize(normalizer, normalized);
        }
        int at = 0;
        for (AddedVocabulary.Match m : addedVocabulary.findInNormalized(normalized, 0, normalized.length())) {
            tokenizeWords(normalized, at, m.start(), out);
            out.add(m.token().id(), normalized.substring(m.start(), m.end()), normalized.originalStart(m.start()),
                    normalized.originalEnd(m.end() - 1));
            at = m.end();
        }
        tokenizeWords(normalized, at, normalized.length(), out);
    }

    private void tokenizeWords(NormalizedText text, int from, int to, EncodingBuilder out) {
        if (from >= to) {
            return;
        }
        if (preTokenizer == null) {
            Pipeline.tokenizeWord(model, text, from, to, out);
            return;
        }
        IntPairs words = new IntPairs();
        Pipeline.preTokenize(preTokenizer, text, from, to, words);
        for (int w = 0; w < words.size(); w++) {
            Pipeline.tokenizeWord(model, text, words.first(w), words.second(w), out);
        }
    }

    /** HF's truncation of one text or a pair to {@code maxLength} tokens in all. */
    private void truncate(EncodingBuilder first, EncodingBuilder second, int maxLength) {
        Side side = truncation.side();
        int n1 = first.size();
        int n2 = second == null ? 0 : second.size();
        if (maxLength == 0) {
            first.keep(0, side);
            if (second != null) {
                second.keep(0, side);
            }
            return;
        }
        if (n1 + n2 <= maxLength) {
            return;
        }
        int toRemove = n1 + n2 - maxLength;
        switch (truncation.strategy()) {
            case LONGEST_FIRST -> {
                if (second == null) {
                    first.keep(maxLength, side);
                    return;
                }
                int shorter = Math.min(n1, n2);
                int longer;
                if (shorter > maxLength) {
                    longer = shorter;
                } else {
                    longer = Math.max(shorter, maxLength - shorter);
                }
                if (shorter + longer > maxLength) {
                    shorter = maxLength / 2;
                    longer = shorter + maxLength % 2;
                }
                boolean firstIsShorter = n1 <= n2;
                first.keep(firstIsShorter ? shorter : longer, side);
                second.keep(firstIsShorter ? longer : shorter, side);
            }
            case ONLY_FIRST, ONLY_SECOND -> {
                EncodingBuilder target = truncation.strategy() == Truncation.Strategy.ONLY_FIRST ? first : second;
                if (target == null) {
                    throw new IllegalArgumentException("truncation strategy ONLY_SECOND needs a pair of texts,"
                            + " but one text was given");
                }
                if (target.size() <= toRemove) {
                    throw new IllegalArgumentException("truncation " + truncation.strategy() + " must remove "
                            + toRemove + " tokens to fit maxLength " + truncation.maxLength() + ", but that text has"
                            + " only " + target.size());
                }
                target.keep(target.size() - toRemove, side);
            }
        }
    }

    /**
     * The template's special tokens and type ids. Without special tokens the template still gives the type ids (as
     * in HF); without a template the texts get type ids 0 and 1.
     */
    private EncodingBuilder postProcess(EncodingBuilder first, EncodingBuilder second, boolean addSpecialTokens) {
        EncodingBuilder out = new EncodingBuilder();
        if (template == null) {
            appendSequence(out, first, 0, 0);
            if (second != null) {
                appendSequence(out, second, 1, 1);
            }
            return out;
        }
        for (PostProcessor.Piece piece : second == null ? template.single() : template.pair()) {
            switch (piece) {
                case PostProcessor.Piece.Sequence s -> {
                    boolean isFirst = s.name().equals(PostProcessor.Piece.FIRST);
                    appendSequence(out, isFirst ? first : second, s.typeId(), isFirst ? 0 : 1);
                }
                case PostProcessor.Piece.Special s -> {
                    if (addSpecialTokens) {
                        PostProcessor.SpecialToken special = template.specialTokens().get(s.name());
                        for (int i = 0; i < special.ids().size(); i++) {
                            out.add(special.ids().get(i), special.tokens().get(i), 0, 0, s.typeId(), 1, 1, -1);
                        }
                    }
                }
            }
        }
        return out;
    }

    private static void appendSequence(EncodingBuilder out, EncodingBuilder sequence, int typeId, int sequenceId) {
        for (int i = 0; i < sequence.size(); i++) {
            out.add(sequence.ids[i], sequence.tokens.get(i), sequence.starts[i], sequence.ends[i], typeId, 1, 0,
                    sequenceId);
        }
    }

    private List<Encoding> pad(List<EncodingBuilder> encodings) {
        List<Encoding> out = new ArrayList<>(encodings.size());
        if (padding == null) {
            for (EncodingBuilder e : encodings) {
                out.add(e.build());
            }
            return out;
        }
        int longest = 0;
        for (EncodingBuilder e : encodings) {
            longest = Math.max(longest, e.size());
        }
        int target = padding.targetLength(longest);
        for (EncodingBuilder e : encodings) {
            int missing = target - e.size();
            if (missing <= 0) {
                out.add(e.build());
                continue;
            }
            EncodingBuilder padded = new EncodingBuilder();
            if (padding.side() == Side.LEFT) {
                addPadding(padded, missing);
                padded.addAll(e);
            } else {
                padded.addAll(e);
                addPadding(padded, missing);
            }
            out.add(padded.build());
        }
        return out;
    }

    private void addPadding(EncodingBuilder out, int count) {
        for (int i = 0; i < count; i++) {
            out.add(padding.padId(), padding.padToken(), 0, 0, padding.padTypeId(), 0, 1, -1);
        }
    }

    @Override
    public String toString() {
        return "PretrainedTokenizer[normalizer=" + normalizer + ", preTokenizer=" + preTokenizer + ", model=" + model
                + ", postProcessor=" + postProcessor + ", addedTokens=" + addedTokens.size() + ", truncation="
                + truncation + ", padding=" + padding + "]";
    }
}
