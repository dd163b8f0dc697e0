package dev.attention4j.autograd;

import dev.attention4j.kernels.Kernels;
import dev.attention4j.kernels.Parallel;
import dev.attention4j.tensor.Shapes;
import dev.attention4j.tensor.Tensor;

import java.util.Arrays;
import java.util.Objects;

/**
 * Fused scaled dot-product attention with a hand-written backward. For every sequence {@code b} and head {@code h}
 * ({@code bh = b * numHeads + h}), with {@code Q, K, V} that head's slices:
 * <pre>
 * S  = Q K^T * scale + mask        (tgtLen, srcLen)   blocked entries -inf
 * P  = softmax(S), row by row      (tgtLen, srcLen)   a fully masked row is all zeros
 * Pd = P * D / (1 - p)             (tgtLen, srcLen)   D: DropoutOp's keep flags, element (bh * tgtLen + i) * srcLen + j
 * O  = Pd V                        (tgtLen, valueHeadDim)
 * </pre>
 * Backward, from {@code dO}:
 * <pre>
 * dV = Pd^T dO                     (srcLen, valueHeadDim)
 * dP = (dO V^T) * D / (1 - p)      (tgtLen, srcLen)
 * dS = P * (dP - rowDot),  rowDot_i = sum_j P_ij dP_ij
 * dQ = dS K * scale                (tgtLen, headDim)
 * dK = dS^T Q * scale              (srcLen, headDim)
 * </pre>
 *
 * <p>Saved for backward: only the log-sum-exp of each row, {@code lse_i = log sum_j exp(S_ij)}
 * ({@code batchSize * numHeads * tgtLen} floats, {@code -inf} for a fully masked row) besides references to the
 * inputs and the output. Backward recomputes {@code S} with the same kernels (so the same bits) and
 * {@code P = exp(S - lse)} ({@code 0} on fully masked rows, which therefore get {@code dQ = 0} and add nothing to
 * {@code dK, dV}); the dropout flags are recomputed from their hash. No {@code (tgtLen, srcLen)} block outlives a
 * call.
 *
 * <p>Two paths keep this contract. Without dropout, {@link #apply} runs {@link TiledAttention}: tiles of 64 queries
 * by 96 keys with an online softmax, nothing of size {@code (tgtLen, srcLen)} ever held (O(n) memory), key tiles a
 * band mask blocks skipped whole, and the weights (when asked for, of the chosen heads only) recomputed from the
 * saved log-sum-exp. With dropout, and through {@link #applyMaterialized} (the reference the tiled path is tested
 * against), each head's whole score block is computed in one piece: each running task holds the
 * {@code (tgtLen, srcLen)} scores of the head it is on (one block forward, two backward). Both run in parallel over
 * independent pieces (heads, and query tiles in the tiled forward), each written by the same code whatever the thread
 * count, so forward and backward are bit-identical at any thread count.
 */
public final class AttentionOp {

    /** Target multiply-adds per parallel chunk of {@link #applyOneQueryToCache}, as for the matrix products. */
    private static final long WORK_PER_CHUNK = 1 << 16;

    private AttentionOp() {
    }

    /**
     * Attention on the tensors' heads, recorded on {@code tape} when it is non-null.
     *
     * @param tape         where to record the backward pass, or null at inference
     * @param query        {@code (batchSize, tgtLen, numHeads * headDim)} or {@code (batchSize, numHeads, tgtLen,
     *                     headDim)}, as {@code layout} says
     * @param key          {@code (batchSize, srcLen, numHeads * headDim)} or {@code (batchSize, numHeads, srcLen,
     *                     headDim)}
     * @param value        {@code (batchSize, srcLen, numHeads * valueHeadDim)} or {@code (batchSize, numHeads,
     *                     srcLen, valueHeadDim)}
     * @param layout       where each head sits in the four tensors
     * @param numHeads     the number of heads, {@code >= 1}
     * @param scale        the factor on {@code Q K^T} (usually {@code 1 / sqrt(headDim)}); finite
     * @param mask         the score mask ({@link ScoreMask#NONE} for none)
     * @param maskedSrcLen how many leading keys the mask covers, in {@code [0, srcLen]}; the rest are always visible
     * @param dropout      the probability of dropping a weight, in {@code [0, 1)}
     * @param dropoutSeed  the dropout seed (unused when {@code dropout == 0})
     * @param weightsOut   null, or an array of {@code batchSize * numHeads * tgtLen * srcLen} floats that receives the
     *                     weights after dropout as a contiguous {@code (batchSize, numHeads, tgtLen, srcLen)} block
     *                     (not differentiable: an observation only)
     * @return {@code (batchSize, tgtLen, numHeads * valueHeadDim)} or {@code (batchSize, numHeads, tgtLen,
     *         valueHeadDim)}; with {@link AttentionLayout#HEADS_MAJOR} it has the query's rank
     */
    public static Tensor apply(Tape tape, Tensor query, Tensor key, Tensor value, AttentionLayout layout, int numHeads,
                               float scale, ScoreMask mask, int maskedSrcLen, float dropout, long dropoutSeed,
                               float[] weightsOut) {
        return apply(tape, query, key, value, layout, numHeads, scale, mask, maskedSrcLen, dropout, dropoutSeed, null,
                weightsOut);
    }

