package dev.attention4j.models.tokenizers;

import java.util.Arrays;

/** A growing list of int pairs (word ranges); mutable, confined to one encode call. */
final class IntPairs {

    private int[] values = new int[16];
    private int size;

    void add(int first, int second) {
        if (2 * size + 2 > values.length) {
            values = Arrays.copyOf(values, values.length * 2);
        }
        values[2 * size] = first;
        values[2 * size + 1] = second;
        size++;
    }

    /** Adds {@code [first, second)} unless it is empty. */
    void addNonEmpty(int first, int second) {
        if (second > first) {
            add(first, second);
        }
    }

    void addAll(IntPairs other) {
        for (int i = 0; i < other.size; i++) {
            add(other.first(i), other.second(i));
        }
    }

    int size() {
        return size;
    }

    int first(int index) {
        return values[2 * index];
    }

    int second(int index) {
        return values[2 * index + 1];
    }
}
