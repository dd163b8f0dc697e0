package dev.attention4j.models.tokenizers;

import java.util.Arrays;

/**
 * An immutable trie over code points mapping strings to ids, for longest-prefix matching in time proportional to
 * the match. Edges live in one open-addressing hash table keyed by (node, code point), so a 30k-entry vocabulary
 * costs a few arrays rather than a hundred thousand small maps.
 */
final class CodePointTrie {

    /** The value of nodes that end no entry, and the result of a failed lookup. */
    static final int NONE = -1;

    private static final long EMPTY = -1L;

    private final long[] keys;   // (parent node << 21) | code point, or EMPTY
    private final int[] children;
    private final int[] values;  // per node: the entry's id, or NONE
    private final int mask;

    private CodePointTrie(long[] keys, int[] children, int[] values) {
        this.keys = keys;
        this.children = children;
        this.values = values;
        this.mask = keys.length - 1;
    }

    /** The child of {@code node} along {@code cp}, or {@link #NONE}. The root is node 0. */
    int child(int node, int cp) {
        long key = ((long) node << 21) | cp;
        for (int slot = hash(key) & mask; ; slot = (slot + 1) & mask) {
            long k = keys[slot];
            if (k == key) {
                return children[slot];
            }
            if (k == EMPTY) {
                return NONE;
            }
        }
    }

    /** The id of the entry ending at {@code node}, or {@link #NONE}. */
    int value(int node) {
        return values[node];
    }

    private static int hash(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 29));
    }

    /** Collects entries, then {@link #build}s. */
    static final class Builder {
        private long[] keys = new long[1024];
        private int[] children = new int[1024];
        private int edges;
        private int[] values = new int[256];
        private int nodes = 1;

        Builder() {
            Arrays.fill(keys, EMPTY);
            values[0] = NONE;
        }

        /** Adds {@code text -> id}; a later entry for the same text wins. */
        Builder put(String text, int id) {
            int node = 0;
            for (int at = 0; at < text.length(); ) {
                int cp = text.codePointAt(at);
                at += Character.charCount(cp);
                node = childOrNew(node, cp);
            }
            values[node] = id;
            return this;
        }

        private int childOrNew(int node, int cp) {
            long key = ((long) node << 21) | cp;
            int m = keys.length - 1;
            int slot = hash(key) & m;
            while (keys[slot] != EMPTY) {
                if (keys[slot] == key) {
                    return children[slot];
                }
                slot = (slot + 1) & m;
            }
            if (nodes == values.length) {
                int old = values.length;
                values = Arrays.copyOf(values, old * 2);
                Arrays.fill(values, old, values.length, NONE);
            }
            int child = nodes++;
            values[child] = NONE;
            keys[slot] = key;
            children[slot] = child;
            if (++edges * 2 > keys.length) {
                grow();
            }
            return child;
        }

        private void grow() {
            long[] oldKeys = keys;
            int[] oldChildren = children;
            keys = new long[oldKeys.length * 2];
            children = new int[keys.length];
            Arrays.fill(keys, EMPTY);
            int m = keys.length - 1;
            for (int i = 0; i < oldKeys.length; i++) {
                if (oldKeys[i] != EMPTY) {
                    int slot = hash(oldKeys[i]) & m;
                    while (keys[slot] != EMPTY) {
                        slot = (slot + 1) & m;
                    }
                    keys[slot] = oldKeys[i];
                    children[slot] = oldChildren[i];
                }
            }
        }

        CodePointTrie build() {
            return new CodePointTrie(keys.clone(), children.clone(), Arrays.copyOf(values, nodes));
        }
    }
}