    /**
     * {@link #apply(Tape, Tensor, Tensor, Tensor, AttentionLayout, int, float, ScoreMask, int, float, long, float[])}
     * returning the weights of the chosen heads only. Without dropout it runs {@link TiledAttention}: no
     * {@code (tgtLen, srcLen)} block is held, and the chosen heads' weights are recomputed from the saved
     * log-sum-exp ({@code exp(S - lse)}, which equals the softmax within float rounding); with dropout it runs the
     * materialising path ({@link #applyMaterialized}).
     *
     * @param weightHeads null for every head, or ascending head indices in {@code [0, numHeads)}
     * @param weightsOut  null, or {@code batchSize * heads * tgtLen * srcLen} floats, zero-filled, receiving the
     *                    chosen heads' weights as {@code (batchSize, heads, tgtLen, srcLen)}
     */
    public static Tensor apply(Tape tape, Tensor query, Tensor key, Tensor value, AttentionLayout layout, int numHeads,
                               float scale, ScoreMask mask, int maskedSrcLen, float dropout, long dropoutSeed,
                               int[] weightHeads, float[] weightsOut) {
        Dims d = check(query, key, value, layout, numHeads, scale, mask, maskedSrcLen, dropout);
        int[] heads = checkHeads(weightHeads, numHeads, weightsOut, d);
        if (dropout > 0f) {
            float[] all = weightsOut == null ? null
                    : heads.length == numHeads ? weightsOut : new float[d.batchSize() * numHeads * d.tgtLen() * d.srcLen()];
            Tensor output = materialized(tape, query, key, value, layout, d, scale, mask, dropout, dropoutSeed, all);
            if (all != null && all != weightsOut) {
                selectHeads(weightsOut, all, heads, d);
            }
            return output;
        }
        Tensor output = Tensor.zeros(d.outputDims(query, layout));
        float[] logSumExp = tape == null && weightsOut == null ? null
                : new float[d.batchSize() * d.numHeads() * d.tgtLen()];
        TiledAttention.Problem p = new TiledAttention.Problem(Operand.of(layout, query, numHeads, d.tgtLen(),
                d.headDim()), Operand.of(layout, key, numHeads, d.srcLen(), d.headDim()), Operand.of(layout, value,
                numHeads, d.srcLen(), d.valueHeadDim()), d, scale, mask);
        Operand o = Operand.of(layout, output, numHeads, d.tgtLen(), d.valueHeadDim());
        TiledAttention.forward(o, logSumExp, p);
        if (weightsOut != null) {
            TiledAttention.weights(weightsOut, heads, logSumExp, p);
        }
        if (tape != null) {
            tape.record(new TiledBackward(query, key, value, output, layout, p, logSumExp));
        }
        return output;
    }

    /**
     * Self-attention on packed projections, as one product by a packed {@code in_proj_weight (3 * modelDim,
     * modelDim)} makes them: {@code qkv (batchSize, len, 3 * numHeads * headDim)}, each row {@code Q | K | V}, each
     * of the three tokens major ({@link AttentionLayout#TOKENS_MAJOR}), read in place with a row stride of
     * {@code 3 * modelDim}. The tiled path of {@link #apply(Tape, Tensor, Tensor, Tensor, AttentionLayout, int,
     * float, ScoreMask, int, float, long, int[], float[])} with {@code tgtLen = srcLen = maskedSrcLen = len} and no
     * dropout: the same kernels on the same values, so the same bits as that call on the three parts copied out.
     * Backward gives {@code qkv} one gradient, {@code (batchSize, len, 3 * modelDim)}.
     *
     * @param weightHeads null for every head, or ascending head indices in {@code [0, numHeads)}
     * @param weightsOut  null, or {@code batchSize * heads * len * len} floats, zero-filled, receiving the chosen
     *                    heads' weights as {@code (batchSize, heads, len, len)}
     * @return {@code (batchSize, len, numHeads * headDim)}
     */
    public static Tensor applyPacked(Tape tape, Tensor qkv, int numHeads, float scale, ScoreMask mask,
                                     int[] weightHeads, float[] weightsOut) {
        Dims d = checkPacked(qkv, numHeads, scale, mask);
        int[] heads = checkHeads(weightHeads, numHeads, weightsOut, d);
        Tensor output = Tensor.zeros(d.batchSize(), d.tgtLen(), numHeads * d.headDim());
        float[] logSumExp = tape == null && weightsOut == null ? null
                : new float[d.batchSize() * numHeads * d.tgtLen()];
        TiledAttention.Problem p = packedProblem(qkv, d, scale, mask);
        TiledAttention.forward(Operand.of(AttentionLayout.TOKENS_MAJOR, output, numHeads, d.tgtLen(), d.headDim()),
                logSumExp, p);
        if (weightsOut != null) {
            TiledAttention.weights(weightsOut, heads, logSumExp, p);
        }
        if (tape != null) {
            tape.record(new PackedBackward(qkv, output, p, logSumExp));
        }
        return output;
    }

    /**
     * {@link #applyPacked} at inference keeping nothing: the output is written over the queries. On return row
     * {@code r} of the output {@code (batchSize, len, numHeads * headDim)} is at {@code qkv.data()[r * 3 * modelDim ..
     * r * 3 * modelDim + modelDim)}, where its queries were (a reader takes the rows {@code 3 * modelDim} apart, as
     * {@code MatMul.linearOnLeadingColumns} does), and the rest of {@code qkv} is left over (keys and values no longer
     * needed). The same bits as {@link #applyPacked}. Allocates nothing beyond the per-thread tiles.
     *
     * <p>Why overwriting is safe: each (sequence, head, query tile) task reads its queries once, before it visits
     * any key, and writes its output rows (zeros for a query that sees no key) only after its last key tile, to
     * exactly the place it read them from; no other task reads those queries, and no task writes a key or value.
     * (It used to gather the rows to the front afterwards: a serial copy of the whole output, 1% of a corpus pass.)
     */
    public static void applyPackedInPlace(Tensor qkv, int numHeads, float scale, ScoreMask mask) {
        Dims d = checkPacked(qkv, numHeads, scale, mask);
        TiledAttention.Problem p = packedProblem(qkv, d, scale, mask);
        TiledAttention.forward(p.query(), null, p); // the output over the queries
    }

