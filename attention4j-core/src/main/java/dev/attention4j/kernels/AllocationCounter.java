package dev.attention4j.kernels;

import java.lang.management.ManagementFactory;

/**
 * Counts the heap bytes allocated between {@link #start} and {@link #stop} by the calling thread and {@link Parallel}'s
 * worker threads (which run the other chunks of split loops): how the benchmarks and tests show that a hot path, such
 * as a decoding step, allocates nothing. The worker list is taken outside the window, so counting allocates nothing
 * inside it; a worker started inside the window counts from 0. One counter per measuring thread.
 */
public final class AllocationCounter {

    private final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private long bytes;

    /** @throws UnsupportedOperationException if this JVM cannot count the bytes each thread allocates */
    public AllocationCounter() {
        if (!threads.isThreadAllocatedMemorySupported()) {
            throw new UnsupportedOperationException("this JVM does not count allocated bytes per thread");
        }
        threads.setThreadAllocatedMemoryEnabled(true);
    }

    /** Opens the window. */
    public void start() {
        bytes = -workerBytes(); // the thread list is made before the window opens
        bytes -= threads.getThreadAllocatedBytes(Thread.currentThread().threadId());
    }

    /** Closes the window: the bytes allocated in it by this thread and the workers. */
    public long stop() {
        bytes += threads.getThreadAllocatedBytes(Thread.currentThread().threadId());
        return bytes + workerBytes(); // read after the window closed
    }

    private long workerBytes() {
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t != Thread.currentThread() && Parallel.isWorker(t)) {
                sum += Math.max(0, threads.getThreadAllocatedBytes(t.threadId()));
            }
        }
        return sum;
    }
}
