package dev.attention4j.kernels;

import java.io.IOException;
import java.lang.ref.Cleaner;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How many bytes of weights this JVM keeps in {@link RowPanels}' layout, against the last-level cache: whether the
 * kept weights of a model outgrow the cache, so that each linear map finds its weight in memory, not in cache, when
 * its layer comes round. {@link PackedGemm} reads the weight through once before the register blocks run on it
 * ({@code touchPanels}) from fewer rows on when they do.
 *
 * <p>Measured (AMD Zen 5, 32 MiB L3 shared by the VM's two cores, two threads, a 16-row product on {@code 384 x 1152}
 * kept weights rotated through copies, median per product): with 6 and 13 MiB of copies the read-through cost 20% and
 * 13% (42.1 against 50.5 us, 48.4 against 54.9), with 23 and 34 MiB it saved 35% and 26% (107.6 against 70.5 us,
 * 119.4 against 88.5); the crossing lies near half the cache, which the other data of a call and the neighbours of a
 * VM share.
 *
 * <p>The last-level cache's size comes from {@code -Dattention4j.cache.lastLevelBytes} or, on Linux, from
 * {@code /sys/devices/system/cpu/cpu0/cache}; unknown (another system, a container that hides it), the kept weights are
 * never taken to outgrow it, which keeps the read-through for products of many rows only.
 */
public final class KeptPanels {

    /** Bytes of live kept panels: added when a copy is made, taken off when it is collected. */
    private static final AtomicLong KEPT_BYTES = new AtomicLong();
    /** Bytes of every copy ever counted (never taken off): what a test can check while the collector runs. */
    private static final AtomicLong MADE_BYTES = new AtomicLong();
    private static final Cleaner CLEANER = Cleaner.create();
    private static final long LAST_LEVEL_CACHE_BYTES = lastLevelCacheBytes();
    /** The most a size in {@code sysfs} is believed: 1 TiB (anything larger is not a cache size). */
    private static final long MAX_CACHE_BYTES = 1L << 40;

    private KeptPanels() {
    }

    /** Counts {@code panels}, a kept copy just made, until it is collected. */
    public static void kept(float[] panels) {
        long bytes = 4L * panels.length;
        KEPT_BYTES.addAndGet(bytes);
        MADE_BYTES.addAndGet(bytes);
        CLEANER.register(panels, () -> KEPT_BYTES.addAndGet(-bytes));
    }

    /** Bytes of kept panels now live (collected copies are taken off after the collector finds them). */
    public static long keptBytes() {
        return KEPT_BYTES.get();
    }

    /** Bytes of every kept copy counted so far, collected or not. */
    static long madeBytes() {
        return MADE_BYTES.get();
    }

    /** The last-level cache in bytes, or -1 when unknown. */
    public static long cacheBytes() {
        return LAST_LEVEL_CACHE_BYTES;
    }

    /** Whether the kept panels outgrow the last-level cache ({@link #outgrow}). */
    public static boolean outgrowCache() {
        return outgrow(KEPT_BYTES.get(), LAST_LEVEL_CACHE_BYTES);
    }

    /**
     * Whether {@code keptBytes} of weights outgrow a last-level cache of {@code cacheBytes} ({@code <= 0}: unknown,
     * never): more than half of it, where the measurements in the class comment cross.
     */
    static boolean outgrow(long keptBytes, long cacheBytes) {
        return cacheBytes > 0 && keptBytes > cacheBytes / 2;
    }

    private static long lastLevelCacheBytes() {
        String given = System.getProperty("attention4j.cache.lastLevelBytes");
        if (given != null && !given.isBlank()) {
            long bytes = parseSize(given);
            return bytes > 0 ? bytes : -1;
        }
        try {
            return fromSysfs(Path.of("/sys/devices/system/cpu/cpu0/cache"));
        } catch (IOException | RuntimeException e) { // not Linux, or hidden: unknown
            return -1;
        }
    }

    /**
     * The size of the highest-level data or unified cache described under {@code dir} ({@code index*}
     * subdirectories with {@code level}, {@code type} and {@code size} files, as Linux lays them out), or -1.
     */
    static long fromSysfs(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return -1;
        }
        int bestLevel = -1;
        long bestSize = -1;
        try (var entries = Files.newDirectoryStream(dir, "index*")) {
            for (Path index : entries) {
                String type = read(index.resolve("type"));
                if (!type.equals("Unified") && !type.equals("Data")) {
                    continue;
                }
                int level;
                try {
                    level = Integer.parseInt(read(index.resolve("level")));
                } catch (NumberFormatException e) {
                    continue;
                }
                long size = parseSize(read(index.resolve("size")));
                if (size > 0 && level > bestLevel) {
                    bestLevel = level;
                    bestSize = size;
                }
            }
        }
        return bestSize;
    }

    /** {@code 32768K}, {@code 32M}, {@code 1G} or a plain count of bytes, in bytes; -1 when it is none of those. */
    static long parseSize(String text) {
        String s = text.trim().toUpperCase(Locale.ROOT);
        long unit = 1;
        if (s.endsWith("K") || s.endsWith("M") || s.endsWith("G")) {
            unit = switch (s.charAt(s.length() - 1)) {
                case 'K' -> 1L << 10;
                case 'M' -> 1L << 20;
                default -> 1L << 30;
            };
            s = s.substring(0, s.length() - 1);
        }
        if (s.isEmpty() || s.length() > 12 || !s.chars().allMatch(Character::isDigit)) {
            return -1;
        }
        long bytes = Long.parseLong(s) * unit;
        return bytes > 0 && bytes <= MAX_CACHE_BYTES ? bytes : -1;
    }

    /** The first line of a small sysfs file, trimmed ({@code ""} when empty). */
    private static String read(Path file) throws IOException {
        if (!Files.isRegularFile(file) || Files.size(file) > 4096) {
            return "";
        }
        String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
        int line = text.indexOf('\n');
        return line < 0 ? text : text.substring(0, line).trim();
    }
}
