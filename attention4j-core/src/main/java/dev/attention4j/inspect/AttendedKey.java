package dev.attention4j.inspect;

/**
 * One key a query attends to, and how much.
 *
 * @param key    the key's index (its token position)
 * @param weight its attention weight
 */
public record AttendedKey(int key, float weight) {

    public AttendedKey {
        if (key < 0) {
            throw new IllegalArgumentException("key: expected >= 0 but got " + key);
        }
    }
}
