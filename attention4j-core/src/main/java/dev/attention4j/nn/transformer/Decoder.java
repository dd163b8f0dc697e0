package dev.attention4j.nn.transformer;

import dev.attention4j.nn.LayerNorm;
import dev.attention4j.nn.Mode;
import dev.attention4j.nn.Module;
import dev.attention4j.nn.attention.Mask;
import dev.attention4j.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * N decoder layers and an optional final LayerNorm, {@code nn.TransformerDecoder}. Every layer cross-attends to
 * the same encoder memory. Parameters {@code layers.<i>.*} and {@code norm.*}.
 */
public final class Decoder implements Module {

    private final List<DecoderLayer> layers;
    private final LayerNorm norm;

    public Decoder(TransformerLayerConfig layer, int numLayers, FinalNorm finalNorm, RandomGenerator random) {
        if (numLayers < 1) {
            throw new IllegalArgumentException("numLayers: expected >= 1 but got " + numLayers);
        }
        List<DecoderLayer> built = new ArrayList<>();
        for (int i = 0; i < numLayers; i++) {
            built.add(new DecoderLayer(layer, random));
        }
        this.layers = List.copyOf(built);
        this.norm = Objects.requireNonNull(finalNorm, "finalNorm") == FinalNorm.LAYER_NORM
                ? new LayerNorm(layer.modelDim(), layer.layerNormEps()) : null;
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
        return norm == null ? x : norm.forward(x);
    }

    public List<DecoderLayer> layers() {
        return layers;
    }

    @Override
    public void collectParameters(String prefix, Map<String, Tensor> into) {
        for (int i = 0; i < layers.size(); i++) {
            Module.collectChild(prefix, "layers." + i, layers.get(i), into);
        }
        Module.collectChild(prefix, "norm", norm, into);
    }
}