    private static Dims checkPacked(Tensor qkv, int numHeads, float scale, ScoreMask mask) {
        Objects.requireNonNull(qkv, "qkv must not be null");
        Objects.requireNonNull(mask, "mask must not be null (ScoreMask.NONE masks nothing)");
        if (numHeads < 1 || qkv.rank() != 3 || qkv.dim(2) % (3 * numHeads) != 0) {
            throw new IllegalArgumentException("qkv: expected shape (batchSize, len, 3 * numHeads * headDim) with "
                    + "numHeads = " + numHeads + " but got " + qkv.shape());
        }
        requireFiniteScale(scale);
        int len = qkv.dim(1);
        if ((long) len * len > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("len * len = " + len + " * " + len
                    + " scores per head do not fit in one Java array");
        }
        int headDim = qkv.dim(2) / (3 * numHeads);
        return new Dims(qkv.dim(0), numHeads, len, len, len, headDim, headDim);
    }

    private static TiledAttention.Problem packedProblem(Tensor qkv, Dims d, float scale, ScoreMask mask) {
        int h = d.numHeads();
        int n = d.tgtLen();
        return new TiledAttention.Problem(Operand.packed(qkv, 0, h, n, d.headDim()),
                Operand.packed(qkv, 1, h, n, d.headDim()), Operand.packed(qkv, 2, h, n, d.valueHeadDim()), d, scale,
                mask);
    }

    /** {@link #applyPacked}'s recorded backward: one gradient for the packed projections. */
    record PackedBackward(Tensor qkv, Tensor output, TiledAttention.Problem problem, float[] logSumExp)
            implements Node {

        @Override
        public void backward(Gradients grads) {
            Tensor dOutput = grads.get(output);
            if (dOutput == null) {
                return;
            }
            Dims d = problem.dims();
            int numHeads = d.numHeads();
            int n = d.tgtLen();
            Tensor dQkv = Tensor.zeros(qkv.shape()); // (batchSize, len, 3 * modelDim): dQ | dK | dV
            TiledAttention.backward(Operand.packed(dQkv, 0, numHeads, n, d.headDim()),
                    Operand.packed(dQkv, 1, numHeads, n, d.headDim()),
                    Operand.packed(dQkv, 2, numHeads, n, d.valueHeadDim()),
                    Operand.of(AttentionLayout.TOKENS_MAJOR, dOutput, numHeads, n, d.valueHeadDim()),
                    Operand.of(AttentionLayout.TOKENS_MAJOR, output, numHeads, n, d.valueHeadDim()), logSumExp,
                    problem);
            grads.add(qkv, dQkv);
        }
    }

    /**
     * The materialising path: each head's whole {@code (tgtLen, srcLen)} score block computed, softmaxed (and
     * dropped out) in one piece, then multiplied by the values; backward likewise. The same contract as
     * {@link #apply(Tape, Tensor, Tensor, Tensor, AttentionLayout, int, float, ScoreMask, int, float, long, float[])};
     * kept as the plain reference the tiled path is tested against, for dropout, and as the "naive" rival of
     * {@code attention4j bench attention}. Scratch: {@code tgtLen * srcLen} floats per running task (two backward).
     */
    public static Tensor applyMaterialized(Tape tape, Tensor query, Tensor key, Tensor value, AttentionLayout layout,
                                           int numHeads, float scale, ScoreMask mask, int maskedSrcLen, float dropout,
                                           long dropoutSeed, float[] weightsOut) {
        Dims d = check(query, key, value, layout, numHeads, scale, mask, maskedSrcLen, dropout);
        checkHeads(null, numHeads, weightsOut, d);
        return materialized(tape, query, key, value, layout, d, scale, mask, dropout, dropoutSeed, weightsOut);
    }

    private static Tensor materialized(Tape tape, Tensor query, Tensor key, Tensor value, AttentionLayout layout,
                                       Dims d, float scale, ScoreMask mask, float dropout, long dropoutSeed,
                                       float[] weightsOut) {
        int numHeads = d.numHeads();
        Tensor output = Tensor.zeros(d.outputDims(query, layout));
        float[] logSumExp = tape == null ? null : new float[d.batchSize() * d.numHeads() * d.tgtLen()];
        forward(weightsOut, logSumExp, Operand.of(layout, query, numHeads, d.tgtLen(), d.headDim()),
                Operand.of(layout, key, numHeads, d.srcLen(), d.headDim()),
                Operand.of(layout, value, numHeads, d.srcLen(), d.valueHeadDim()),
                Operand.of(layout, output, numHeads, d.tgtLen(), d.valueHeadDim()), d, scale, mask, dropout,
                dropoutSeed);
        if (tape != null) {
            tape.record(new Backward(query, key, value, output, layout, d, scale, mask, dropout, dropoutSeed,
                    logSumExp));
        }
        return output;
    }

    /** The argument checks shared by the entry points; returns the dims. */
    private static Dims check(Tensor query, Tensor key, Tensor value, AttentionLayout layout, int numHeads,
                              float scale, ScoreMask mask, int maskedSrcLen, float dropout) {
        Dims d = Dims.of(query, key, value, layout, numHeads, maskedSrcLen);
        Objects.requireNonNull(mask, "mask must not be null (ScoreMask.NONE masks nothing)");
        requireFiniteScale(scale);
        if (!(dropout >= 0f && dropout < 1f)) {
            throw new IllegalArgumentException("dropout: expected a probability in [0, 1) but got " + dropout);
        }
        return d;
    }

    private static void requireFiniteScale(float scale) {
        if (!Float.isFinite(scale)) {
            throw new IllegalArgumentException("scale: expected a finite number but got " + scale);
        }
    }

    /** The chosen heads ({@code null}: all), checked with the size of {@code weightsOut}. */
    private static int[] checkHeads(int[] weightHeads, int numHeads, float[] weightsOut, Dims d) {
        int[] heads = weightHeads;
        if (heads == null) {
            heads = new int[numHeads];
            for (int h = 0; h < numHeads; h++) {
                heads[h] = h;
            }
        }
        for (int k = 0; k < heads.length; k++) {
            if (heads[k] < 0 || heads[k] >= numHeads || (k > 0 && heads[k] <= heads[k - 1])) {
                throw new IllegalArgumentException("weightHeads: expected ascending head indices in [0, " + numHeads
                        + ") but got " + Arrays.toString(heads));
            }
        }
        long weightCount = (long) d.batchSize() * heads.length * d.tgtLen() * d.srcLen();
        if (weightsOut != null && weightsOut.length != weightCount) {
            throw new IllegalArgumentException("weightsOut: expected batchSize * heads * tgtLen * srcLen = "
                    + d.batchSize() + " * " + heads.length + " * " + d.tgtLen() + " * " + d.srcLen() + " = "
                    + weightCount + " floats but got " + weightsOut.length);
        }
        return heads;
    }

