package dev.attention4j.train.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The id table shared by the tokenizers: specials at 0..3, regular tokens from 4 on, and the escaping that turns a
 * token into one text line and back.
 */
final class Vocabulary {

    static final int FIRST_REGULAR_ID = 4;

    private final List<String> tokens;           // id -> token text; ids 0..3 are the specials
    private final Map<String, Integer> regularIds; // token text -> id, regular tokens only

    /** A vocabulary of the specials followed by {@code regular} (distinct, non-empty) in order. */
    Vocabulary(List<String> regular) {
        List<String> all = new ArrayList<>(Tokenizer.SPECIAL_TOKENS);
        Map<String, Integer> ids = new HashMap<>();
        for (String token : regular) {
            if (token.isEmpty()) {
                throw new IllegalArgumentException("vocabulary: token " + all.size() + " is empty");
            }
            Integer previous = ids.putIfAbsent(token, all.size());
            if (previous != null) {
                throw new IllegalArgumentException("vocabulary: token " + all.size() + " '" + escape(token)
                        + "' repeats token " + previous);
            }
            all.add(token);
        }
        this.tokens = Collections.unmodifiableList(all);
        this.regularIds = ids;
    }

    /** Reads {@link #lines()} back: the first four lines must be the specials. */
    static Vocabulary fromLines(List<String> lines) {
        if (lines.size() < FIRST_REGULAR_ID
                || !lines.subList(0, FIRST_REGULAR_ID).equals(Tokenizer.SPECIAL_TOKENS)) {
            throw new IllegalArgumentException("vocabulary: expected the first lines to be the specials "
                    + Tokenizer.SPECIAL_TOKENS + " but got "
                    + lines.subList(0, Math.min(FIRST_REGULAR_ID, lines.size())));
        }
        List<String> regular = new ArrayList<>(lines.size() - FIRST_REGULAR_ID);
        for (int i = FIRST_REGULAR_ID; i < lines.size(); i++) {
            try {
                regular.add(unescape(lines.get(i)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("vocabulary line " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return new Vocabulary(regular);
    }

    int size() {
        return tokens.size();
    }

    /** The id of a regular token, or UNK. */
    int id(String token) {
        return regularIds.getOrDefault(token, Tokenizer.UNK_ID);
    }

    boolean contains(String token) {
        return regularIds.containsKey(token);
    }

    String token(int id) {
        if (id < 0 || id >= tokens.size()) {
            throw new IllegalArgumentException("id: expected a token id in [0, " + tokens.size() + ") but got " + id);
        }
        return tokens.get(id);
    }

    /** The tokens of {@code ids} up to the first EOS, without PAD and BOS (UNK stays, as {@code <unk>}). */
    List<String> contentTokens(int[] ids) {
        List<String> out = new ArrayList<>(ids.length);
        for (int i = 0; i < ids.length; i++) {
            int id = ids[i];
            if (id < 0 || id >= tokens.size()) {
                throw new IllegalArgumentException("ids[" + i + "]: expected a token id in [0, " + tokens.size()
                        + ") but got " + id);
            }
            if (id == Tokenizer.EOS_ID) {
                break;
            }
            if (id != Tokenizer.PAD_ID && id != Tokenizer.BOS_ID) {
                out.add(tokens.get(id));
            }
        }
        return out;
    }

    /** One escaped line per id, specials first. */
    List<String> lines() {
        List<String> lines = new ArrayList<>(tokens.size());
        for (int id = 0; id < tokens.size(); id++) {
            lines.add(id < FIRST_REGULAR_ID ? tokens.get(id) : escape(tokens.get(id)));
        }
        return List.copyOf(lines);
    }

    /** See {@link Tokenizer#vocabulary()} for the escapes. */
    static String escape(String token) {
        StringBuilder sb = new StringBuilder(token.length());
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case ' ' -> sb.append("\\s");
                case '\t' -> sb.append("\\t");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                default -> {
                    boolean loneSurrogate = Character.isHighSurrogate(c)
                            ? i + 1 >= token.length() || !Character.isLowSurrogate(token.charAt(i + 1))
                            : Character.isLowSurrogate(c)
                                    && (i == 0 || !Character.isHighSurrogate(token.charAt(i - 1)));
                    if (Character.isISOControl(c) || Character.isWhitespace(c) || Character.isSpaceChar(c)
                            || loneSurrogate || c == '\uFEFF') {
                        sb.append(String.format("\\u%04X", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }

    static String unescape(String line) {
        StringBuilder sb = new StringBuilder(line.length());
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (i + 1 >= line.length()) {
                throw new IllegalArgumentException("'" + line + "' ends with a lone backslash (write \\\\)");
            }
            char e = line.charAt(++i);
            switch (e) {
                case '\\' -> sb.append('\\');
                case 's' -> sb.append(' ');
                case 't' -> sb.append('\t');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 'u' -> {
                    int value = 0;
                    for (int k = 1; k <= 4; k++) {
                        int digit = i + k < line.length() && HexFormat.isHexDigit(line.charAt(i + k))
                                ? HexFormat.fromHexDigit(line.charAt(i + k)) : -1;
                        if (digit < 0) {
                            throw new IllegalArgumentException("'" + line + "': \\u needs four hex digits");
                        }
                        value = value * 16 + digit;
                    }
                    sb.append((char) value);
                    i += 4;
                }
                default -> throw new IllegalArgumentException("'" + line + "' has an unknown escape \\" + e
                        + " (known: \\\\ \\s \\t \\n \\r \\uXXXX)");
            }
        }
        return sb.toString();
    }
}
