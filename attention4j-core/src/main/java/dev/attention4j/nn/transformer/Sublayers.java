package dev.attention4j.nn.transformer;

import dev.attention4j.nn.Dropout;
import dev.attention4j.nn.FeedForward;
import dev.attention4j.nn.LayerNorm;
import dev.attention4j.nn.Mode;
import dev.attention4j.nn.attention.AttentionObserver;
import dev.attention4j.nn.attention.AttentionSite;
import dev.attention4j.nn.attention.Mask;
import dev.attention4j.nn.attention.MultiHeadAttention;
import dev.attention4j.tensor.Elementwise;
import dev.attention4j.tensor.Tensor;

/** The two residual branches of every layer, each followed by dropout as in the paper (section 5.4). */
final class Sublayers {

    private Sublayers() {
    }

    /**
     * {@code dropout(attention(x, memory, memory))}; self-attention passes {@code memory = x}. {@code observer} is
     * handed the weights it asks for at {@code site}.
     */
    static Tensor attention(MultiHeadAttention attention, Tensor x, Tensor memory, Mask mask, float dropout,
                            Mode mode, AttentionObserver observer, AttentionSite site) {
        Tensor attended = attention.forward(x, memory, memory, mask, mode.child(0), observer, site);
        return Dropout.apply(attended, dropout, mode.child(1));
    }

    /**
     * {@code sub + x}, written over {@code sub}: at inference (no tape) a sublayer's output is this layer's own fresh
     * tensor, so the residual sum needs no new array (the bits of {@code AddOp.apply(null, x, sub)}).
     */
    static Tensor residualInPlace(Tensor sub, Tensor x) {
        Elementwise.addInto(sub.data(), sub.data(), x.data(), sub.size());
        return sub;
    }

    /** {@code norm(sub + x)}, written over {@code sub} at inference, as {@link #residualInPlace}. */
    static Tensor residualAndNormInPlace(Tensor sub, Tensor x, LayerNorm norm) {
        norm.forwardResidualInto(sub.data(), sub.data(), x.data(), sub.size() / sub.dim(-1));
        return sub;
    }

    /** {@code dropout(ffn(x))}. */
    static Tensor feedForward(FeedForward feedForward, Tensor x, float dropout, Mode mode) {
        return Dropout.apply(feedForward.forward(x, mode.child(0)), dropout, mode.child(1));
    }
}