    /** {@code out (batchSize, heads, tgtLen, srcLen)} = the chosen heads of {@code all (batchSize, numHeads, ...)}. */
    private static void selectHeads(float[] out, float[] all, int[] heads, Dims d) {
        int block = d.tgtLen() * d.srcLen();
        for (int b = 0; b < d.batchSize(); b++) {
            for (int k = 0; k < heads.length; k++) {
                System.arraycopy(all, (b * d.numHeads() + heads[k]) * block, out, (b * heads.length + k) * block,
                        block);
            }
        }
    }

    /** The tiled path's recorded backward: the inputs, the output and the per-row log-sum-exp only. */
    record TiledBackward(Tensor query, Tensor key, Tensor value, Tensor output, AttentionLayout layout,
                         TiledAttention.Problem problem, float[] logSumExp) implements Node {

        @Override
        public void backward(Gradients grads) {
            Tensor dOutput = grads.get(output);
            if (dOutput == null) {
                return;
            }
            Dims d = problem.dims();
            int numHeads = d.numHeads();
            Tensor dQuery = Tensor.zeros(query.shape());
            Tensor dKey = Tensor.zeros(key.shape());
            Tensor dValue = Tensor.zeros(value.shape());
            TiledAttention.backward(Operand.of(layout, dQuery, numHeads, d.tgtLen(), d.headDim()),
                    Operand.of(layout, dKey, numHeads, d.srcLen(), d.headDim()),
                    Operand.of(layout, dValue, numHeads, d.srcLen(), d.valueHeadDim()),
                    Operand.of(layout, dOutput, numHeads, d.tgtLen(), d.valueHeadDim()),
                    Operand.of(layout, output, numHeads, d.tgtLen(), d.valueHeadDim()), logSumExp, problem);
            grads.add(query, dQuery);
            grads.add(key, dKey);
            grads.add(value, dValue);
        }
    }

    /**
     * Attention at inference over the first {@code srcLen} rows of preallocated key and value buffers (a KV cache),
     * tokens major: {@code keys} and {@code values} hold {@code (batchSize, capacity, numHeads * headDim)} and only
     * rows {@code [0, srcLen)} of each sequence are read. Same kernels and contract as {@link #apply} with no tape, no
     * dropout, no extra keys ({@code maskedSrcLen = srcLen}); except that one query ({@code tgtLen == 1}, a decoding
     * step) runs the one-row kernels of {@link #applyOneQueryToCache} (its scores are one row per head, O(n) already),
     * so the allocation-free step and this path give the same bits.
     *
     * @param query      {@code (batchSize, tgtLen, numHeads * headDim)}
     * @param keys       {@code (batchSize, capacity, numHeads * headDim)}, row-major
     * @param values     {@code (batchSize, capacity, numHeads * headDim)}, row-major
     * @param capacity   rows per sequence in {@code keys} and {@code values}
     * @param srcLen     rows in use, in {@code [0, capacity]}
     * @param weightsOut null, or {@code batchSize * numHeads * tgtLen * srcLen} floats receiving the weights
     * @return {@code (batchSize, tgtLen, numHeads * headDim)}
     */
    public static Tensor applyToCache(Tensor query, float[] keys, float[] values, int capacity, int srcLen,
                                      int numHeads, float scale, ScoreMask mask, float[] weightsOut) {
        return applyToCache(query, keys, values, capacity, srcLen, numHeads, scale, mask, null, weightsOut);
    }

    /**
     * {@link #applyToCache(Tensor, float[], float[], int, int, int, float, ScoreMask, float[])} returning the weights
     * of the chosen heads only ({@code weightHeads} null for all), recomputed from the log-sum-exp as in
     * {@link #apply(Tape, Tensor, Tensor, Tensor, AttentionLayout, int, float, ScoreMask, int, float, long, int[],
     * float[])}; {@code weightsOut} is {@code (batchSize, heads, tgtLen, srcLen)}, zero-filled.
     */
    public static Tensor applyToCache(Tensor query, float[] keys, float[] values, int capacity, int srcLen,
                                      int numHeads, float scale, ScoreMask mask, int[] weightHeads,
                                      float[] weightsOut) {
        Objects.requireNonNull(mask, "mask must not be null (ScoreMask.NONE masks nothing)");
        if (query.rank() != 3 || numHeads < 1 || query.dim(2) % numHeads != 0) {
            throw new IllegalArgumentException("query: expected shape (batchSize, tgtLen, numHeads * headDim) with "
                    + "numHeads = " + numHeads + " but got " + query.shape());
        }
        int batchSize = query.dim(0);
        int tgtLen = query.dim(1);
        int width = query.dim(2);
        if (srcLen < 0 || srcLen > capacity) {
            throw new IllegalArgumentException("srcLen: expected a row count in [0, capacity = " + capacity
                    + "] but got " + srcLen);
        }
        long need = (long) batchSize * capacity * width;
        if (keys.length != need || values.length != need) {
            throw new IllegalArgumentException("keys, values: expected (batchSize, capacity, numHeads * headDim) = ["
                    + batchSize + ", " + capacity + ", " + width + "] = " + need + " floats but got " + keys.length
                    + " and " + values.length);
        }
        int headDim = width / numHeads;
        Dims d = new Dims(batchSize, numHeads, tgtLen, srcLen, srcLen, headDim, headDim);
        int[] heads = checkHeads(weightHeads, numHeads, weightsOut, d);
        Tensor output = Tensor.zeros(batchSize, tgtLen, width);
        // (batchSize, capacity, numHeads * headDim): head h of sequence b starts at b * capacity * width + h * headDim
        Operand k = new Operand(keys, capacity * width, headDim, width);
        Operand v = new Operand(values, capacity * width, headDim, width);
        Operand q = Operand.of(AttentionLayout.TOKENS_MAJOR, query, numHeads, tgtLen, headDim);
        Operand o = Operand.of(AttentionLayout.TOKENS_MAJOR, output, numHeads, tgtLen, headDim);
        if (tgtLen == 1) {
            // One query: its (1, srcLen) scores are O(n) already, and these are the kernels of applyOneQueryToCache,
            // so a decoding step and this path give the same bits.
            float[] all = weightsOut == null || heads.length == numHeads ? weightsOut
                    : new float[batchSize * numHeads * srcLen];
            forward(all, null, q, k, v, o, d, scale, mask, 0f, 0L);
            if (all != weightsOut) {
                selectHeads(weightsOut, all, heads, d);
            }
            return output;
        }
        TiledAttention.Problem p = new TiledAttention.Problem(q, k, v, d, scale, mask);
        float[] logSumExp = weightsOut == null ? null : new float[batchSize * numHeads * tgtLen];
        TiledAttention.forward(o, logSumExp, p);
        if (weightsOut != null) {
            TiledAttention.weights(weightsOut, heads, logSumExp, p);
        }
        return output;
    }

