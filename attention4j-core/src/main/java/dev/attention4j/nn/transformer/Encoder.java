package dev.attention4j.nn.transformer;

import dev.attention4j.nn.LayerNorm;
import dev.attention4j.nn.Mode;
import dev.attention4j.nn.Module;
import dev.attention4j.nn.attention.AttentionKind;
import dev.attention4j.nn.attention.AttentionObserver;
import dev.attention4j.nn.attention.AttentionSite;
import dev.attention4j.nn.attention.Mask;
import dev.attention4j.tensor.BufferPool;
import dev.attention4j.tensor.Tensor;

import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * N encoder layers and an optional final LayerNorm, {@code nn.TransformerEncoder}. Parameters
 * {@code layers.<i>.*} and {@code norm.*}.
 */
public final class Encoder implements Module {

    private final List<EncoderLayer> layers;
    private final LayerNorm norm;

    public Encoder(TransformerLayerConfig layer, int numLayers, FinalNorm finalNorm, RandomGenerator random) {
        this.layers = LayerStack.build(numLayers, () -> new EncoderLayer(layer, random));
        this.norm = LayerStack.finalNorm(finalNorm, layer);
    }

    /** {@code src (batchSize, srcLen, modelDim) -> memory (batchSize, srcLen, modelDim)}. */
    public Tensor forward(Tensor src, Mask mask, Mode mode) {
        return forward(src, mask, mode, AttentionObserver.NONE);
    }

    /**
     * {@link #forward(Tensor, Mask, Mode)} watched by {@code observer}: layer {@code i}'s self-attention is the site
     * {@code (ENCODER, i, SELF, 0)}.
     */
    public Tensor forward(Tensor src, Mask mask, Mode mode, AttentionObserver observer) {
        if (mode.tape() == null && !BufferPool.lendingOnThisThread()) {
            return forwardReusing(src, mask, mode, observer);
        }
        Tensor x = src;
        for (int i = 0; i < layers.size(); i++) {
            x = layers.get(i).forward(x, mask, mode.child(i), observer, site(observer, i));
        }
        return norm == null ? x : norm.forward(x, mode);
    }

    /**
     * The forward without a tape, each layer in a scope of a borrowed {@link BufferPool}: a layer's intermediate
     * arrays (projections, the feed-forward's hidden layer; tens of MB at a batch of 32 x 128 tokens) are the arrays
     * the previous layer (or call) used, not fresh ones for the operating system to hand over and zero. Each layer's
     * output is {@linkplain BufferPool.Scope#keep kept} out of its scope as the next layer's input, and
     * {@linkplain BufferPool#recycle given back} once that layer has run: no copy (a copy of each layer's output, on
     * the calling thread while the others waited, was 1.1-1.5% of a corpus pass). The last layer's array leaves with
     * the result. Same bits as the plain loop.
     */
    private Tensor forwardReusing(Tensor src, Mask mask, Mode mode, AttentionObserver observer) {
        BufferPool pool = BufferPool.borrow();
        try {
            Tensor x = src;
            for (int i = 0; i < layers.size(); i++) {
                Tensor y;
                try (BufferPool.Scope scope = pool.open()) {
                    y = scope.keep(layers.get(i).forward(x, mask, mode.child(i), observer, site(observer, i)));
                }
                recycleRead(pool, src, x, y);
                x = y;
            }
            if (norm == null) {
                return x;
            }
            Tensor out = norm.forward(x, mode); // on the heap: no scope is open
            recycleRead(pool, src, x, out);
            return out;
        } finally {
            BufferPool.giveBack(pool);
        }
    }

    /** Gives {@code read}'s kept array back to {@code pool} once {@code result} is made from it (not the input's). */
    private static void recycleRead(BufferPool pool, Tensor src, Tensor read, Tensor result) {
        if (read != src && read.data() != result.data()) {
            pool.recycle(read.data());
        }
    }

    private static AttentionSite site(AttentionObserver observer, int layer) {
        return observer == AttentionObserver.NONE ? null
                : new AttentionSite(AttentionSite.Stack.ENCODER, layer, AttentionKind.SELF, 0);
    }

    /** Freezes every layer's weights for inference (see {@link EncoderLayer#freeze}). */
    public void freeze() {
        for (EncoderLayer layer : layers) {
            layer.freeze();
        }
    }

    public List<EncoderLayer> layers() {
        return layers;
    }

    @Override
    public void collectParameters(String prefix, Map<String, Tensor> into) {
        LayerStack.collectParameters(prefix, layers, norm, into);
    }
}
