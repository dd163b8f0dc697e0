package dev.attention4j.nn.attention;

import dev.attention4j.autograd.AttentionLayout;
import dev.attention4j.autograd.AttentionOp;
import dev.attention4j.nn.Mode;
import dev.attention4j.tensor.Tensor;

/**
 * {@code Attention(Q, K, V) = softmax(Q K^T * scale + mask) V}, the core of every mechanism in the family.
 * Q, K and V may come from anywhere: the same sequence (self-attention) or two (cross-attention).
 *
 * <p>Shapes: {@code query (batchSize, numHeads, tgtLen, headDim)}, {@code key (batchSize, numHeads, srcLen, headDim)},
 * {@code value (batchSize, numHeads, srcLen, valueHeadDim)} -> {@code (batchSize, numHeads, tgtLen, valueHeadDim)};
 * or the same without the {@code numHeads} dim for a single head. The default scale is {@code 1 / sqrt(headDim)}.
 */
public final class ScaledDotProductAttention {

    private ScaledDotProductAttention() {
    }

    /** Attention with the default scale and no weights returned. */
    public static Tensor attend(Tensor query, Tensor key, Tensor value, Mask mask) {
        return attend(query, key, value, mask, AttentionOptions.DEFAULTS).output();
    }

    /**
     * Attention with options. Weights, when asked for, are {@code (batchSize, numHeads, tgtLen, srcLen)} (without
     * {@code numHeads} for 3-D inputs; {@link AttentionWeights#HEAD_AVERAGE} averages over heads). In a training mode
     * with a tape ({@code Mode.training(seed, tape)}) the call is recorded and gradients reach {@code query},
     * {@code key} and {@code value}; the returned weights are an observation, not differentiable.
     */
    public static AttentionOutput attend(Tensor query, Tensor key, Tensor value, Mask mask, AttentionOptions options) {
        boolean singleHead = query != null && query.rank() == 3;
        Tensor q = asFourD("query", query);
        Tensor k = asFourD("key", key);
        Tensor v = asFourD("value", value);
        int batchSize = q.dim(0);
        int numHeads = q.dim(1);
        int tgtLen = q.dim(2);
        int headDim = q.dim(3);
        int srcLen = k.dim(2);
        String legend = singleHead ? "(batchSize, srcLen, headDim)" : "(batchSize, numHeads, srcLen, headDim)";
        if (k.rank() != q.rank() || k.dim(0) != batchSize || k.dim(1) != numHeads || k.dim(3) != headDim) {
            throw new IllegalArgumentException("key: expected shape " + legend + " = " + dims(singleHead, batchSize,
                    numHeads, "srcLen", headDim) + " to match query " + query.shape() + " but got " + key.shape());
        }
        if (v.dim(0) != batchSize || v.dim(1) != numHeads || v.dim(2) != srcLen) {
            throw new IllegalArgumentException("value: expected shape " + (singleHead
                    ? "(batchSize, srcLen, valueHeadDim)" : "(batchSize, numHeads, srcLen, valueHeadDim)") + " = "
                    + dims(singleHead, batchSize, numHeads, Integer.toString(srcLen), -1) + " to match key "
                    + key.shape() + " but got " + value.shape());
        }
        Mask m = mask == null ? Mask.none() : mask;
        MaskShapes.validate(m, batchSize, numHeads, tgtLen, srcLen);

        float[] weights = options.weights() == AttentionWeights.NONE ? null
                : new float[batchSize * numHeads * tgtLen * srcLen];
        long seed = options.mode() instanceof Mode.Training t ? t.seed() : 0L;
        float dropout = options.mode() instanceof Mode.Training ? options.dropout() : 0f;
        // The caller's own tensors go in (3-D ones too), so a training tape's gradients reach them.
        Tensor output = AttentionOp.apply(options.mode().tape(), query, key, value, AttentionLayout.HEADS_MAJOR,
                numHeads, options.scaleFor(headDim), MaskShapes.scoreMask(m), srcLen, dropout, seed, weights);

        Tensor w = switch (options.weights()) {
            case NONE -> null;
            case PER_HEAD -> singleHead ? Tensor.of(weights, batchSize, tgtLen, srcLen)
                    : Tensor.of(weights, batchSize, numHeads, tgtLen, srcLen);
            case HEAD_AVERAGE -> HeadAverage.of(weights, batchSize, numHeads, tgtLen, srcLen);
        };
        return new AttentionOutput(output, w);
    }

    private static Tensor asFourD(String name, Tensor t) {
        if (t == null) {
            throw new NullPointerException(name + " must not be null");
        }
        return switch (t.rank()) {
            case 3 -> t.reshape(t.dim(0), 1, t.dim(1), t.dim(2));
            case 4 -> t;
            default -> throw new IllegalArgumentException(name + ": expected shape (batchSize, numHeads, len, dim) or "
                    + "(batchSize, len, dim) but got " + t.shape());
        };
    }

    private static String dims(boolean singleHead, int batchSize, int numHeads, String len, int last) {
        String tail = len + ", " + (last < 0 ? "*" : Integer.toString(last)) + "]";
        return singleHead ? "[" + batchSize + ", " + tail : "[" + batchSize + ", " + numHeads + ", " + tail;
    }
}