    /**
     * Attention of one new query per sequence over the first {@code srcLen} rows of a KV cache, at inference, on
     * caller-owned buffers: the attention of a decoding step. The kernels of {@link #applyToCache} with
     * {@code tgtLen = 1}, in the same order, so the same bits. Allocates nothing, whether or not the
     * {@code (sequence, head)} pairs are split across threads (they are when there is enough work to be worth it,
     * {@code batchSize * numHeads * 2 * srcLen * headDim} multiply-adds of at least {@value #WORK_PER_CHUNK} per
     * chunk, and more than one thread): a split hands them to {@link Parallel}'s workers through a body this thread
     * keeps.
     *
     * @param output   {@code (batchSize, numHeads * headDim)}, written; must not alias another argument
     * @param weights  {@code (batchSize, numHeads, srcLen)} at least: scratch for the scores, left holding the
     *                 attention weights
     * @param query    {@code (batchSize, numHeads * headDim)}
     * @param keys     {@code (batchSize, capacity, numHeads * headDim)}, rows {@code [0, srcLen)} of each sequence read
     * @param values   {@code (batchSize, capacity, numHeads * headDim)}
     * @param capacity rows per sequence in {@code keys} and {@code values}
     * @param srcLen   rows in use, in {@code [0, capacity]}
     * @param mask     the score mask over the {@code srcLen} keys ({@link ScoreMask#NONE} for none), called with query
     *                 0 of {@code tgtLen = 1}
     */
    public static void applyOneQueryToCache(float[] output, float[] weights, float[] query, float[] keys,
                                            float[] values, int batchSize, int capacity, int srcLen, int numHeads,
                                            int headDim, float scale, ScoreMask mask) {
        if (mask == null) {
            throw new NullPointerException("mask must not be null (ScoreMask.NONE masks nothing)");
        }
        if (batchSize < 0 || numHeads < 1 || headDim < 1) {
            throw new IllegalArgumentException("batchSize, numHeads, headDim: expected >= 0, >= 1, >= 1 but got "
                    + batchSize + ", " + numHeads + ", " + headDim);
        }
        if (srcLen < 0 || srcLen > capacity) {
            throw new IllegalArgumentException("srcLen: expected a row count in [0, capacity = " + capacity
                    + "] but got " + srcLen);
        }
        int width = numHeads * headDim;
        Shapes.requireBuffer("query", query, "(batchSize, numHeads * headDim)", batchSize, width);
        Shapes.requireBuffer("output", output, "(batchSize, numHeads * headDim)", batchSize, width);
        Shapes.requireBuffer("keys", keys, "(batchSize, capacity * numHeads * headDim)", batchSize, capacity * width);
        Shapes.requireBuffer("values", values, "(batchSize, capacity * numHeads * headDim)", batchSize,
                capacity * width);
        Shapes.requireBuffer("weights", weights, "(batchSize * numHeads, srcLen)", batchSize * numHeads, srcLen);
        Kernels k = Kernels.active();
        int pairs = batchSize * numHeads;
        int grain = (int) Math.max(1, WORK_PER_CHUNK / Math.max(1, 2L * srcLen * headDim));
        if (!Parallel.splits(pairs, grain)) { // one chunk on this thread: no task, no lambda
            attendOneQuery(k, output, weights, query, keys, values, capacity, srcLen, numHeads, headDim, scale, mask,
                    0, pairs);
            return;
        }
        OneQueryPairs body = Parallel.claim(ONE_QUERY_PAIRS, OneQueryPairs::new);
        body.set(k, output, weights, query, keys, values, capacity, srcLen, numHeads, headDim, scale, mask);
        Parallel.forRangeAndRelease(pairs, grain, body);
    }

    /**
     * The arguments of one split {@link #applyOneQueryToCache} as the loop body of its chunks: one per thread,
     * refilled at each call and emptied after it, so a split step hands its pairs to the workers without allocating
     * (a capturing lambda would be a new object per call).
     */
    private static final class OneQueryPairs extends Parallel.KeptBody {
        private Kernels k;
        private float[] output;
        private float[] weights;
        private float[] query;
        private float[] keys;
        private float[] values;
        private int capacity;
        private int srcLen;
        private int numHeads;
        private int headDim;
        private float scale;
        private ScoreMask mask;

        void set(Kernels k, float[] output, float[] weights, float[] query, float[] keys, float[] values, int capacity,
                 int srcLen, int numHeads, int headDim, float scale, ScoreMask mask) {
            this.k = k;
            this.output = output;
            this.weights = weights;
            this.query = query;
            this.keys = keys;
            this.values = values;
            this.capacity = capacity;
            this.srcLen = srcLen;
            this.numHeads = numHeads;
            this.headDim = headDim;
            this.scale = scale;
            this.mask = mask;
        }

