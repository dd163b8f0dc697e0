package dev.attention4j.tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * Reuses the large arrays of a repeated piece of work — a training step's activations and gradients — instead of
 * taking fresh heap for them every time, as PyTorch's caching allocator does.
 *
 * <p>Why: a step of the base Transformer allocates hundreds of MB that stay alive until its backward pass. Fresh
 * arrays that big are new pages for the operating system to hand over (and zero), and the garbage collector copies
 * whatever is still alive when it runs mid-step; measured, a quarter to a third of the step went there. With a pool,
 * the second and later steps of the same shapes run on arrays already in hand.
 *
 * <p>How: {@link #open()} starts a scope on the calling thread. While it is open, {@link Tensor#zeros},
 * {@link Tensor#copy}, {@link #zeros(int)} and the outputs of {@link MatMul}'s products on that thread take arrays
 * of at least {@link #MIN_FLOATS} floats (or the pool's own threshold) from the pool when one of exactly the right
 * length is free (zeroed; as they are when the copy or the product overwrites every element), and allocate otherwise;
 * either way the array is lent to the scope. Closing the scope returns everything it lent: the next scope may hand
 * those arrays out again. Arrays the last scope did not take are dropped then, so the pool holds at most what one
 * scope used (plus that scope's own fresh arrays) and work of changing shapes does not make it grow without bound.
 *
 * <p>The contract: <b>no tensor made inside a scope may be used after it closes</b>, unless the scope
 * {@linkplain Scope#keep kept} it — its data may belong to someone else by then. {@code Seq2SeqTrainer} opens one
 * scope per optimizer step around the forward and backward passes and runs the optimizer
 * {@linkplain Scope#runOnHeap on the heap}, so optimizer state is ordinary heap; the encoder at inference runs each
 * layer in a scope of a pool from {@link #borrow}, {@linkplain Scope#keep keeps} the layer's output out of it and
 * {@linkplain #recycle gives it back} once the next layer has read it. What the library keeps beyond a call (weights
 * an attention observer records, kept copies of weights) is made with {@code new float[]}, never through a pool. With
 * {@code -Dattention4j.pool.poison=true} (the test suite sets it) closing a scope fills what it lent with NaN, so a
 * tensor that outlived its scope shows up as NaN rather than as plausible numbers.
 *
 * <p>Other threads never see a pool: kernels splitting work across threads allocate on the heap as before. A pool
 * is used by one thread at a time, and a scope is closed on the thread that opened it.
 */
public final class BufferPool {

    /**
     * Arrays shorter than this (16 KiB) come from the heap, where the JVM hands them out cheaply, unless the system
     * property {@code attention4j.pool.minFloats} says otherwise (the test suite sets 1, so that its small models
     * run every array through the pool).
     */
    public static final int MIN_FLOATS = Math.max(1, Integer.getInteger("attention4j.pool.minFloats", 1 << 12));

    private static final ThreadLocal<BufferPool> ACTIVE = new ThreadLocal<>();
    /** Pools lent to inference loops by {@link #borrow}; at most {@link #SHARED_KEPT} are kept between uses. */
    private static final ConcurrentLinkedDeque<BufferPool> SHARED = new ConcurrentLinkedDeque<>();
    /**
     * Two per processor: one run may hold two at once (a BERT forward borrows one for its embeddings and its encoder
     * another), and with one kept per processor a single-processor JVM handed the encoder a new, empty pool on every
     * call (measured: 92 MB of fresh arrays per 32 x 128 embedding call against 17 MB with two processors).
     */
    private static final int SHARED_KEPT = 2 * Runtime.getRuntime().availableProcessors();
    private static final boolean POISON = Boolean.getBoolean("attention4j.pool.poison");

    /** Free arrays by length; those lent by the open scope are in {@link #lent}. */
    private final Map<Integer, ArrayDeque<float[]>> free = new HashMap<>();
    private final List<float[]> lent = new ArrayList<>();
    private final int minFloats;
    private Scope scope;
    private long reused;
    private long allocated;

    /** The arrays lent by one scope; closing it returns them to the pool. */
    public final class Scope implements AutoCloseable {
        private boolean closed;

        private Scope() {
        }

        /**
         * Runs {@code work} with lending stopped on this thread, so what it allocates is ordinary heap that may
         * outlive the scope (an optimizer creating its state, say); lending resumes afterwards.
         */
        public void runOnHeap(Runnable work) {
            if (closed) {
                throw new IllegalStateException("this scope is closed");
            }
            ACTIVE.remove();
            try {
                work.run();
            } finally {
                ACTIVE.set(BufferPool.this);
            }
        }

        /**
         * Takes {@code t}'s array out of this scope, so that closing the scope neither hands it out again nor
         * poisons it: {@code t} stays valid after the scope closes, its array the caller's from then on. When nothing
         * reads it any more, {@link BufferPool#recycle} gives it back to the pool. An array this scope did not lend
         * (a small one, from the heap) is left as it is.
         *
         * @return {@code t}
         */
        public Tensor keep(Tensor t) {
            java.util.Objects.requireNonNull(t, "t");
            if (closed) {
                throw new IllegalStateException("this scope is closed");
            }
            lent.remove(t.data()); // arrays are equal only to themselves: this takes out that very array, if lent
            return t;
        }

        /** Returns every array this scope lent to the pool; tensors made in it must not be used any more. */
        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            if (ACTIVE.get() == BufferPool.this) {
                ACTIVE.remove();
            }
            free.clear(); // what this scope did not take is dropped (see the class comment)
            for (float[] a : lent) {
                putBack(a);
            }
            lent.clear();
            scope = null;
        }
    }

    /**
     * Gives the pool an array that an earlier scope {@linkplain Scope#keep kept} and that nothing reads any more: the
     * open scope, or the next one, may lend it again (and a scope that does not take it drops it on closing, as it
     * drops every array it did not take). Under {@code attention4j.pool.poison} it is filled with NaN here.
     *
     * @throws IllegalArgumentException if the open scope lends {@code a} (it would be lent twice); keep it first
     */
    public void recycle(float[] a) {
        java.util.Objects.requireNonNull(a, "a");
        if (lent.contains(a)) { // by identity, as arrays compare
            throw new IllegalArgumentException("a: the open scope still lends this array; keep its tensor first");
        }
        if (a.length < minFloats) {
            return; // never lent: take() does not look for arrays this short
        }
        putBack(a);
    }

    /** Makes {@code a} free to lend again, filled with NaN under {@code attention4j.pool.poison}. */
    private void putBack(float[] a) {
        if (POISON) {
            Arrays.fill(a, Float.NaN);
        }
        free.computeIfAbsent(a.length, n -> new ArrayDeque<>()).push(a);
    }

    /** A pool that lends arrays of at least {@link #MIN_FLOATS} floats. */
    public BufferPool() {
        this(MIN_FLOATS);
    }

    /** A pool that lends arrays of at least {@code minFloats} floats ({@code Integer.MAX_VALUE}: none). */
    public BufferPool(int minFloats) {
        if (minFloats < 1) {
            throw new IllegalArgumentException("minFloats: expected >= 1 but got " + minFloats);
        }
        this.minFloats = minFloats;
    }

    /**
     * Starts lending on the calling thread.
     *
     * @throws IllegalStateException if a scope of this pool is still open, or another pool lends on this thread
     */
    public Scope open() {
        if (scope != null) {
            throw new IllegalStateException("a scope of this pool is still open; close it first");
        }
        if (ACTIVE.get() != null) {
            throw new IllegalStateException("another BufferPool is lending on this thread; scopes do not nest");
        }
        scope = new Scope();
        ACTIVE.set(this);
        return scope;
    }

    /**
     * A pool for one run of a loop of repeated work (an encoder's layers at inference, say), from a process-wide set:
     * a run on any thread reuses what an earlier run left in it. Give it back with {@link #giveBack} when the run is
     * done. At most two pools per processor are kept, each holding what its last scope used.
     */
    public static BufferPool borrow() {
        BufferPool pool = SHARED.poll();
        return pool != null ? pool : new BufferPool();
    }

    /** Returns a pool from {@link #borrow} (no scope of it may be open); dropped if enough are kept already. */
    public static void giveBack(BufferPool pool) {
        if (pool.scope != null) {
            throw new IllegalStateException("a scope of this pool is still open; close it before giving it back");
        }
        if (SHARED.size() < SHARED_KEPT) {
            SHARED.push(pool);
        }
    }

    /** Drops the pools {@link #borrow} keeps, so the garbage collector can take their arrays. */
    public static void dropBorrowed() {
        SHARED.clear();
    }

    /** Whether a scope of some pool is open on the calling thread (scopes do not nest, see {@link #open}). */
    public static boolean lendingOnThisThread() {
        return ACTIVE.get() != null;
    }

    /** A zeroed array of {@code n} floats: lent by the calling thread's open scope if there is one, else new. */
    public static float[] zeros(int n) {
        BufferPool pool = ACTIVE.get();
        if (pool == null || n < pool.minFloats) {
            return new float[n];
        }
        float[] a = pool.take(n);
        if (a == null) {
            return pool.lend(new float[n]);
        }
        Arrays.fill(a, 0f);
        return a;
    }

    /**
     * An array of {@code n} floats for a caller that writes every element before reading any (a matrix product's
     * output): lent as it is, without zeroing, by the calling thread's open scope if there is one, else new.
     */
    static float[] forOverwrite(int n) {
        BufferPool pool = ACTIVE.get();
        if (pool == null || n < pool.minFloats) {
            return new float[n];
        }
        float[] a = pool.take(n);
        return a != null ? a : pool.lend(new float[n]);
    }

    /** A copy of {@code src}, in an array lent by the calling thread's open scope if there is one. */
    static float[] copyOf(float[] src) {
        BufferPool pool = ACTIVE.get();
        if (pool == null || src.length < pool.minFloats) {
            return src.clone();
        }
        float[] a = pool.take(src.length);
        if (a == null) {
            return pool.lend(src.clone());
        }
        System.arraycopy(src, 0, a, 0, src.length);
        return a;
    }

    /** How many arrays the pool has handed out again rather than allocating, over its life. */
    public long reusedArrays() {
        return reused;
    }

    /** How many arrays the pool allocated for its scopes, over its life. */
    public long allocatedArrays() {
        return allocated;
    }

    /** The bytes of the free arrays held for the next scope. */
    public long freeBytes() {
        long floats = 0;
        for (ArrayDeque<float[]> q : free.values()) {
            for (float[] a : q) {
                floats += a.length;
            }
        }
        return floats * Float.BYTES;
    }

    private float[] take(int n) {
        ArrayDeque<float[]> q = free.get(n);
        float[] a = q == null ? null : q.poll();
        if (a != null) {
            reused++;
            lent.add(a);
        }
        return a;
    }

    private float[] lend(float[] a) {
        allocated++;
        lent.add(a);
        return a;
    }
}
