package dev.attention4j.kernels;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Splits independent work across a pool sized to the cores. Chunks are cut from {@code n} and {@code grain} alone,
 * never from the thread count, and each chunk is computed by the same code whichever thread runs it, so results are
 * bit-identical at any thread count.
 *
 * <p>The thread count is {@code -Dattention4j.threads=N} (default: available processors) or {@link #setThreads}.
 * Work started from inside a worker runs inline, so nested parallel ops never deadlock or oversubscribe.
 */
public final class Parallel {

    /** Body of a parallel loop over {@code [start, end)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int start, int end);
    }

    private static volatile ForkJoinPool pool = newPool(defaultThreads());

    private Parallel() {
    }

    private static int defaultThreads() {
        String p = System.getProperty("attention4j.threads");
        if (p != null && !p.isBlank()) {
            try {
                int t = Integer.parseInt(p.trim());
                if (t >= 1) {
                    return t;
                }
            } catch (NumberFormatException ignored) {
                // fall through to the processor count; `attention4j info` shows what is in use
            }
        }
        return Runtime.getRuntime().availableProcessors();
    }

    private static ForkJoinPool newPool(int threads) {
        return new ForkJoinPool(threads, p -> {
            ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
            t.setName("attention4j-" + t.getPoolIndex());
            t.setDaemon(true);
            return t;
        }, null, false);
    }

    /** The number of threads parallel ops use. */
    public static int threads() {
        return pool.getParallelism();
    }

    /** Sets the number of threads (>= 1) for subsequent parallel ops. Results do not depend on it. */
    public static synchronized void setThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads: expected >= 1 but got " + threads);
        }
        if (threads != threads()) {
            // The old pool is not shut down: a loop that read it just before the swap may still submit to it. Its
            // idle daemon workers end by themselves after the pool's keep-alive time.
            pool = newPool(threads);
        }
    }

    /**
     * Whether {@link #forRange}{@code (n, grain, body)} would hand chunks to other threads: more than one chunk, more
     * than one thread, and not called from inside a worker. When it would not, {@code forRange} just runs
     * {@code body.run(start, end)} for each chunk in order on the calling thread, allocating nothing; a caller on an
     * allocation-free path checks this first and calls its loop directly, so it never creates a capturing lambda for
     * {@code body}. Depends on the thread count (whereas the chunks and the results never do).
     */
    public static boolean splits(int n, int grain) {
        return n > 0 && splits(pool, chunks(n, Math.max(1, grain)));
    }

    private static boolean splits(ForkJoinPool p, int chunks) {
        boolean nested = Thread.currentThread() instanceof ForkJoinWorkerThread w && w.getPool() == p;
        return chunks > 1 && p.getParallelism() > 1 && !nested;
    }

    private static int chunks(int n, int grain) {
        return (int) ((n + (long) grain - 1) / grain);
    }

    /**
     * Runs {@code body} over {@code [0, n)} in chunks of {@code grain} (the last may be shorter), in parallel when
     * there is more than one chunk and more than one thread.
     */
    public static void forRange(int n, int grain, RangeBody body) {
        if (n <= 0) {
            return;
        }
        int g = Math.max(1, grain);
        int chunks = chunks(n, g);
        ForkJoinPool p = pool;
        if (!splits(p, chunks)) {
            for (int c = 0; c < chunks; c++) {
                body.run(c * g, Math.min(n, c * g + g));
            }
            return;
        }
        AtomicInteger next = new AtomicInteger(); // the chunks' tasks: allocated only when the work is split
        Runnable worker = () -> {
            for (int c; (c = next.getAndIncrement()) < chunks; ) {
                body.run(c * g, Math.min(n, c * g + g));
            }
        };
        int helpers = Math.min(p.getParallelism(), chunks) - 1;
        ForkJoinTask<?>[] tasks = new ForkJoinTask<?>[helpers];
        for (int i = 0; i < helpers; i++) {
            tasks[i] = p.submit(worker);
        }
        try {
            worker.run();
        } finally {
            // Wait for every helper even if this thread's chunk threw, so no chunk still runs when we return.
            for (ForkJoinTask<?> t : tasks) {
                t.quietlyJoin();
            }
        }
        for (ForkJoinTask<?> t : tasks) {
            t.join(); // rethrows a helper's exception
        }
    }
}