        @Override
        protected void clear() {
            set(null, null, null, null, null, null, 0, 0, 0, 0, 0f, null);
        }

        @Override
        public void run(int start, int end) {
            attendOneQuery(k, output, weights, query, keys, values, capacity, srcLen, numHeads, headDim, scale, mask,
                    start, end);
        }
    }

    private static final ThreadLocal<OneQueryPairs> ONE_QUERY_PAIRS = ThreadLocal.withInitial(OneQueryPairs::new);

    /** Pairs {@code bh = b * numHeads + h} in {@code [start, end)} of {@link #applyOneQueryToCache}. */
    private static void attendOneQuery(Kernels k, float[] output, float[] weights, float[] query, float[] keys,
                                       float[] values, int capacity, int srcLen, int numHeads, int headDim,
                                       float scale, ScoreMask mask, int start, int end) {
        int width = numHeads * headDim;
        for (int bh = start; bh < end; bh++) {
            int b = bh / numHeads;
            int h = bh % numHeads;
            int row = bh * srcLen;                           // this pair's (1, srcLen) scores
            int q = b * width + h * headDim;                 // query and output: (batchSize, numHeads * headDim)
            int kv = b * capacity * width + h * headDim;     // keys and values: (batchSize, capacity, width)
            maskedScores(k, weights, row, query, q, width, keys, kv, width, b, h, 1, srcLen, srcLen, headDim, scale,
                    mask);
            k.softmax(weights, row, srcLen);
            // O = P V   (1, headDim)
            k.matmul(output, q, width, weights, row, srcLen, values, kv, width, 1, headDim, srcLen);
        }
    }

    /**
     * Writes the output through {@code o}, and when non-null {@code weightsOut} and the per-row {@code logSumExp}
     * ({@code (batchSize, numHeads, tgtLen)}).
     */
    private static void forward(float[] weightsOut, float[] logSumExp, Operand q, Operand kk, Operand v,
                                Operand o, Dims d, float scale, ScoreMask mask, float dropout,
                                long dropoutSeed) {
        Kernels k = Kernels.active();
        int numHeads = d.numHeads();
        int tgtLen = d.tgtLen();
        int srcLen = d.srcLen();
        Parallel.forRange(d.batchSize() * numHeads, 1, (start, end) -> {
            float[] scores = new float[tgtLen * srcLen]; // (tgtLen, srcLen), one head at a time
            for (int bh = start; bh < end; bh++) {
                int b = bh / numHeads;
                int h = bh % numHeads;
                maskedScores(k, scores, q, kk, b, h, d, scale, mask);
                for (int i = 0; i < tgtLen; i++) {
                    int row = i * srcLen;
                    if (logSumExp != null) {
                        logSumExp[bh * tgtLen + i] = logSumExp(scores, row, srcLen);
                    }
                    k.softmax(scores, row, srcLen);
                }
                if (dropout > 0f) {
                    DropoutOp.applyInPlace(scores, 0, scores.length, firstDropoutIndex(bh, tgtLen, srcLen), dropout,
                            dropoutSeed);
                }
                // O = Pd V   (tgtLen, valueHeadDim)
                k.matmul(o.data(), o.at(b, h), o.rowStride(), scores, 0, srcLen,
                        v.data(), v.at(b, h), v.rowStride(), tgtLen, d.valueHeadDim(), srcLen);
                if (weightsOut != null) {
                    System.arraycopy(scores, 0, weightsOut, bh * tgtLen * srcLen, scores.length);
                }
            }
        });
    }

