package dev.attention4j.nn.attention;

import dev.attention4j.tensor.Tensor;

/**
 * Converters from PyTorch's mask conventions to {@link Mask} (where {@code true} always means keep).
 *
 * <ul>
 *   <li>{@code nn.MultiheadAttention}, {@code nn.Transformer*}: a bool {@code attn_mask} or
 *       {@code key_padding_mask} has {@code True} = <em>blocked</em> / padding; a float mask is added to the
 *       scores; a 3-D {@code attn_mask} is {@code (batchSize * numHeads, tgtLen, srcLen)}.</li>
 *   <li>{@code F.scaled_dot_product_attention}: a bool {@code attn_mask} has {@code True} = <em>keep</em>.</li>
 * </ul>
 */
public final class TorchMasks {

    private TorchMasks() {
    }

    /**
     * A bool {@code attn_mask} of {@code nn.MultiheadAttention} (True = blocked), {@code (tgtLen, srcLen)} or
     * {@code (batchSize * numHeads, tgtLen, srcLen)}; {@code numHeads} is needed to unfold the 3-D form.
     */
    public static Mask fromMultiheadAttentionBoolMask(boolean[] blocked, int numHeads, int... dims) {
        boolean[] keep = new boolean[blocked.length];
        for (int i = 0; i < blocked.length; i++) {
            keep[i] = !blocked[i];
        }
        return Mask.bool(keep, unfoldHeads("attn_mask", dims, numHeads));
    }

    /**
     * A float {@code attn_mask} of {@code nn.MultiheadAttention} (added to the scores), {@code (tgtLen, srcLen)} or
     * {@code (batchSize * numHeads, tgtLen, srcLen)}.
     */
    public static Mask fromMultiheadAttentionFloatMask(Tensor attnMask, int numHeads) {
        return Mask.additive(attnMask.reshape(unfoldHeads("attn_mask", attnMask.shape().dims(), numHeads)));
    }

    /** A {@code key_padding_mask} of {@code nn.MultiheadAttention}, {@code (batchSize, srcLen)}, True = padding. */
    public static Mask fromKeyPaddingMask(boolean[][] padding) {
        boolean[][] keep = new boolean[padding.length][];
        for (int b = 0; b < padding.length; b++) {
            keep[b] = new boolean[padding[b].length];
            for (int j = 0; j < keep[b].length; j++) {
                keep[b][j] = !padding[b][j];
            }
        }
        return Mask.keyPadding(keep);
    }

    /**
     * A bool {@code attn_mask} of {@code F.scaled_dot_product_attention} (True = keep), {@code (tgtLen, srcLen)}
     * or 4-D broadcastable.
     */
    public static Mask fromScaledDotProductBoolMask(boolean[] keep, int... dims) {
        return Mask.bool(keep, dims);
    }

    private static int[] unfoldHeads(String name, int[] dims, int numHeads) {
        if (dims.length == 2) {
            return dims;
        }
        if (dims.length == 3) {
            if (numHeads <= 0 || dims[0] % numHeads != 0) {
                throw new IllegalArgumentException(name + ": a 3-D mask must be (batchSize * numHeads, tgtLen, srcLen) "
                        + "with numHeads = " + numHeads + ", but its first dim is " + dims[0]);
            }
            return new int[] {dims[0] / numHeads, numHeads, dims[1], dims[2]};
        }
        throw new IllegalArgumentException(name + ": expected a 2-D (tgtLen, srcLen) or 3-D (batchSize * numHeads, "
                + "tgtLen, srcLen) mask but got " + dims.length + " dims");
    }
}
