package dev.attention4j.nn.transformer;

import dev.attention4j.nn.LayerNorm;
import dev.attention4j.nn.Mode;
import dev.attention4j.nn.Module;
import dev.attention4j.nn.attention.AttentionKind;
import dev.attention4j.nn.attention.AttentionObserver;
import dev.attention4j.nn.attention.AttentionSite;
import dev.attention4j.nn.attention.Mask;
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
        Tensor x = src;
        for (int i = 0; i < layers.size(); i++) {
            AttentionSite site = observer == AttentionObserver.NONE ? null
                    : new AttentionSite(AttentionSite.Stack.ENCODER, i, AttentionKind.SELF, 0);
            x = layers.get(i).forward(x, mask, mode.child(i), observer, site);
        }
        return norm == null ? x : norm.forward(x, mode);
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