    /**
     * The recorded backward pass; package-private so tests can see what it keeps.
     *
     * @param logSumExp {@code (batchSize, numHeads, tgtLen)}: each row's {@code log sum_j exp(S_ij)}, the only state
     *                  saved besides references to the inputs and the output
     */
    record Backward(Tensor query, Tensor key, Tensor value, Tensor output, AttentionLayout layout, Dims dims,
                    float scale, ScoreMask mask, float dropout, long dropoutSeed, float[] logSumExp) implements Node {

        @Override
        public void backward(Gradients grads) {
            Tensor dOutput = grads.get(output);
            if (dOutput == null) {
                return;
            }
            Dims d = dims;
            Kernels k = Kernels.active();
            int numHeads = d.numHeads();
            int tgtLen = d.tgtLen();
            int srcLen = d.srcLen();
            int headDim = d.headDim();
            int valueHeadDim = d.valueHeadDim();
            Tensor dQuery = Tensor.zeros(query.shape());
            Tensor dKey = Tensor.zeros(key.shape());
            Tensor dValue = Tensor.zeros(value.shape());
            Operand q = Operand.of(layout, query, numHeads, tgtLen, headDim);
            Operand kk = Operand.of(layout, key, numHeads, srcLen, headDim);
            Operand v = Operand.of(layout, value, numHeads, srcLen, valueHeadDim);
            Operand dO = Operand.of(layout, dOutput, numHeads, tgtLen, valueHeadDim);
            Operand dQ = Operand.of(layout, dQuery, numHeads, tgtLen, headDim);
            Operand dK = Operand.of(layout, dKey, numHeads, srcLen, headDim);
            Operand dV = Operand.of(layout, dValue, numHeads, srcLen, valueHeadDim);
            Parallel.forRange(d.batchSize() * numHeads, 1, (start, end) -> {
                float[] probs = new float[tgtLen * srcLen]; // P (tgtLen, srcLen), one head at a time
                float[] work = new float[tgtLen * srcLen];  // Pd, then dPd -> dP -> dS (tgtLen, srcLen)
                for (int bh = start; bh < end; bh++) {
                    int b = bh / numHeads;
                    int h = bh % numHeads;
                    long firstIndex = firstDropoutIndex(bh, tgtLen, srcLen);
                    // P = exp(S - lse)
                    maskedScores(k, probs, q, kk, b, h, d, scale, mask);
                    for (int i = 0; i < tgtLen; i++) {
                        int row = i * srcLen;
                        float lse = logSumExp[bh * tgtLen + i];
                        if (lse == Float.NEGATIVE_INFINITY) {
                            Arrays.fill(probs, row, row + srcLen, 0f); // fully masked: no weight, no gradient
                        } else {
                            for (int j = row; j < row + srcLen; j++) {
                                probs[j] = (float) Math.exp(probs[j] - (double) lse);
                            }
                        }
                    }
                    float[] dropped = probs;
                    if (dropout > 0f) {
                        System.arraycopy(probs, 0, work, 0, probs.length);
                        DropoutOp.applyInPlace(work, 0, work.length, firstIndex, dropout, dropoutSeed);
                        dropped = work;
                    }
                    // dV = Pd^T dO   (srcLen, valueHeadDim)
                    k.matmulTransA(dV.data(), dV.at(b, h), dV.rowStride(), dropped, 0, srcLen,
                            dO.data(), dO.at(b, h), dO.rowStride(), srcLen, valueHeadDim, tgtLen);
                    // dPd = dO V^T   (tgtLen, srcLen); dP = dPd * D / (1 - p)
                    k.matmulTransB(work, 0, srcLen, dO.data(), dO.at(b, h), dO.rowStride(),
                            v.data(), v.at(b, h), v.rowStride(), tgtLen, srcLen, valueHeadDim);
                    if (dropout > 0f) {
                        DropoutOp.applyInPlace(work, 0, work.length, firstIndex, dropout, dropoutSeed);
                    }
                    // dS * scale = P * (dP - rowDot) * scale, in place of dP
                    for (int i = 0; i < tgtLen; i++) {
                        int row = i * srcLen;
                        float rowDot = k.dot(probs, row, work, row, srcLen);
                        for (int j = row; j < row + srcLen; j++) {
                            work[j] = probs[j] * (work[j] - rowDot) * scale;
                        }
                    }
                    // dQ = (dS * scale) K   (tgtLen, headDim)
                    k.matmul(dQ.data(), dQ.at(b, h), dQ.rowStride(), work, 0, srcLen,
                            kk.data(), kk.at(b, h), kk.rowStride(), tgtLen, headDim, srcLen);
                    // dK = (dS * scale)^T Q   (srcLen, headDim)
                    k.matmulTransA(dK.data(), dK.at(b, h), dK.rowStride(), work, 0, srcLen,
                            q.data(), q.at(b, h), q.rowStride(), srcLen, headDim, tgtLen);
                }
            });
            grads.add(query, dQuery);
            grads.add(key, dKey);
            grads.add(value, dValue);
        }
    }

    /** {@code scores = Q K^T * scale}, then the mask, for head {@code h} of sequence {@code b}: (tgtLen, srcLen). */
    private static void maskedScores(Kernels k, float[] scores, Operand q, Operand key, int b, int h, Dims d,
                                     float scale, ScoreMask mask) {
        maskedScores(k, scores, 0, q.data(), q.at(b, h), q.rowStride(), key.data(), key.at(b, h), key.rowStride(),
                b, h, d.tgtLen(), d.srcLen(), d.maskedSrcLen(), d.headDim(), scale, mask);
    }

    /**
     * {@code scores[off ..] (tgtLen, srcLen) = Q K^T * scale}, then the mask, for head {@code h} of sequence
     * {@code b}, with that head's {@code Q (tgtLen, headDim)} at {@code q[qOff ..]} (rows {@code ldq} apart) and
     * {@code K (srcLen, headDim)} at {@code key[keyOff ..]} (rows {@code ldk} apart).
     */
    private static void maskedScores(Kernels k, float[] scores, int off, float[] q, int qOff, int ldq, float[] key,
                                     int keyOff, int ldk, int b, int h, int tgtLen, int srcLen, int maskedSrcLen,
                                     int headDim, float scale, ScoreMask mask) {
        k.matmulTransB(scores, off, srcLen, q, qOff, ldq, key, keyOff, ldk, tgtLen, srcLen, headDim);
        k.scale(scores, off, scores, off, scale, tgtLen * srcLen);
        for (int i = 0; i < tgtLen; i++) {
            mask.applyToRow(scores, off + i * srcLen, b, h, i, tgtLen, maskedSrcLen);
        }
    }

