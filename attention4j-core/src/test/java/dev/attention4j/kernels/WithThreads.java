package dev.attention4j.kernels;

/** Test helper: runs code at a given {@link Parallel} thread count and puts the previous count back. */
public final class WithThreads {

    private WithThreads() {
    }

    /** Runs {@code body} with {@code threads} threads, then restores the count it found (also if body throws). */
    public static void run(int threads, Runnable body) {
        int before = Parallel.threads();
        try {
            Parallel.setThreads(threads);
            body.run();
        } finally {
            Parallel.setThreads(before);
        }
    }
}
