package dev.attention4j.models.tokenizers;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * WordPiece (BERT's model): a word is cut greedily into the longest vocabulary entries, left to right, every piece
 * after the first looked up with the {@code continuingSubwordPrefix} ({@code ##}) in front. A word that cannot be
 * cut completely, or that is longer than {@code maxInputCharsPerWord} code points, becomes the single
 * {@code unkToken}.
 *
 * <p>Cost: a word is matched through two tries (first pieces, continuation pieces), so cutting it costs at most
 * (its length) x (longest entry) steps, and a word over the limit costs nothing; a megabyte without a space is one
 * {@code [UNK]} in linear time. Immutable.
 */
public final class WordPiece implements TokenizerModel {

    private final Map<String, Integer> vocab;
    private final Map<Integer, String> tokensById;
    private final String unkToken;
    private final int unkId;
    private final String continuingSubwordPrefix;
    private final int maxInputCharsPerWord;
    private final CodePointTrie firstPieces;
    private final CodePointTrie continuationPieces;
    private final String[] continuationTexts; // by continuation trie value: the vocabulary string with its prefix

    /**
     * @param vocab                   token -> id; must hold {@code unkToken}
     * @param unkToken                the token for words that cannot be cut, e.g. {@code [UNK]}
     * @param continuingSubwordPrefix what marks a piece that continues a word, e.g. {@code ##}
     * @param maxInputCharsPerWord    longer words (in code points) are {@code unkToken} at once; BERT uses 100
     * @throws IllegalArgumentException if {@code unkToken} is not in {@code vocab}, an id is negative, or
     *                                  {@code maxInputCharsPerWord} is not positive
     */
    public WordPiece(Map<String, Integer> vocab, String unkToken, String continuingSubwordPrefix,
                     int maxInputCharsPerWord) {
        Objects.requireNonNull(vocab, "vocab");
        Objects.requireNonNull(unkToken, "unkToken");
        Objects.requireNonNull(continuingSubwordPrefix, "continuingSubwordPrefix");
        if (maxInputCharsPerWord <= 0) {
            throw new IllegalArgumentException("maxInputCharsPerWord must be positive, got " + maxInputCharsPerWord);
        }
        Integer unk = vocab.get(unkToken);
        if (unk == null) {
            throw new IllegalArgumentException("unkToken '" + unkToken + "' must be in the vocabulary (of "
                    + vocab.size() + " tokens), but is not");
        }
        this.vocab = Collections.unmodifiableMap(new LinkedHashMap<>(vocab));
        this.unkToken = unkToken;
        this.unkId = unk;
        this.continuingSubwordPrefix = continuingSubwordPrefix;
        this.maxInputCharsPerWord = maxInputCharsPerWord;

        Map<Integer, String> byId = new HashMap<>();
        CodePointTrie.Builder first = new CodePointTrie.Builder();
        CodePointTrie.Builder continuation = new CodePointTrie.Builder();
        String[] texts = new String[vocab.size()];
        int continuations = 0;
        for (Map.Entry<String, Integer> e : this.vocab.entrySet()) {
            String token = Objects.requireNonNull(e.getKey(), "vocab token");
            int id = Objects.requireNonNull(e.getValue(), "vocab id");
            if (id < 0) {
                throw new IllegalArgumentException("vocab id of '" + token + "' must be >= 0, got " + id);
            }
            byId.putIfAbsent(id, token);
            first.put(token, id);
            if (token.startsWith(continuingSubwordPrefix)) { // every token when the prefix is empty, as in HF
                texts[continuations] = token;
                continuation.put(token.substring(continuingSubwordPrefix.length()), continuations++);
            }
        }
        this.tokensById = Collections.unmodifiableMap(byId);
        this.firstPieces = first.build();
        this.continuationPieces = continuation.build();
        this.continuationTexts = java.util.Arrays.copyOf(texts, continuations);
    }

    /** The vocabulary, token -> id, in file order. */
    public Map<String, Integer> vocab() {
        return vocab;
    }

    public String unkToken() {
        return unkToken;
    }

    public String continuingSubwordPrefix() {
        return continuingSubwordPrefix;
    }

    public int maxInputCharsPerWord() {
        return maxInputCharsPerWord;
    }

    @Override
    public int vocabSize() {
        return vocab.size();
    }

    @Override
    public Optional<Integer> tokenToId(String token) {
        return Optional.ofNullable(vocab.get(token));
    }

    @Override
    public Optional<String> idToToken(int id) {
        return Optional.ofNullable(tokensById.get(id));
    }

    /**
     * Tokenizes the word {@code text[from, to)} (normalized code points) into {@code out}, with spans of the
     * original text.
     */
    void tokenize(NormalizedText text, int from, int to, EncodingBuilder out) {
        if (to - from > maxInputCharsPerWord) {
            out.add(unkId, unkToken, text.originalStart(from), text.originalEnd(to - 1));
            return;
        }
        int mark = out.size();
        int start = from;
        while (start < to) {
            CodePointTrie trie = start == from ? firstPieces : continuationPieces;
            int node = 0;
            int matchEnd = -1;
            int matchValue = CodePointTrie.NONE;
            for (int i = start; i < to; i++) {
                node = trie.child(node, text.codePointAt(i));
                if (node == CodePointTrie.NONE) {
                    break;
                }
                int v = trie.value(node);
                if (v != CodePointTrie.NONE) {
                    matchEnd = i + 1;
                    matchValue = v;
                }
            }
            if (matchEnd < 0) {
                out.truncate(mark);
                out.add(unkId, unkToken, text.originalStart(from), text.originalEnd(to - 1));
                return;
            }
            if (start == from) {
                out.add(matchValue, text.substring(start, matchEnd), text.originalStart(start),
                        text.originalEnd(matchEnd - 1));
            } else {
                out.add(vocab.get(continuationTexts[matchValue]), continuationTexts[matchValue],
                        text.originalStart(start), text.originalEnd(matchEnd - 1));
            }
            start = matchEnd;
        }
    }

    @Override
    public String toString() {
        return "WordPiece[vocabSize=" + vocab.size() + ", unkToken=" + unkToken + ", continuingSubwordPrefix="
                + continuingSubwordPrefix + ", maxInputCharsPerWord=" + maxInputCharsPerWord + "]";
    }
}
