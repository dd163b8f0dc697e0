package dev.attention4j.kernels;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Splits independent work across a team of threads sized to the cores. Chunks are cut from {@code n} and
 * {@code grain} alone, never from the thread count, and each chunk is computed by the same code whichever thread runs
 * it, so results are bit-identical at any thread count.
 *
 * <p>The thread count is {@code -Dattention4j.threads=N} (default: available processors) or {@link #setThreads}: the
 * calling thread plus {@code N - 1} daemon workers named {@code attention4j-i}, started at the first split.
 *
 * <p>The hand-off allocates nothing: the workers are a fixed set of threads, parked when idle, and a split
 * {@link #forRange} publishes its loop in the team's fields, offers it to the workers it needs, runs chunks itself,
 * takes back the offers no worker has taken yet and waits for the others. So a caller that passes a
 * {@link RangeBody} it keeps (a reusable object, not a capturing lambda made per call) allocates nothing per call,
 * split or not.
 *
 * <p>Rules that keep it deadlock-free: work started from inside a worker runs inline on that worker, so nested
 * parallel ops never wait for the team they run on; the team serves one caller at a time, and a {@code forRange}
 * that finds it busy (another user thread's loop, or a chunk of the caller's own split loop calling
 * {@code forRange} again) runs all its chunks inline on its own thread rather than wait. Results are the same bits
 * either way; only the speed differs. An exception thrown by a chunk (on any thread) stops the loop from handing out
 * further chunks and is rethrown by {@code forRange} once every chunk already started has finished.
 */
public final class Parallel {

    /** The prefix of the worker threads' names, followed by their index. */
    private static final String WORKER_NAME = "attention4j-";

    /** Body of a parallel loop over {@code [start, end)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int start, int end);
    }

    /**
     * A loop body that a call site keeps, one per thread, and refills for each call instead of making a capturing
     * lambda, so that a split loop allocates nothing: {@link #claim} hands it out, {@link #forRangeAndRelease} (or
     * {@link #release}) empties it afterwards.
     */
    public abstract static class KeptBody implements RangeBody {
        private boolean inUse;

        /** Drops what the last call set (its arrays above all), so that the kept body does not keep them alive. */
        protected abstract void clear();
    }

    /**
     * This thread's body from {@code kept}, or a {@code fresh} one (allocated) when this thread's is in use: a loop
     * started from one of its own chunks. Pair with {@link #release} or {@link #forRangeAndRelease}.
     */
    public static <B extends KeptBody> B claim(ThreadLocal<B> kept, java.util.function.Supplier<B> fresh) {
        B body = kept.get();
        if (((KeptBody) body).inUse) {
            body = fresh.get();
        }
        ((KeptBody) body).inUse = true;
        return body;
    }

    /** Empties a body from {@link #claim} and gives it back. */
    public static void release(KeptBody body) {
        body.clear();
        body.inUse = false;
    }

    /** {@link #forRange} on a body from {@link #claim}, then {@link #release}s it (also when a chunk throws). */
    public static void forRangeAndRelease(int n, int grain, KeptBody body) {
        try {
            forRange(n, grain, body);
        } finally {
            release(body);
        }
    }

    /**
     * How long a waiting thread (a worker between loops, a caller waiting for its helpers) spins before it parks,
     * {@code -Dattention4j.spinMicros} (default 100 us). A forward pass runs one split op
     * after another, tens of microseconds apart, and a park / unpark round trip costs more than a short op on a VM: a
     * wall-clock profile of MiniLM at 1 x 16 tokens (two threads, loaded machine) had the caller 17-28% of its time
     * inside {@code unpark} when the workers parked after 2048 spins (20-90 us here). Spinning longer keeps the
     * worker there for the next op, but takes a core that others may want: on a machine running more threads than
     * cores, a 1 ms spin made the same forward slower, not faster. A spinning thread only pauses between looks.
     */
    static final long SPIN_NANOS = Math.max(0L, Long.getLong("attention4j.spinMicros", 100L)) * 1000L;
    /** Spins between two reads of the clock while a thread waits. */
    private static final int SPINS_PER_CLOCK_READ = 64;

    private static volatile Team team = new Team(defaultThreads());
    /** Loops in which a worker took chunks, since the class was loaded. */
    private static final AtomicLong HAND_OFFS = new AtomicLong();

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

    /** The number of threads parallel ops use (the calling thread included). */
    public static int threads() {
        return team.threads;
    }

    /**
     * Sets the number of threads (>= 1) for subsequent parallel ops. Results do not depend on it. The old team's
     * workers end once the loop running on it (if any) has finished; a loop that read the old team just before the
     * swap runs inline.
     */
    public static synchronized void setThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads: expected >= 1 but got " + threads);
        }
        if (threads != threads()) {
            Team old = team;
            team = new Team(threads);
            old.retire();
        }
    }

    /**
     * How many times, since the library was loaded, a worker took a share of a {@link #forRange} loop (one count per
     * worker per loop): a loop whose chunks all ran on the caller counts 0. Lets tests and benchmarks check that work
     * they meant to split really was split.
     */
    public static long handOffs() {
        return HAND_OFFS.get();
    }

    /**
     * Whether {@link #forRange}{@code (n, grain, body)} would offer chunks to other threads: more than one chunk, more
     * than one thread, and not called from inside a worker. When it would not, {@code forRange} just runs
     * {@code body.run(start, end)} for each chunk in order on the calling thread. (It may also run them inline when
     * the team is busy with another caller's loop, which this cannot foresee.) Depends on the thread count, whereas
     * the chunks and the results never do.
     */
    public static boolean splits(int n, int grain) {
        return n > 0 && splits(team, chunks(n, Math.max(1, grain)));
    }

    private static boolean splits(Team t, int chunks) {
        return chunks > 1 && t.threads > 1 && !(Thread.currentThread() instanceof Worker);
    }

    private static int chunks(int n, int grain) {
        return (int) ((n + (long) grain - 1) / grain);
    }

    /**
     * Runs {@code body} over {@code [0, n)} in chunks of {@code grain} (the last may be shorter; a grain below 1
     * counts as 1), in parallel when there is more than one chunk and more than one thread, the team is free and the
     * caller is not a worker; otherwise each chunk in order on the calling thread. Returns when every chunk has run.
     * Allocates nothing itself.
     *
     * @throws RuntimeException or {@link Error}: the first one a chunk threw (a checked exception thrown sneakily by
     *                          a chunk on a worker arrives wrapped in a {@code RuntimeException})
     */
    public static void forRange(int n, int grain, RangeBody body) {
        if (n <= 0) {
            return;
        }
        int g = Math.max(1, grain);
        int chunks = chunks(n, g);
        Team t = team;
        if (splits(t, chunks) && t.run(n, g, chunks, body)) {
            return;
        }
        for (int c = 0; c < chunks; c++) {
            body.run(c * g, Math.min(n, c * g + g));
        }
    }

    /** Whether {@code thread} is one of the threads that run the chunks of split loops (named {@code attention4j-i}). */
    static boolean isWorker(Thread thread) {
        return thread instanceof Worker;
    }

    /** A team's worker thread: takes the loops offered to it, one at a time, and parks in between. */
    private static final class Worker extends Thread {

        static final int IDLE = 0;
        static final int OFFERED = 1;
        static final int RUNNING = 2;

        private final Team team;
        /** IDLE -> OFFERED (by the caller) -> RUNNING (taken by this worker) or back to IDLE (taken back). */
        final AtomicInteger state = new AtomicInteger(IDLE);
        /**
         * Set while this worker is (about to be) parked: only then does an offer need an unpark, a system call that
         * costs tens of microseconds on a shared VM (and can hand the caller's core to the worker). Set before the
         * worker's last look at {@link #state}, read by the caller after its write of {@code state}: both volatile,
         * so an offer is either seen by the worker or followed by an unpark.
         */
        volatile boolean parked;

        void offer() {
            state.set(OFFERED);
            if (parked) {
                LockSupport.unpark(this);
            }
        }

        Worker(Team team, int index) {
            super(WORKER_NAME + index);
            this.team = team;
            setDaemon(true);
        }

        @Override
        public void run() {
            int spins = 0;
            long idleSince = System.nanoTime();
            while (true) {
                int s = state.get();
                if (s == OFFERED && state.compareAndSet(OFFERED, RUNNING)) {
                    HAND_OFFS.incrementAndGet();
                    team.work();
                    state.set(IDLE);
                    team.helperDone();
                    spins = 0;
                    idleSince = System.nanoTime();
                } else if (team.retired) {
                    return; // an offer made after this is taken back by its caller
                } else if (++spins % SPINS_PER_CLOCK_READ != 0 || System.nanoTime() - idleSince < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    parked = true;
                    if (state.get() != OFFERED && !team.retired) { // an offer made before parked was set is seen here
                        LockSupport.park(this);
                    }
                    parked = false;
                    spins = 0;
                    idleSince = System.nanoTime();
                }
            }
        }
    }

    /**
     * The workers and the one loop they run at a time. The loop's fields are written by the caller holding
     * {@link #busy} before it offers the loop (a volatile write each worker reads before it reads them), and are
     * not written again until every worker that took the loop has reported through {@link #pending}.
     */
    private static final class Team {

        final int threads;
        private final Worker[] workers;
        private boolean started;                  // guarded by busy
        private final AtomicBoolean busy = new AtomicBoolean();
        volatile boolean retired;

        private RangeBody body;                   // the loop: body over [0, n) in chunks of grain
        private int n;
        private int grain;
        private int chunks;
        private Thread caller;                    // unparked by the last helper to finish, if parked
        private volatile boolean callerParked;    // as Worker.parked, for the caller waiting in awaitHelpers
        private final AtomicInteger next = new AtomicInteger();    // the next chunk to hand out
        private final AtomicInteger pending = new AtomicInteger(); // offers not yet finished or taken back
        private final AtomicReference<Throwable> failure = new AtomicReference<>();

        Team(int threads) {
            this.threads = threads;
            this.workers = new Worker[threads - 1];
            for (int i = 0; i < workers.length; i++) {
                workers[i] = new Worker(this, i);
            }
        }

        /**
         * Runs the loop with this team's help and returns true, or returns false at once, having run nothing, when
         * the team is busy or retired.
         */
        boolean run(int n, int grain, int chunks, RangeBody body) {
            if (!busy.compareAndSet(false, true)) {
                return false;
            }
            try {
                if (retired) {
                    return false;
                }
                if (!started) {
                    for (Worker w : workers) {
                        w.start();
                    }
                    started = true;
                }
                this.body = body;
                this.n = n;
                this.grain = grain;
                this.chunks = chunks;
                this.caller = Thread.currentThread();
                next.set(0);
                int helpers = Math.min(workers.length, chunks - 1);
                pending.set(helpers);
                for (int i = 0; i < helpers; i++) {
                    workers[i].offer();
                }
                work();
                for (int i = 0; i < helpers; i++) {
                    // an offer no worker took yet: nothing is left to hand out, so take it back rather than wait
                    if (workers[i].state.compareAndSet(Worker.OFFERED, Worker.IDLE)) {
                        pending.decrementAndGet();
                    }
                }
                awaitHelpers();
                this.body = null;
                this.caller = null;
                Throwable f = failure.getAndSet(null);
                if (f instanceof RuntimeException r) {
                    throw r;
                }
                if (f instanceof Error e) {
                    throw e;
                }
                if (f != null) {
                    throw new RuntimeException("a parallel chunk failed", f);
                }
                return true;
            } finally {
                busy.set(false);
            }
        }

        /** Runs chunks until none is left, on the caller or a worker; records the first exception. */
        void work() {
            try {
                for (int c; (c = next.getAndIncrement()) < chunks; ) {
                    body.run(c * grain, Math.min(n, c * grain + grain));
                }
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
                next.set(chunks); // hand out nothing more
            }
        }

        void helperDone() {
            Thread waiting = caller; // read first: once pending is 0 the caller may start its next loop
            if (pending.decrementAndGet() == 0 && callerParked) {
                LockSupport.unpark(waiting);
            }
        }

        private void awaitHelpers() {
            long start = System.nanoTime();
            for (int spins = 1; pending.get() != 0; spins++) {
                if (spins % SPINS_PER_CLOCK_READ != 0 || System.nanoTime() - start < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    callerParked = true;    // then pending is read again: a helper that finished before this unparks
                    if (pending.get() != 0) {
                        LockSupport.park(this); // returns at once while interrupted: then this spins, briefly
                    }
                    callerParked = false;
                }
            }
        }

        /**
         * Ends the workers: each finishes the share it has taken, if any, then ends; later {@link #run} calls return
         * false. Does not wait, so it may be called from anywhere (a chunk included). A loop that offered its chunks
         * just before takes back the offers no worker took, as it always does, so it never waits for an ended worker.
         */
        void retire() {
            retired = true;
            for (Worker w : workers) {
                LockSupport.unpark(w);
            }
        }
    }
}
