package dev.attention4j.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class ParallelTest {

    private static void withThreads(int threads, Runnable body) {
        WithThreads.run(threads, body);
    }

    @Test
    void forRangeCoversEveryIndexExactlyOnceInChunksCutFromNAndGrainOnly() {
        int[] ns = {0, 1, 2, 3, 7, 16, 64, 100, 1000, 1023};
        int[] grains = {-1, 0, 1, 2, 3, 7, 64, 5000};
        for (int threads : new int[] {1, 2, 3}) {
            withThreads(threads, () -> {
                for (int n : ns) {
                    for (int grain : grains) {
                        String what = threads + " threads, n=" + n + ", grain=" + grain;
                        AtomicIntegerArray hits = new AtomicIntegerArray(Math.max(n, 1));
                        ConcurrentLinkedQueue<int[]> chunks = new ConcurrentLinkedQueue<>();
                        Parallel.forRange(n, grain, (start, end) -> {
                            chunks.add(new int[] {start, end});
                            for (int i = start; i < end; i++) {
                                hits.incrementAndGet(i);
                            }
                        });
                        for (int i = 0; i < n; i++) {
                            assertEquals(1, hits.get(i), what + ": index " + i);
                        }
                        int g = Math.max(1, grain);
                        assertEquals(n == 0 ? 0 : (n + g - 1) / g, chunks.size(), what + ": chunk count");
                        for (int[] c : chunks) {
                            assertEquals(0, c[0] % g, what + ": chunk start " + c[0]);
                            assertEquals(Math.min(n, c[0] + g), c[1], what + ": chunk end for start " + c[0]);
                        }
                    }
                }
            });
        }
    }

    @Test
    void nestedForRangeRunsInlineInTheWorkerWithoutDeadlock() {
        withThreads(2, () -> assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            int outer = 16;
            int inner = 100;
            AtomicIntegerArray hits = new AtomicIntegerArray(outer * inner);
            ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
            Parallel.forRange(outer, 1, (s, e) -> {
                for (int o = s; o < e; o++) {
                    int row = o;
                    Thread outerThread = Thread.currentThread();
                    Parallel.forRange(inner, 7, (is, ie) -> {
                        if (Thread.currentThread() != outerThread
                                && outerThread.getName().startsWith("attention4j-")) {
                            errors.add("nested chunk of row " + row + " left worker " + outerThread.getName()
                                    + " for " + Thread.currentThread().getName());
                        }
                        for (int i = is; i < ie; i++) {
                            hits.incrementAndGet(row * inner + i);
                        }
                    });
                }
            });
            assertTrue(errors.isEmpty(), String.join("\n", errors));
            for (int i = 0; i < outer * inner; i++) {
                assertEquals(1, hits.get(i), "index " + i);
            }
        }));
    }

    /** What allocation-free callers rely on: when splits says no, forRange runs every chunk on the calling thread. */
    @Test
    void splitsSaysWhetherForRangeHandsChunksToOtherThreads() {
        withThreads(2, () -> {
            assertFalse(Parallel.splits(0, 1), "nothing to do");
            assertFalse(Parallel.splits(5, 5), "one chunk");
            assertFalse(Parallel.splits(5, 8), "one short chunk");
            assertTrue(Parallel.splits(6, 5), "two chunks, two threads");
            assertTrue(Parallel.splits(2, 0), "grain below 1 counts as 1");
            ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
            Parallel.forRange(4, 1, (s, e) -> {
                if (Thread.currentThread().getName().startsWith("attention4j-") && Parallel.splits(100, 1)) {
                    errors.add("a worker would split nested work");
                }
            });
            assertTrue(errors.isEmpty(), String.join("\n", errors));
            Thread caller = Thread.currentThread();
            Parallel.forRange(5, 8, (s, e) -> {
                if (Thread.currentThread() != caller) {
                    errors.add("a chunk that splits() keeps on the caller ran on " + Thread.currentThread().getName());
                }
            });
            assertTrue(errors.isEmpty(), String.join("\n", errors));
        });
        withThreads(1, () -> assertFalse(Parallel.splits(100, 1), "one thread"));
    }

    @Test
    void setThreadsRejectsLessThanOneWithAMessage() {
        int before = Parallel.threads();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Parallel.setThreads(0));
        assertTrue(e.getMessage().contains("threads") && e.getMessage().contains(">= 1")
                && e.getMessage().contains("0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Parallel.setThreads(-3));
        assertEquals(before, Parallel.threads(), "a rejected call changes nothing");
    }

    /** The active kernels' matmuls split by rows through Parallel: the same bits at 1 and 2 threads. */
    @Test
    void rowSplitMatmulsGiveIdenticalBitsAtOneAndTwoThreads() {
        Kernels k = Kernels.active();
        Random rnd = new Random(31);
        int m = 53;
        int n = 37;
        int kk = 71;
        float[] a = new float[m * kk];
        float[] b = new float[kk * n];
        float[] bt = new float[n * kk];
        for (int i = 0; i < a.length; i++) {
            a[i] = rnd.nextFloat() * 2f - 1f;
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = rnd.nextFloat() * 2f - 1f;
            bt[i] = rnd.nextFloat() * 2f - 1f;
        }
        List<float[]> results = new ArrayList<>();
        for (int threads : new int[] {1, 2}) {
            withThreads(threads, () -> {
                float[] c = new float[2 * m * n];
                Parallel.forRange(m, 3, (s, e) -> {
                    k.matmul(c, s * n, n, a, s * kk, kk, b, 0, n, e - s, n, kk);
                    k.matmulTransB(c, m * n + s * n, n, a, s * kk, kk, bt, 0, kk, e - s, n, kk);
                });
                results.add(c);
            });
        }
        float[] whole = new float[2 * m * n];
        k.matmul(whole, 0, n, a, 0, kk, b, 0, n, m, n, kk);
        k.matmulTransB(whole, m * n, n, a, 0, kk, bt, 0, kk, m, n, kk);
        assertBitsEqual(k.name() + ": 1 thread vs 2 threads", results.get(0), results.get(1));
        assertBitsEqual(k.name() + ": split vs one call", whole, results.get(0));
    }

    @Test
    void anExceptionFromAChunkOnAWorkerReachesTheCallerAndTheTeamStaysUsable() {
        withThreads(2, () -> assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            Thread caller = Thread.currentThread();
            IllegalStateException e = assertThrows(IllegalStateException.class, () ->
                    Parallel.forRange(200, 1, (s, end) -> {
                        if (Thread.currentThread() != caller) {
                            throw new IllegalStateException("chunk " + s + " failed on a worker");
                        }
                        sleepMillis(1); // leave chunks for the worker
                    }));
            assertTrue(e.getMessage().endsWith("failed on a worker"), e.getMessage());
            IllegalArgumentException own = assertThrows(IllegalArgumentException.class, () ->
                    Parallel.forRange(200, 1, (s, end) -> {
                        if (Thread.currentThread() == caller) {
                            throw new IllegalArgumentException("chunk " + s + " failed on the caller");
                        }
                        sleepMillis(1); // leave chunks for the caller
                    }));
            assertTrue(own.getMessage().endsWith("failed on the caller"), own.getMessage());
            AtomicIntegerArray hits = new AtomicIntegerArray(500);
            Parallel.forRange(500, 3, (s, end) -> {
                for (int i = s; i < end; i++) {
                    hits.incrementAndGet(i);
                }
            });
            for (int i = 0; i < 500; i++) {
                assertEquals(1, hits.get(i), "after the failures, index " + i);
            }
        }));
    }

    private static void sleepMillis(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** setThreads from inside a split loop swaps the team without waiting for the loop that runs on the old one. */
    @Test
    void setThreadsFromInsideALoopDoesNotDeadlock() {
        withThreads(2, () -> assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            Thread caller = Thread.currentThread();
            AtomicIntegerArray hits = new AtomicIntegerArray(64);
            java.util.concurrent.atomic.AtomicBoolean swapped = new java.util.concurrent.atomic.AtomicBoolean();
            Parallel.forRange(64, 1, (s, e) -> {
                if (Thread.currentThread() == caller && swapped.compareAndSet(false, true)) {
                    Parallel.setThreads(3);
                } else if (Thread.currentThread() != caller) {
                    sleepMillis(1); // leave chunks for the caller
                }
                hits.incrementAndGet(s);
            });
            assertTrue(swapped.get(), "the caller ran a chunk and swapped the team");
            for (int i = 0; i < 64; i++) {
                assertEquals(1, hits.get(i), "index " + i);
            }
            assertEquals(3, Parallel.threads());
        }));
    }

    /** Several user threads share one team: whoever finds it busy runs inline; nobody waits for anybody. */
    @Test
    void concurrentCallersEachCoverTheirRangeWithoutDeadlock() throws InterruptedException {
        int callers = 4;
        int loops = 300;
        int n = 1000;
        AtomicIntegerArray hits = new AtomicIntegerArray(callers * n);
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        withThreads(2, () -> assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            List<Thread> threads = new ArrayList<>();
            for (int c = 0; c < callers; c++) {
                int base = c * n;
                Thread t = new Thread(() -> {
                    try {
                        for (int l = 0; l < loops; l++) {
                            Parallel.forRange(n, 7, (s, e) -> {
                                for (int i = s; i < e; i++) {
                                    hits.incrementAndGet(base + i);
                                }
                            });
                        }
                    } catch (Throwable e) {
                        errors.add(e);
                    }
                }, "caller-" + c);
                threads.add(t);
                t.start();
            }
            for (Thread t : threads) {
                t.join();
            }
        }));
        assertTrue(errors.isEmpty(), errors.toString());
        for (int i = 0; i < callers * n; i++) {
            assertEquals(loops, hits.get(i), "index " + i);
        }
    }

    /** A loop body kept by the caller and refilled per call, as the allocation-free call sites keep theirs. */
    private static final class Squares implements Parallel.RangeBody {
        float[] in;
        float[] out;

        @Override
        public void run(int start, int end) {
            for (int i = start; i < end; i++) {
                out[i] = in[i] * in[i];
            }
        }
    }

    /**
     * The hand-off itself allocates nothing: split loops on a body the caller keeps, counted on the calling thread
     * and the workers, reach 0 bytes once compiled (repeated until 5 measurements in a row are 0, as in
     * AllocationFreeDecodingTest), and the workers did take chunks.
     */
    @Test
    void aSplitLoopOnAKeptBodyAllocatesNothing() {
        AllocationCounter counter = new AllocationCounter();
        Squares body = new Squares();
        body.in = new float[4096];
        body.out = new float[4096];
        for (int i = 0; i < body.in.length; i++) {
            body.in[i] = i;
        }
        withThreads(2, () -> {
            long handOffsBefore = Parallel.handOffs();
            int zeroRuns = 0;
            long last = -1;
            // until five runs in a row allocated nothing and a worker has taken chunks: the team's workers start at
            // its first split, and on a busy machine the first runs may end before one is running
            for (int run = 0; run < 2000 && (zeroRuns < 5 || Parallel.handOffs() == handOffsBefore); run++) {
                counter.start();
                for (int l = 0; l < 100; l++) {
                    Parallel.forRange(body.in.length, 256, body);
                }
                long bytes = counter.stop();
                last = bytes;
                zeroRuns = bytes == 0 ? zeroRuns + 1 : 0;
            }
            assertEquals(5, zeroRuns, "runs of 100 split loops in a row that allocated nothing (the last: " + last
                    + " bytes)");
            assertTrue(Parallel.handOffs() > handOffsBefore, "the workers took chunks");
            for (int i = 0; i < body.in.length; i++) {
                assertEquals((float) i * i, body.out[i], "index " + i);
            }
        });
    }

    private static void assertBitsEqual(String what, float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                fail(what + ": index " + i + ": " + expected[i] + " vs " + actual[i]);
            }
        }
        assertArrayEquals(expected, actual);
    }
}
