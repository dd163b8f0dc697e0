package dev.attention4j.generate;

import java.util.Arrays;

/**
 * The tokens fed so far for every row, {@code (rows, capacity)}: the source's prompt (BOS for a translation) then the
 * chosen tokens. Rows come in groups of {@code group} (the beams of one source). A source's prompt tokens past the
 * shortest prompt of the batch are forced one per step, so every row advances in lockstep and keeps its own
 * positions.
 */
final class Rows {

    private final int[][] prompts; // (sources, promptLen)
    private final int group;
    private int[][] tokens;        // (rows, capacity)
    private int[][] spare;         // (rows, capacity), for reordering
    private final int[] length;    // (rows)

    Rows(int[][] prompts, int group, int capacity) {
        this.prompts = prompts;
        this.group = group;
        int rows = prompts.length * group;
        this.tokens = new int[rows][capacity];
        this.spare = new int[rows][capacity];
        this.length = new int[rows];
    }

    int rows() {
        return tokens.length;
    }

    int sources() {
        return prompts.length;
    }

    /** The length of the shortest prompt: fed at once, before the first step. */
    int commonPromptLength() {
        int min = Integer.MAX_VALUE;
        for (int[] p : prompts) {
            min = Math.min(min, p.length);
        }
        return min;
    }

    /** The first {@code n} prompt tokens of every row, {@code (rows, n)}, recorded as fed. */
    int[][] feedPromptStart(int n) {
        int[][] out = new int[rows()][];
        for (int r = 0; r < rows(); r++) {
            out[r] = Arrays.copyOf(prompts[r / group], n);
            System.arraycopy(out[r], 0, tokens[r], 0, n);
            length[r] = n;
        }
        return out;
    }

    /** The prompt token that row {@code row} must take next, or -1 once its prompt is all fed. */
    int forcedToken(int row) {
        int[] prompt = prompts[row / group];
        return length[row] < prompt.length ? prompt[length[row]] : -1;
    }

    /** Tokens chosen so far for {@code row}, past its prompt. */
    int generated(int row) {
        return length[row] - prompts[row / group].length;
    }

    int length(int row) {
        return length[row];
    }

    /** The row's fed tokens, {@code [0, length(row))} in use: read only. */
    int[] history(int row) {
        return tokens[row];
    }

    int last(int row) {
        return tokens[row][length[row] - 1];
    }

    void append(int row, int token) {
        tokens[row][length[row]++] = token;
    }

    /** The row's tokens past its prompt. */
    int[] generatedTokens(int row) {
        return Arrays.copyOfRange(tokens[row], prompts[row / group].length, length[row]);
    }

    /** Afterwards row {@code r} holds what row {@code rowIndices[r]} held. */
    void reorder(int[] rowIndices) {
        for (int r = 0; r < rows(); r++) {
            int from = rowIndices[r];
            System.arraycopy(tokens[from], 0, spare[r], 0, length[from]);
        }
        int[][] t = tokens;
        tokens = spare;
        spare = t;
        // every row of a group has the same length, and reordering stays within groups
    }
}
