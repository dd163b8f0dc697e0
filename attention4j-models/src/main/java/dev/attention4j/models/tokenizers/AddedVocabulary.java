package dev.attention4j.models.tokenizers;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds added tokens in text, as HF does: leftmost-longest matches, not overlapping, scanning left to right; a
 * {@code singleWord} token is skipped where a word character touches it; {@code lstrip}/{@code rstrip} widen a match
 * over the whitespace before/after it. Two sets: tokens matched in the raw text and tokens matched in the normalized
 * text (their contents normalized first). Immutable.
 */
final class AddedVocabulary {

    /** A match: token {@code tokens.get(token)} over code points / chars {@code [start, end)} of the text searched. */
    record Match(AddedToken token, int start, int end) {}

    private final List<AddedToken> raw;
    private final CodePointTrie rawTrie;
    private final List<AddedToken> normalized;
    private final CodePointTrie normalizedTrie;

    /**
     * @param tokens             the added tokens
     * @param normalizedContents for each token, its content as the normalizer makes it (used when
     *                           {@code normalized} is set)
     */
    AddedVocabulary(List<AddedToken> tokens, List<String> normalizedContents) {
        List<AddedToken> r = new ArrayList<>();
        List<AddedToken> n = new ArrayList<>();
        CodePointTrie.Builder rt = new CodePointTrie.Builder();
        CodePointTrie.Builder nt = new CodePointTrie.Builder();
        for (int i = 0; i < tokens.size(); i++) {
            AddedToken t = tokens.get(i);
            if (t.normalized()) {
                String content = normalizedContents.get(i);
                if (!content.isEmpty()) {
                    nt.put(content, n.size());
                    n.add(t);
                }
            } else {
                rt.put(t.content(), r.size());
                r.add(t);
            }
        }
        this.raw = List.copyOf(r);
        this.rawTrie = rt.build();
        this.normalized = List.copyOf(n);
        this.normalizedTrie = nt.build();
    }

    boolean hasNormalizedTokens() {
        return !normalized.isEmpty();
    }

    /** Matches of the raw-text tokens in {@code text}; positions are UTF-16 indices. */
    List<Match> findInRaw(String text) {
        if (raw.isEmpty()) {
            return List.of();
        }
        int[] cps = text.codePoints().toArray();
        int[] utf16 = new int[cps.length + 1];
        for (int i = 0; i < cps.length; i++) {
            utf16[i + 1] = utf16[i] + Character.charCount(cps[i]);
        }
        List<Match> found = find(cps, 0, cps.length, rawTrie, raw);
        List<Match> out = new ArrayList<>(found.size());
        for (Match m : found) {
            out.add(new Match(m.token(), utf16[m.start()], utf16[m.end()]));
        }
        return out;
    }

    /** Matches of the normalized-text tokens in code points {@code [from, to)} of {@code text}. */
    List<Match> findInNormalized(NormalizedText text, int from, int to) {
        if (normalized.isEmpty()) {
            return List.of();
        }
        int[] cps = new int[to - from];
        for (int i = from; i < to; i++) {
            cps[i - from] = text.codePointAt(i);
        }
        List<Match> found = find(cps, 0, cps.length, normalizedTrie, normalized);
        List<Match> out = new ArrayList<>(found.size());
        for (Match m : found) {
            out.add(new Match(m.token(), m.start() + from, m.end() + from));
        }
        return out;
    }

    private static List<Match> find(int[] cps, int from, int to, CodePointTrie trie, List<AddedToken> tokens) {
        List<Match> matches = new ArrayList<>();
        int previousEnd = from;
        int i = from;
        while (i < to) {
            int node = 0;
            int matchEnd = -1;
            int matchValue = CodePointTrie.NONE;
            for (int j = i; j < to; j++) {
                node = trie.child(node, cps[j]);
                if (node == CodePointTrie.NONE) {
                    break;
                }
                if (trie.value(node) != CodePointTrie.NONE) {
                    matchEnd = j + 1;
                    matchValue = trie.value(node);
                }
            }
            if (matchEnd < 0) {
                i++;
                continue;
            }
            AddedToken token = tokens.get(matchValue);
            int start = i;
            int end = matchEnd;
            i = matchEnd; // a skipped match still consumes its text, as HF's non-overlapping search does
            if (token.singleWord() && ((start > from && isWordCharacter(cps[start - 1]))
                    || (end < to && isWordCharacter(cps[end])))) {
                continue;
            }
            if (token.lstrip()) {
                while (start > previousEnd && CharacterClasses.isWhitespace(cps[start - 1])) {
                    start--;
                }
            }
            if (token.rstrip()) {
                while (end < to && CharacterClasses.isWhitespace(cps[end])) {
                    end++;
                }
                i = end;
            }
            matches.add(new Match(token, start, end));
            previousEnd = end;
        }
        return matches;
    }

    /** A regular-expression word character ({@code \w} with Unicode classes). */
    static boolean isWordCharacter(int cp) {
        if (Character.isAlphabetic(cp) || CharacterClasses.isMark(cp) || cp == 0x200C || cp == 0x200D) {
            return true;
        }
        int type = Character.getType(cp);
        return type == Character.DECIMAL_DIGIT_NUMBER || type == Character.CONNECTOR_PUNCTUATION;
    }
}