    /** {@code log sum_j exp(x_j)} over {@code x[off .. off+n)}, summed in double; {@code -inf} if all are. */
    private static float logSumExp(float[] x, int off, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = off; j < off + n; j++) {
            max = Math.max(max, x[j]);
        }
        if (max == Float.NEGATIVE_INFINITY) {
            return max;
        }
        double sum = 0;
        for (int j = off; j < off + n; j++) {
            sum += Math.exp(x[j] - (double) max);
        }
        return (float) (max + Math.log(sum));
    }

    /** The dropout hash index of weight (bh, 0, 0): weight (bh, i, j) is {@code (bh * tgtLen + i) * srcLen + j}. */
    private static long firstDropoutIndex(int bh, int tgtLen, int srcLen) {
        return (long) bh * tgtLen * srcLen;
    }

    /**
     * A head's view of one operand: element {@code (b, h, row, col)} is at
     * {@code offset + b * batchStride + h * headStride + row * rowStride + col}.
     */
    record Operand(float[] data, int offset, int batchStride, int headStride, int rowStride) {

        Operand(float[] data, int batchStride, int headStride, int rowStride) {
            this(data, 0, batchStride, headStride, rowStride);
        }

        /** {@code t} seen as {@code numHeads} heads of {@code (len, width)} per sequence, laid out as {@code layout}. */
        static Operand of(AttentionLayout layout, Tensor t, int numHeads, int len, int width) {
            return switch (layout) {
                // (batchSize, len, numHeads * width)
                case TOKENS_MAJOR -> new Operand(t.data(), len * numHeads * width, width, numHeads * width);
                // (batchSize, numHeads, len, width)
                case HEADS_MAJOR -> new Operand(t.data(), numHeads * len * width, len * width, width);
            };
        }

        /**
         * Third {@code part} (0: Q, 1: K, 2: V) of packed projections {@code qkv (batchSize, len, 3 * numHeads *
         * width)}, whose rows are {@code Q | K | V}, each tokens major: head {@code h} of part {@code part} is columns
         * {@code [part * numHeads * width + h * width, ... + width)}.
         */
        static Operand packed(Tensor qkv, int part, int numHeads, int len, int width) {
            int modelDim = numHeads * width;
            return new Operand(qkv.data(), part * modelDim, len * 3 * modelDim, width, 3 * modelDim);
        }

        int at(int b, int h) {
            return offset + b * batchStride + h * headStride;
        }
    }

    /** The dims of one call, checked against each other. */
    record Dims(int batchSize, int numHeads, int tgtLen, int srcLen, int maskedSrcLen, int headDim, int valueHeadDim) {

        static Dims of(Tensor query, Tensor key, Tensor value, AttentionLayout layout, int numHeads,
                       int maskedSrcLen) {
            Objects.requireNonNull(layout, "layout must not be null");
            if (numHeads < 1) {
                throw new IllegalArgumentException("numHeads: expected >= 1 but got " + numHeads);
            }
            int[] q = perHead("query", query, layout, numHeads, "tgtLen", "headDim");
            int[] k = perHead("key", key, layout, numHeads, "srcLen", "headDim");
            int[] v = perHead("value", value, layout, numHeads, "srcLen", "valueHeadDim");
            if (k[0] != q[0] || k[2] != q[2]) {
                throw new IllegalArgumentException("key: expected shape " + legend(layout, key, "srcLen", "headDim")
                        + " = " + pattern(layout, key, q[0], numHeads, -1, q[2]) + " to match query " + query.shape()
                        + " but got " + key.shape());
            }
            if (v[0] != k[0] || v[1] != k[1]) {
                throw new IllegalArgumentException("value: expected shape "
                        + legend(layout, value, "srcLen", "valueHeadDim") + " = "
                        + pattern(layout, value, k[0], numHeads, k[1], -1) + " to match key " + key.shape()
                        + " but got " + value.shape());
            }
            if (maskedSrcLen < 0 || maskedSrcLen > k[1]) {
                throw new IllegalArgumentException("maskedSrcLen: expected a key count in [0, srcLen = " + k[1]
                        + "] but got " + maskedSrcLen);
            }
            if ((long) q[1] * k[1] > Integer.MAX_VALUE - 16) {
                throw new IllegalArgumentException("tgtLen * srcLen = " + q[1] + " * " + k[1]
                        + " scores per head do not fit in one Java array");
            }
            return new Dims(q[0], numHeads, q[1], k[1], maskedSrcLen, q[2], v[2]);
        }

        /** The output's dims: {@code (batchSize, tgtLen, numHeads * valueHeadDim)} or the query's rank, heads major. */
        int[] outputDims(Tensor query, AttentionLayout layout) {
            return switch (layout) {
                case TOKENS_MAJOR -> new int[] {batchSize, tgtLen, numHeads * valueHeadDim};
                case HEADS_MAJOR -> query.rank() == 3 ? new int[] {batchSize, tgtLen, valueHeadDim}
                        : new int[] {batchSize, numHeads, tgtLen, valueHeadDim};
            };
        }

        /** {@code (batchSize, len, width per head)} of one operand, after checking its rank and its heads. */
        private static int[] perHead(String name, Tensor t, AttentionLayout layout, int numHeads, String len,
                                     String width) {
            if (t == null) {
                throw new NullPointerException(name + " must not be null");
            }
            return switch (layout) {
                case TOKENS_MAJOR -> {
                    if (t.rank() != 3 || t.dim(2) % numHeads != 0) {
                        throw new IllegalArgumentException(name + ": expected shape (batchSize, " + len
                                + ", numHeads * " + width + ") with a last dim divisible by numHeads = " + numHeads
                                + " but got " + t.shape());
                    }
                    yield new int[] {t.dim(0), t.dim(1), t.dim(2) / numHeads};
                }
                case HEADS_MAJOR -> {
                    if (t.rank() == 4 && t.dim(1) == numHeads) {
                        yield new int[] {t.dim(0), t.dim(2), t.dim(3)};
                    }
                    if (t.rank() == 3 && numHeads == 1) {
                        yield new int[] {t.dim(0), t.dim(1), t.dim(2)};
                    }
                    throw new IllegalArgumentException(name + ": expected shape (batchSize, numHeads, " + len + ", "
                            + width + ") with numHeads = " + numHeads + (numHeads == 1 ? " (or (batchSize, " + len
                            + ", " + width + "))" : "") + " but got " + t.shape());
                }
            };
        }

        private static String legend(AttentionLayout layout, Tensor t, String len, String width) {
            return switch (layout) {
                case TOKENS_MAJOR -> "(batchSize, " + len + ", numHeads * " + width + ")";
                case HEADS_MAJOR -> t.rank() == 3 ? "(batchSize, " + len + ", " + width + ")"
                        : "(batchSize, numHeads, " + len + ", " + width + ")";
            };
        }

        /** The expected dims in the operand's own layout, {@code *} where any size fits. */
        private static String pattern(AttentionLayout layout, Tensor t, int batchSize, int numHeads, int len,
                                      int width) {
            String l = len < 0 ? "*" : Integer.toString(len);
            String w = width < 0 ? "*" : Integer.toString(width);
            return switch (layout) {
                case TOKENS_MAJOR -> "[" + batchSize + ", " + l + ", " + (width < 0 ? "*" : numHeads * width) + "]";
                case HEADS_MAJOR -> t.rank() == 3 ? "[" + batchSize + ", " + l + ", " + w + "]"
                        : "[" + batchSize + ", " + numHeads + ", " + l + ", " + w + "]";
            };
        }
    }
}
