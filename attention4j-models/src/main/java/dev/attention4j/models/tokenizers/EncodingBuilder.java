package dev.attention4j.models.tokenizers;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The tokens of one sequence (or a finished pair) as they are produced; mutable, confined to one encode call. */
final class EncodingBuilder {

    int[] ids = new int[16];
    int[] typeIds = new int[16];
    int[] attention = new int[16];
    int[] special = new int[16];
    int[] sequenceIds = new int[16];
    int[] starts = new int[16];
    int[] ends = new int[16];
    final List<String> tokens = new ArrayList<>();

    int size() {
        return tokens.size();
    }

    /** Adds a regular token with its source span; type, sequence and mask are set later. */
    void add(int id, String token, int start, int end) {
        add(id, token, start, end, 0, 1, 0, 0);
    }

    void add(int id, String token, int start, int end, int typeId, int attentionValue, int specialValue,
             int sequenceId) {
        int n = tokens.size();
        if (n == ids.length) {
            int grown = n * 2;
            ids = Arrays.copyOf(ids, grown);
            typeIds = Arrays.copyOf(typeIds, grown);
            attention = Arrays.copyOf(attention, grown);
            special = Arrays.copyOf(special, grown);
            sequenceIds = Arrays.copyOf(sequenceIds, grown);
            starts = Arrays.copyOf(starts, grown);
            ends = Arrays.copyOf(ends, grown);
        }
        ids[n] = id;
        typeIds[n] = typeId;
        attention[n] = attentionValue;
        special[n] = specialValue;
        sequenceIds[n] = sequenceId;
        starts[n] = start;
        ends[n] = end;
        tokens.add(token);
    }

    /** Drops every token from index {@code size} on. */
    void truncate(int size) {
        tokens.subList(size, tokens.size()).clear();
    }

    /** Keeps {@code count} tokens: the first ones for {@link Side#RIGHT} truncation, the last for LEFT. */
    void keep(int count, Side side) {
        int n = size();
        if (count >= n) {
            return;
        }
        if (side == Side.LEFT) {
            int drop = n - count;
            shift(drop, 0, count);
            tokens.subList(0, drop).clear();
        } else {
            truncate(count);
        }
    }

    private void shift(int from, int to, int count) {
        System.arraycopy(ids, from, ids, to, count);
        System.arraycopy(typeIds, from, typeIds, to, count);
        System.arraycopy(attention, from, attention, to, count);
        System.arraycopy(special, from, special, to, count);
        System.arraycopy(sequenceIds, from, sequenceIds, to, count);
        System.arraycopy(starts, from, starts, to, count);
        System.arraycopy(ends, from, ends, to, count);
    }

    /** Appends all of {@code other}'s tokens. */
    void addAll(EncodingBuilder other) {
        for (int i = 0; i < other.size(); i++) {
            add(other.ids[i], other.tokens.get(i), other.starts[i], other.ends[i], other.typeIds[i],
                    other.attention[i], other.special[i], other.sequenceIds[i]);
        }
    }

    Encoding build() {
        int n = size();
        return new Encoding(Arrays.copyOf(ids, n), Arrays.copyOf(typeIds, n), Arrays.copyOf(attention, n),
                Arrays.copyOf(special, n), Arrays.copyOf(sequenceIds, n), tokens, Arrays.copyOf(starts, n),
                Arrays.copyOf(ends, n));
    }
}
