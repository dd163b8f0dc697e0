package dev.attention4j.autograd;

import dev.attention4j.autograd.AttentionOp.Dims;
import dev.attention4j.autograd.AttentionOp.Operand;
import dev.attention4j.kernels.Kernels;
import dev.attention4j.kernels.Parallel;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Tiled ("flash") attention: {@link AttentionOp}'s forward, backward and weights without ever holding a
 * {@code (tgtLen, srcLen)} block. For each sequence {@code b}, head {@code h} and tile of {@value #QUERY_TILE} queries,
 * the keys are visited in tiles of {@value #KEY_TILE}; each key tile's scores are computed, masked, folded into a
 * running max {@code m_i} and sum {@code l_i} per query (the online softmax: when the max grows by {@code delta},
 * the sum and the output so far are multiplied by {@code exp(-delta)}), and their {@code exp(S - m)} times the tile's
 * values added to the output tile. At the end {@code O_i = acc_i / l_i} and only {@code lse_i = m_i + log l_i} is
 * kept ({@code -inf} for a query that sees no key: its output stays 0, as in the materialising path).
 *
 * <p>Layout: a tile's scores are held transposed, {@code (keys, queries)}, so every per-query quantity (max, sum,
 * lse, the backward's {@code dO_i . O_i}) is a vector across the tile's columns: no step sums across lanes
 * ({@link Kernels#maxColumns}, {@link Kernels#expColumnsSum}, {@link Kernels#softmaxBackwardColumns}). The queries
 * are scaled and transposed once per query tile ({@code Qs^T (headDim, queries)}), the keys are read as rows, so
 * {@code S^T = K_tile Qs^T} is one {@link Kernels#tileMatmul}; {@code acc += P V_tile} reads {@code P} transposed at
 * no cost (A by broadcasts). The forward reads keys and values from a contiguous copy of the head's rows, made once
 * per thread and head, unless heads are one or two query tiles (sentences), when the copy would serve one or two
 * tasks and they are read in place ({@link #IN_PLACE_TILES}); the backward and the weights read the keys in place
 * (the same score bits either way).
 *
 * <p>Masks: a {@link ScoreMask#isBand() band} mask (none, causal, sliding window, prefix key padding) gives each
 * query a visible key range; key tiles outside every query's range of the tile are skipped entirely (causal:
 * about half the work, a window of {@code w}: {@code O(n w)}), tiles inside it are not masked at all, and only the
 * tiles the range cuts get {@code -inf} outside it. Any other mask is applied once per query tile to a
 * {@code (queries, srcLen)} scratch row block (O(n) per thread), added to each tile's scores, and its visible range
 * read off for the same skipping.
 *
 * <p>Backward (FlashAttention-2 style), per head, recomputes every tile's {@code P = exp(S - lse)} from the same
 * {@code S} bits (the same kernel call on the same packed tiles), then {@code dP^T = V_tile dO^T},
 * {@code dS = P (dP - rowDot)} with {@code rowDot_i = dO_i . O_i}, {@code dV += P^T dO}, {@code dK += dS^T Qs},
 * {@code dQ += dS (scale K)}; query tiles outer, key tiles inner, so every gradient element is one chain in a fixed
 * order.
 *
 * <p>Parallelism and determinism: the forward and the weights run in parallel over (sequence, head, query tile),
 * backward over (sequence, head), or, with fewer of those than threads, in two passes (see {@link #backward}); each
 * task writes only its own rows, the tiles are cut from the sizes alone, and every kernel computes an element by the
 * same operations wherever it sits, so results are bit-identical at any thread count. Scratch: one set of tiles per
 * thread (about {@code 100 KiB} at headDim 64; plus {@code 4 * (headDim + valueHeadDim) * srcLen} bytes for the
 * forward's packed keys and values, whose keys' part the backward reuses for its scaled keys, as many again for
 * the one-pass backward's {@code dK, dV} rows of a head, and {@code 4 * QUERY_TILE * srcLen} for a mask that is not
 * a band), kept by the thread between calls.
 */
final class TiledAttention {

    /** Queries per tile: the columns of the transposed score tile, 4 vectors of 16 lanes. */
    static final int QUERY_TILE = 64;
    /** Keys per tile: the rows of the transposed score tile, a multiple of the 6-row register block. */
    static final int KEY_TILE = 96;

    private static final ThreadLocal<Tiles> TILES = ThreadLocal.withInitial(Tiles::new);
    /** Numbers the forward and backward calls, so that a thread knows whether its packed rows belong to this one. */
    private static final AtomicLong CALLS = new AtomicLong();

    private TiledAttention() {
    }

    /** One call's operands and rules. */
    record Problem(Operand query, Operand key, Operand value, Dims dims, float scale, ScoreMask mask) {

        int queryTiles() {
            return (dims.tgtLen() + QUERY_TILE - 1) / QUERY_TILE;
        }
    }

    /** Per-thread tiles, grown on demand (shape comments give the size in use). */
    private static final class Tiles {
        float[] queryT = new float[0];  // (headDim, QUERY_TILE): the query tile scaled, transposed
        float[] query = new float[0];   // (QUERY_TILE, headDim): the query tile scaled (backward)
        float[] dOutT = new float[0];   // (valueHeadDim, QUERY_TILE): dO tile transposed (backward)
        float[] dOut = new float[0];    // (QUERY_TILE, valueHeadDim): dO tile (backward)
        float[] dQuery = new float[0];  // (QUERY_TILE, headDim): the query tile's dQ, accumulated (backward)
        float[] dKeyRows = new float[0];   // (srcLen, headDim): the head's dK, accumulated (one-pass backward)
        float[] dValueRows = new float[0]; // (srcLen, valueHeadDim): the head's dV, accumulated (one-pass backward)
        float[] packedKey = new float[0];   // (srcLen, headDim): the head's keys (forward), or scaled (backward)
        float[] packedValue = new float[0]; // (srcLen, valueHeadDim): the head's values, contiguous (forward)
        long packedCall = -1;           // the call and (sequence, head) the packed rows belong to
        int packedBh = -1;
        int packedFrom;                 // the packed rows [packedFrom, packedTo)
        int packedTo;
        float[] acc = new float[0];     // (QUERY_TILE, valueHeadDim): the output tile's running sum (forward)
        final float[] scores = new float[KEY_TILE * QUERY_TILE];  // (KEY_TILE, QUERY_TILE): S^T, then P^T
        final float[] dScores = new float[KEY_TILE * QUERY_TILE]; // (KEY_TILE, QUERY_TILE): dP^T, then dS^T
        final float[] max = new float[QUERY_TILE];     // running max per query
        final float[] newMax = new float[QUERY_TILE];
        final float[] sum = new float[QUERY_TILE];     // running sum per query
        final float[] shift = new float[QUERY_TILE];   // the max (or lse) subtracted; +inf for "sees nothing"
        final float[] rowDot = new float[QUERY_TILE];  // dO_i . O_i (backward)
        final int[] from = new int[QUERY_TILE];        // each query's visible key range [from, to)
        final int[] to = new int[QUERY_TILE];
        float[] maskRows = new float[0]; // (QUERY_TILE, srcLen): a non-band mask's rows, 0 or -inf or additive
        int keyFrom;                     // the tile's key range: the union of its queries' ranges
        int keyTo;

        void ensure(int headDim, int valueHeadDim) {
            if (queryT.length < headDim * QUERY_TILE) {
                queryT = new float[headDim * QUERY_TILE];
                query = new float[headDim * QUERY_TILE];
                dQuery = new float[headDim * QUERY_TILE];
            }
            if (dOut.length < valueHeadDim * QUERY_TILE) {
                dOutT = new float[valueHeadDim * QUERY_TILE];
                dOut = new float[valueHeadDim * QUERY_TILE];
                acc = new float[valueHeadDim * QUERY_TILE];
            }
        }
    }

    /**
     * The forward: writes every output row through {@code out} (0 for a query that sees no key) and each query's
     * log-sum-exp into {@code logSumExp} ({@code (batchSize, numHeads, tgtLen)}), unless it is null. {@code out}
     * may be {@code p.query()} itself: a task reads its query tile once, before its first key tile, and writes the
     * same rows and columns of its head only after its last one.
     */
    static void forward(Operand out, float[] logSumExp, Problem p) {
        Kernels k = Kernels.active();
        int tiles = p.queryTiles();
        long call = CALLS.incrementAndGet();
        Parallel.forRange(p.dims().batchSize() * p.dims().numHeads() * tiles, tasksPerChunk(p), (start, end) -> {
            Tiles t = TILES.get();
            t.ensure(p.dims().headDim(), p.dims().valueHeadDim());
            for (int task = start; task < end; task++) {
                forwardTile(k, t, out, logSumExp, p, call, task / tiles, task % tiles);
            }
        });
    }

    /**
     * Below this many multiply-adds (scores and values together) a forward runs on the calling thread, as a
     * {@code MatMul} product does: a sentence of 16 tokens has 12 heads of 16 x 16 x (32 + 32), about 0.2 M, which
     * costs less than handing half of it to another thread.
     */
    static final long MIN_PARALLEL_WORK = 1 << 20;

    /**
     * Tasks (query tiles of a head) per chunk of the forward: all of them when the whole forward is small, else one.
     * Each task computes its rows alone, so the chunking changes no bits.
     */
    private static int tasksPerChunk(Problem p) {
        Dims d = p.dims();
        long work = (long) d.batchSize() * d.numHeads() * d.tgtLen() * d.srcLen()
                * ((long) d.headDim() + d.valueHeadDim());
        return work < MIN_PARALLEL_WORK ? Integer.MAX_VALUE : 1;
    }

    /**
     * Heads of at most this many query tiles read their keys and values in place in the forward rather than from the
     * thread's packed copy: a copy serves the tiles of its head that run on its thread, and with one or two tiles
     * (sentences, BERT's 128 tokens) it serves one or two, often on different threads. Measured, pinned, 12 heads of
     * 32 dims: 64 x 29 tokens -20% with keys and values in place, 4 x 128 -10%, 1 x 128 even on one thread and -4-7%
     * on two, 1 x 256 even, 1 x 512 +7-10% (its copy serves eight tiles; rows {@code 3 * modelDim} apart share a
     * few L1 sets).
     */
    static final int IN_PLACE_TILES = 2;

    private static void forwardTile(Kernels k, Tiles t, Operand out, float[] logSumExp, Problem p, long call, int bh,
                                    int tile) {
        Dims d = p.dims();
        int b = bh / d.numHeads();
        int h = bh % d.numHeads();
        int i0 = tile * QUERY_TILE;
        int rows = Math.min(QUERY_TILE, d.tgtLen() - i0);
        int dv = d.valueHeadDim();
        int width = paddedWidth(rows);
        boolean general = visibleKeys(t, p, b, h, i0, rows);
        Arrays.fill(t.max, 0, width, Float.NEGATIVE_INFINITY);
        Arrays.fill(t.sum, 0, width, 0f);
        Arrays.fill(t.acc, 0, rows * dv, 0f);
        packQueryTransposed(t, p, b, h, i0, rows);
        // keys and values: from the thread's packed rows, or, for heads of at most IN_PLACE_TILES query tiles, where
        // they lie (see IN_PLACE_TILES)
        Operand key = p.key();
        Operand value = p.value();
        boolean inPlace = p.queryTiles() <= IN_PLACE_TILES;
        if (!inPlace) {
            pack(t, p, Packing.KEYS_AND_VALUES, call, bh, t.keyFrom, t.keyTo); // may grow the packed arrays
        }
        float[] keys = inPlace ? key.data() : t.packedKey;
        float[] values = inPlace ? value.data() : t.packedValue;
        int keyStride = inPlace ? key.rowStride() : d.headDim();
        int valueStride = inPlace ? value.rowStride() : dv;
        int key0 = inPlace ? key.at(b, h) : 0;
        int value0 = inPlace ? value.at(b, h) : 0;
        for (int j0 = t.keyFrom; j0 < t.keyTo; j0 += KEY_TILE) {
            int cols = Math.min(KEY_TILE, t.keyTo - j0);
            scores(k, t, p, keys, key0 + j0 * keyStride, keyStride, j0, cols, rows, general);
            // the online softmax: the new max, the old sums and outputs rescaled, then P^T = exp(S^T - max)
            System.arraycopy(t.max, 0, t.newMax, 0, width);
            k.maxColumns(t.newMax, t.scores, 0, QUERY_TILE, cols, width);
            for (int r = 0; r < width; r++) {
                float old = t.max[r];
                float now = t.newMax[r];
                t.shift[r] = now == Float.NEGATIVE_INFINITY ? Float.POSITIVE_INFINITY : now;
                if (old != now && old != Float.NEGATIVE_INFINITY && r < rows) {
                    float alpha = (float) Math.exp(old - (double) now);
                    t.sum[r] *= alpha;
                    k.scale(t.acc, r * dv, t.acc, r * dv, alpha, dv);
                }
                t.max[r] = now;
            }
            k.expColumnsSum(t.scores, 0, QUERY_TILE, t.shift, t.sum, cols, width);
            // acc (rows, valueHeadDim) += P V_tile, V_tile (cols, valueHeadDim): each element one chain over the keys
            // in order, wherever the rows are read from
            k.tileMatmulAdd(t.acc, 0, dv, t.scores, 0, 1, QUERY_TILE, values, value0 + j0 * valueStride, valueStride,
                    rows, dv, cols);
        }
        int o = out.at(b, h) + i0 * out.rowStride();
        for (int r = 0; r < rows; r++) {
            float sum = t.sum[r];
            // a query that sees no key has a sum of exactly 0 (every exponential 0); a NaN score makes the sum NaN,
            // which must reach the output as in the materialising path, not be taken for "sees nothing"
            boolean sees = sum != 0f;
            if (sees) {
                k.scale(out.data(), o + r * out.rowStride(), t.acc, r * dv, 1f / sum, dv);
            } else { // sees no key: 0, as in the materialising path (the row may hold the queries, see forward)
                Arrays.fill(out.data(), o + r * out.rowStride(), o + r * out.rowStride() + dv, 0f);
            }
            if (logSumExp != null) {
                logSumExp[bh * d.tgtLen() + i0 + r] = sees
                        ? (float) (t.max[r] + Math.log(sum)) : Float.NEGATIVE_INFINITY;
            }
        }
    }

    /**
     * The weights of the chosen heads, recomputed from the log-sum-exp:
     * {@code weights (batchSize, heads.length, tgtLen, srcLen)}, zero-filled by the caller, gets
     * {@code exp(S - lse)} wherever a query sees a key.
     */
    static void weights(float[] weights, int[] heads, float[] logSumExp, Problem p) {
        Kernels k = Kernels.active();
        Dims d = p.dims();
        int tiles = p.queryTiles();
        int tgtLen = d.tgtLen();
        int srcLen = d.srcLen();
        Parallel.forRange(d.batchSize() * heads.length * tiles, 1, (start, end) -> {
            Tiles t = TILES.get();
            t.ensure(d.headDim(), d.valueHeadDim());
            for (int task = start; task < end; task++) {
                int tile = task % tiles;
                int bk = task / tiles;        // b * heads.length + k
                int b = bk / heads.length;
                int h = heads[bk % heads.length];
                int i0 = tile * QUERY_TILE;
                int rows = Math.min(QUERY_TILE, tgtLen - i0);
                boolean general = visibleKeys(t, p, b, h, i0, rows);
                packQueryTransposed(t, p, b, h, i0, rows);
                lseShift(t, logSumExp, (b * d.numHeads() + h) * tgtLen + i0, rows);
                for (int j0 = t.keyFrom; j0 < t.keyTo; j0 += KEY_TILE) {
                    int cols = Math.min(KEY_TILE, t.keyTo - j0);
                    scores(k, t, p, p.key().data(), p.key().at(b, h) + j0 * p.key().rowStride(),
                            p.key().rowStride(), j0, cols, rows, general);
                    k.expColumns(t.scores, 0, QUERY_TILE, t.shift, cols, paddedWidth(rows));
                    for (int r = 0; r < rows; r++) {
                        int w = (bk * tgtLen + i0 + r) * srcLen + j0;
                        for (int c = 0; c < cols; c++) {
                            weights[w + c] = t.scores[c * QUERY_TILE + r];
                        }
                    }
                }
            }
        });
    }

    /**
     * The backward from {@code dO}: adds to {@code dQ, dK, dV} (zeroed by the caller). With at least as many
     * (sequence, head) pairs as threads, one pass per pair: query tiles in order, key tiles in order, all three
     * gradients at once (five tile products per tile pair). With fewer (one long sequence and head, say), two
     * passes that keep every thread busy without racing: {@code dQ} in parallel over (pair, query tile), then
     * {@code dK, dV} in parallel over (pair, range of {@value #KEY_RANGE} keys), each range visiting the query tiles
     * in order (seven products per tile pair, as {@code S} and {@code dP} are recomputed in both). Every gradient
     * element is the same chain of operations in both schedules (a {@code dQ} row over the keys in order, a
     * {@code dK, dV} row over the queries in order, each score recomputed by the same kernel), so the bits do not
     * depend on which one runs, nor on the thread count.
     */
    static void backward(Operand dQ, Operand dK, Operand dV, Operand dOut, Operand out, float[] logSumExp,
                         Problem p) {
        Dims d = p.dims();
        int pairs = d.batchSize() * d.numHeads();
        long call = CALLS.incrementAndGet();
        if (pairs >= Parallel.threads()) {
            backwardByPair(dQ, dK, dV, dOut, out, logSumExp, p, call);
        } else {
            backwardInTwoPasses(dQ, dK, dV, dOut, out, logSumExp, p, call);
        }
    }

    /** Keys per task of the {@code dK, dV} pass of {@link #backwardInTwoPasses}: 4 key tiles. */
    static final int KEY_RANGE = 4 * KEY_TILE;

    /**
     * The one-pass schedule of {@link #backward}: one task per (sequence, head), which owns that head's {@code dK, dV}
     * rows and accumulates them in the thread's contiguous rows, added to {@code dK, dV} at the end. In place, in
     * packed projections, a key tile's gradient rows lie {@code 3 * modelDim} floats apart, a stride that maps them
     * to a few L1 sets, and every tile pair loaded and stored them again (one thread, bench attention causal
     * forward + backward at n = 4096, with the query tile's {@code dQ} accumulated the same way: CPU time 938 -> 921,
     * 923 -> 903, 958 -> 931 ms, alternating runs). Each chain starts from 0 either way and the caller zeroes the
     * gradients, so the bits are the same.
     */
    static void backwardByPair(Operand dQ, Operand dK, Operand dV, Operand dOut, Operand out, float[] logSumExp,
                               Problem p, long call) {
        Kernels k = Kernels.active();
        Dims d = p.dims();
        Parallel.forRange(d.batchSize() * d.numHeads(), 1, (start, end) -> {
            Tiles t = TILES.get();
            t.ensure(d.headDim(), d.valueHeadDim());
            int srcLen = d.srcLen();
            int dk = d.headDim();
            int dv = d.valueHeadDim();
            if (t.dKeyRows.length < srcLen * dk) {
                t.dKeyRows = new float[srcLen * dk];
            }
            if (t.dValueRows.length < srcLen * dv) {
                t.dValueRows = new float[srcLen * dv];
            }
            Operand dKRows = new Operand(t.dKeyRows, 0, 0, 0, dk);   // every head at 0, rows contiguous
            Operand dVRows = new Operand(t.dValueRows, 0, 0, 0, dv);
            for (int bh = start; bh < end; bh++) {
                Arrays.fill(t.dKeyRows, 0, srcLen * dk, 0f);
                Arrays.fill(t.dValueRows, 0, srcLen * dv, 0f);
                for (int tile = 0; tile < p.queryTiles(); tile++) {
                    backwardTile(k, t, dQ, dKRows, dVRows, dOut, out, logSumExp, p, call, bh, tile, 0, srcLen);
                }
                // dK, dV rows += the head's chains (each started from 0: they are zeroed, so the same bits)
                int b = bh / d.numHeads();
                int h = bh % d.numHeads();
                for (int j = 0; j < srcLen; j++) {
                    int kr = dK.at(b, h) + j * dK.rowStride();
                    k.add(dK.data(), kr, dK.data(), kr, t.dKeyRows, j * dk, dk);
                    int vr = dV.at(b, h) + j * dV.rowStride();
                    k.add(dV.data(), vr, dV.data(), vr, t.dValueRows, j * dv, dv);
                }
            }
        });
    }

    /** The two-pass schedule of {@link #backward}: {@code dQ} by query tile, then {@code dK, dV} by key range. */
    static void backwardInTwoPasses(Operand dQ, Operand dK, Operand dV, Operand dOut, Operand out,
                                    float[] logSumExp, Problem p, long call) {
        Kernels k = Kernels.active();
        Dims d = p.dims();
        int tiles = p.queryTiles();
        Parallel.forRange(d.batchSize() * d.numHeads() * tiles, 1, (start, end) -> {
            Tiles t = TILES.get();
            t.ensure(d.headDim(), d.valueHeadDim());
            for (int task = start; task < end; task++) {
                backwardTile(k, t, dQ, null, null, dOut, out, logSumExp, p, call, task / tiles, task % tiles, 0,
                        d.srcLen());
            }
        });
        int ranges = (d.srcLen() + KEY_RANGE - 1) / KEY_RANGE;
        Parallel.forRange(d.batchSize() * d.numHeads() * ranges, 1, (start, end) -> {
            Tiles t = TILES.get();
            t.ensure(d.headDim(), d.valueHeadDim());
            for (int task = start; task < end; task++) {
                int from = task % ranges * KEY_RANGE;
                for (int tile = 0; tile < tiles; tile++) {
                    backwardTile(k, t, null, dK, dV, dOut, out, logSumExp, p, call, task / ranges, tile, from,
                            Math.min(d.srcLen(), from + KEY_RANGE));
                }
            }
        });
    }

    /**
     * One query tile's part of the backward over keys {@code [keyLo, keyHi)}: adds to {@code dQ} unless it is null,
     * and to {@code dK, dV} unless they are null (the two-pass schedule computes them in separate passes).
     */
    private static void backwardTile(Kernels k, Tiles t, Operand dQ, Operand dK, Operand dV, Operand dOut,
                                     Operand out, float[] logSumExp, Problem p, long call, int bh, int tile,
                                     int keyLo, int keyHi) {
        Dims d = p.dims();
        int b = bh / d.numHeads();
        int h = bh % d.numHeads();
        int i0 = tile * QUERY_TILE;
        int rows = Math.min(QUERY_TILE, d.tgtLen() - i0);
        int dk = d.headDim();
        int dv = d.valueHeadDim();
        boolean general = visibleKeys(t, p, b, h, i0, rows);
        int keyFrom = Math.max(t.keyFrom, keyLo);
        int keyTo = Math.min(t.keyTo, keyHi);
        if (keyFrom >= keyTo) {
            return; // no query of the tile sees a key of the range: no gradient flows
        }
        int width = paddedWidth(rows);
        packQueryTransposed(t, p, b, h, i0, rows);
        Operand q = p.query();
        Operand key = p.key();
        Operand v = p.value();
        float scale = p.scale();
        int dO0 = dOut.at(b, h) + i0 * dOut.rowStride();
        int o0 = out.at(b, h) + i0 * out.rowStride();
        int q0 = q.at(b, h) + i0 * q.rowStride();
        for (int r = 0; r < rows; r++) {
            k.scale(t.query, r * dk, q.data(), q0 + r * q.rowStride(), scale, dk);      // (rows, headDim)
            System.arraycopy(dOut.data(), dO0 + r * dOut.rowStride(), t.dOut, r * dv, dv); // (rows, valueHeadDim)
            t.rowDot[r] = k.dot(t.dOut, r * dv, out.data(), o0 + r * out.rowStride(), dv);
        }
        for (int c = 0; c < dv; c++) { // (valueHeadDim, rows): a dim of every query per step, contiguous stores
            int outT = c * QUERY_TILE;
            for (int r = 0; r < rows; r++) {
                t.dOutT[outT + r] = t.dOut[r * dv + c];
            }
        }
        for (int c = 0; c < dv; c++) {
            Arrays.fill(t.dOutT, c * QUERY_TILE + rows, c * QUERY_TILE + width, 0f);
        }
        Arrays.fill(t.rowDot, rows, width, 0f);
        lseShift(t, logSumExp, bh * d.tgtLen() + i0, rows);
        if (dQ != null) {
            pack(t, p, Packing.SCALED_KEYS, call, bh, keyFrom, keyTo);
            Arrays.fill(t.dQuery, 0, rows * dk, 0f);
        }
        for (int j0 = keyFrom; j0 < keyTo; j0 += KEY_TILE) {
            int cols = Math.min(KEY_TILE, keyTo - j0);
            scores(k, t, p, key.data(), key.at(b, h) + j0 * key.rowStride(), key.rowStride(), j0, cols, rows,
                    general);
            k.expColumns(t.scores, 0, QUERY_TILE, t.shift, cols, width);                    // P^T (cols, width)
            // dP^T = V_tile dO^T   (cols, width)
            k.tileMatmul(t.dScores, 0, QUERY_TILE, v.data(), v.at(b, h) + j0 * v.rowStride(), v.rowStride(), 1,
                    t.dOutT, 0, QUERY_TILE, cols, width, dv);
            k.softmaxBackwardColumns(t.dScores, 0, t.scores, 0, QUERY_TILE, t.rowDot, cols, width); // dS^T
            if (dK != null) {
                // dV_tile += P^T dO   (cols, valueHeadDim)
                k.tileMatmulAdd(dV.data(), dV.at(b, h) + j0 * dV.rowStride(), dV.rowStride(), t.scores, 0,
                        QUERY_TILE, 1, t.dOut, 0, dv, cols, dv, rows);
                // dK_tile += dS^T Qs   (cols, headDim)
                k.tileMatmulAdd(dK.data(), dK.at(b, h) + j0 * dK.rowStride(), dK.rowStride(), t.dScores, 0,
                        QUERY_TILE, 1, t.query, 0, dk, cols, dk, rows);
            }
            if (dQ != null) {
                // dQ_tile += dS (scale K_tile)   (rows, headDim), the scaled keys packed once per thread and head
                k.tileMatmulAdd(t.dQuery, 0, dk, t.dScores, 0, 1, QUERY_TILE, t.packedKey, j0 * dk, dk, rows, dk,
                        cols);
            }
        }
        if (dQ != null) { // dQ rows += the tile's chains (each started from 0: dQ is zeroed, so the same bits)
            int dQ0 = dQ.at(b, h) + i0 * dQ.rowStride();
            for (int r = 0; r < rows; r++) {
                int row = dQ0 + r * dQ.rowStride();
                k.add(dQ.data(), row, dQ.data(), row, t.dQuery, r * dk, dk);
            }
        }
    }

    /** What a thread's packed rows hold. */
    private enum Packing {
        /** The forward's: keys in {@code packedKey}, values in {@code packedValue}, as they are. */
        KEYS_AND_VALUES,
        /** The backward's, for {@code dQ}: {@code scale * K} in {@code packedKey} (the values untouched). */
        SCALED_KEYS
    }

    /**
     * Makes the thread's packed rows hold rows {@code [from, to)} (at least) of {@code what} for (sequence, head)
     * {@code bh} of call {@code call}, each row at its own index: copied once per thread and head rather than once
     * per tile pair. The forward packs keys and values (the values' tile was copied for every tile pair: its rows lie
     * {@code 3 * modelDim} floats apart in packed projections, a stride that maps them to a few L1 sets); the
     * backward packs {@code scale * K} for {@code dQ}, which it scaled for every tile pair before (the same
     * multiplies, so the same bits). Rows already packed for the same call and head stay; a call's number says what
     * they hold (the forward and the backward number their calls from one counter).
     */
    private static void pack(Tiles t, Problem p, Packing what, long call, int bh, int from, int to) {
        if (from >= to) {
            return;
        }
        Dims d = p.dims();
        int dk = d.headDim();
        int dv = d.valueHeadDim();
        int srcLen = d.srcLen();
        if (t.packedKey.length < srcLen * dk) {
            t.packedKey = new float[srcLen * dk];
        }
        if (what == Packing.KEYS_AND_VALUES && t.packedValue.length < srcLen * dv) {
            t.packedValue = new float[srcLen * dv];
        }
        if (t.packedCall != call || t.packedBh != bh || t.packedFrom >= t.packedTo) {
            t.packedCall = call;
            t.packedBh = bh;
            packRows(t, p, what, bh, from, to);
            t.packedFrom = from;
            t.packedTo = to;
            return;
        }
        if (from < t.packedFrom) {
            packRows(t, p, what, bh, from, t.packedFrom);
            t.packedFrom = from;
        }
        if (to > t.packedTo) {
            packRows(t, p, what, bh, t.packedTo, to);
            t.packedTo = to;
        }
    }

    /** Copies (or scales) rows {@code [from, to)} of (sequence, head) {@code bh} into the thread's packed rows. */
    private static void packRows(Tiles t, Problem p, Packing what, int bh, int from, int to) {
        Dims d = p.dims();
        int b = bh / d.numHeads();
        int h = bh % d.numHeads();
        int dk = d.headDim();
        int dv = d.valueHeadDim();
        Operand key = p.key();
        Operand v = p.value();
        int k0 = key.at(b, h);
        int v0 = v.at(b, h);
        switch (what) {
            case KEYS_AND_VALUES -> {
                for (int j = from; j < to; j++) {
                    System.arraycopy(key.data(), k0 + j * key.rowStride(), t.packedKey, j * dk, dk);
                    System.arraycopy(v.data(), v0 + j * v.rowStride(), t.packedValue, j * dv, dv);
                }
            }
            case SCALED_KEYS -> {
                Kernels k = Kernels.active();
                for (int j = from; j < to; j++) {
                    k.scale(t.packedKey, j * dk, key.data(), k0 + j * key.rowStride(), p.scale(), dk);
                }
            }
        }
    }

    /**
     * {@code t.queryT (headDim, width) = (scale * Q_tile)^T} for queries {@code [i0, i0 + rows)} of (b, h), columns
     * {@code [rows, width)} zero.
     */
    private static void packQueryTransposed(Tiles t, Problem p, int b, int h, int i0, int rows) {
        Operand q = p.query();
        Kernels.active().transposeScaled(t.queryT, 0, QUERY_TILE, q.data(), q.at(b, h) + i0 * q.rowStride(),
                q.rowStride(), rows, paddedWidth(rows), p.dims().headDim(), p.scale());
    }

    /**
     * The columns a score tile of {@code rows} queries is computed over: {@code rows} rounded up to 16, so that the
     * column kernels run whole vectors (of up to 16 lanes) even for a few queries; the padding columns hold zero
     * queries, see every key unmasked and are never read back.
     */
    private static int paddedWidth(int rows) {
        return Math.min(QUERY_TILE, (rows + 15) & ~15);
    }

    /**
     * {@code t.shift = lse} of the tile's queries, {@code +inf} where a query sees nothing (so its P is 0) and in the
     * padding columns.
     */
    private static void lseShift(Tiles t, float[] logSumExp, int first, int rows) {
        for (int r = 0; r < rows; r++) {
            float lse = logSumExp[first + r];
            t.shift[r] = lse == Float.NEGATIVE_INFINITY ? Float.POSITIVE_INFINITY : lse;
        }
        Arrays.fill(t.shift, rows, paddedWidth(rows), Float.POSITIVE_INFINITY);
    }

    /**
     * {@code t.scores (cols, rows) = K_tile Qs^T}, keys {@code [j0, j0 + cols)} read from {@code keys} (the first at
     * {@code keyOff}, rows {@code keyStride} apart: in place, or packed), then the mask: {@code -inf} outside each
     * query's band, or the general mask's rows added. The same bits wherever the keys are read from (each score is
     * one in-order chain over the head's dims). A general mask's {@code -inf} is written over the score rather than
     * added to it, so a NaN or {@code +inf} score of a blocked key stays blocked, as in the materialising path (and
     * PyTorch's {@code masked_fill}) for a boolean mask; an additive mask's {@code -inf} blocks the same way here, and
     * its range ends are skipped as blocked keys are (the materialising path adds it: NaN there for a NaN score).
     */
    private static void scores(Kernels k, Tiles t, Problem p, float[] keys, int keyOff, int keyStride, int j0,
                               int cols, int rows, boolean general) {
        k.tileMatmul(t.scores, 0, QUERY_TILE, keys, keyOff, keyStride, 1, t.queryT, 0, QUERY_TILE, cols,
                paddedWidth(rows), p.dims().headDim());
        int srcLen = p.dims().srcLen();
        if (general) { // -inf blocks the key whatever its score (a NaN or +inf one too, as -inf written over it would)
            for (int r = 0; r < rows; r++) {
                int m = r * srcLen + j0;
                for (int c = 0; c < cols; c++) {
                    float term = t.maskRows[m + c];
                    int at = c * QUERY_TILE + r;
                    t.scores[at] = term == Float.NEGATIVE_INFINITY ? term : t.scores[at] + term;
                }
            }
            return;
        }
        for (int r = 0; r < rows; r++) {
            if (t.from[r] > j0 || t.to[r] < j0 + cols) { // the band cuts this tile for some query: mask the tile
                k.maskColumnsOutside(t.scores, 0, QUERY_TILE, t.from, t.to, j0, cols, rows);
                return;
            }
        }
    }

    /**
     * Each query's visible keys {@code t.from, t.to} and the tile's range {@code t.keyFrom, t.keyTo}; returns whether
     * the mask is not a band, in which case {@code t.maskRows} holds its rows (0 where a key is visible unchanged).
     */
    private static boolean visibleKeys(Tiles t, Problem p, int b, int h, int i0, int rows) {
        Dims d = p.dims();
        ScoreMask mask = p.mask();
        int srcLen = d.srcLen();
        int tgtLen = d.tgtLen();
        boolean general = mask != ScoreMask.NONE && !(mask.isBand() && d.maskedSrcLen() == srcLen);
        if (general) {
            if (t.maskRows.length < QUERY_TILE * srcLen) {
                t.maskRows = new float[QUERY_TILE * srcLen];
            }
            Arrays.fill(t.maskRows, 0, rows * srcLen, 0f);
        }
        int keyFrom = srcLen;
        int keyTo = 0;
        for (int r = 0; r < rows; r++) {
            int i = i0 + r;
            int from;
            int to;
            if (mask == ScoreMask.NONE) {
                from = 0;
                to = srcLen;
            } else if (!general) {
                from = Math.max(0, mask.visibleFrom(b, h, i, tgtLen, srcLen));
                to = Math.min(srcLen, mask.visibleTo(b, h, i, tgtLen, srcLen));
            } else {
                int row = r * srcLen;
                mask.applyToRow(t.maskRows, row, b, h, i, tgtLen, d.maskedSrcLen());
                from = 0;
                while (from < srcLen && t.maskRows[row + from] == Float.NEGATIVE_INFINITY) {
                    from++;
                }
                to = srcLen;
                while (to > from && t.maskRows[row + to - 1] == Float.NEGATIVE_INFINITY) {
                    to--;
                }
            }
            if (to <= from) {
                from = to = 0; // sees nothing
            } else {
                keyFrom = Math.min(keyFrom, from);
                keyTo = Math.max(keyTo, to);
            }
            t.from[r] = from;
            t.to[r] = to;
        }
        t.keyFrom = Math.min(keyFrom, keyTo);
        t.keyTo = keyTo;
        return general;
    }
}
