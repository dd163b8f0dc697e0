package dev.attention4j.nn.transformer;

import dev.attention4j.nn.LayerNorm;
import dev.attention4j.nn.Mode;
import dev.attention4j.nn.Module;
import dev.attention4j.nn.attention.Mask;
import dev.attention4j.tensor.Tensor;

import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * N decoder layers and an optional final LayerNorm, {@code nn.TransformerDecoder}. Every layer cross-attends to
 * the same encoder memory. Parameters {@code layers.<i>.*} and {@code norm.*}.
 */
public final class Decoder implements Module {

    private final List<DecoderLayer> layers;
    private final LayerNorm norm;

    public Decoder(TransformerLayerConfig layer, int numLayers, FinalNorm finalNorm, RandomGenerator random) {
        this.layers = LayerStack.build(numLayers, () -> new DecoderLayer(layer, random));
        this.norm = LayerStack.finalNorm(finalNorm, layer);
    }

    /**
     * {@code tgt (batchSize, tgtLen, modelDim)}, {@code memory (batchSize, srcLen, modelDim)} ->
     * {@code (batchSize, tgtLen, modelDim)}.
     */
    public Tensor forward(Tensor tgt, Tensor memory, Mask selfMask, Mask memoryMask, Mode mode) {
        Tensor x = tgt;
        for (int i = 0; i < layers.size(); i++) {
            x = layers.get(i).forward(x, memory, selfMask, memoryMask, mode.child(i));
        }
        return norm == null ? x : norm.forward(x, mode);
    }

    public List<DecoderLayer> layers() {
        return layers;
    }

    @Override
    public void collectParameters(String prefix, Map<String, Tensor> into) {
        LayerStack.collectParameters(prefix, layers, norm, into);
    }
}
