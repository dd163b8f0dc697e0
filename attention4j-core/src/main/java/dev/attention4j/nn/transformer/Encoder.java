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
 * N encoder layers and an optional final LayerNorm, {@code nn.TransformerEncoder}. Parameters
 * {@code layers.<i>.*} and {@code norm.*}.
 */
public final class Encoder implements Module {

    private final List<EncoderLayer> layers;
    private final LayerNorm norm;

    public Encoder(TransformerLayerConfig layer, int numLayers, FinalNorm finalNorm, RandomGenerator random) {
        if (numLayers < 1) {
            throw new IllegalArgumentException("numLayers: expected >= 1 but got " + numLayers);
        }
        List<EncoderLayer> built = new ArrayList<>();
        for (int i = 0; i < numLayers; i++) {
            built.add(new EncoderLayer(layer, random));
        }
        this.layers = List.copyOf(built);
        this.norm = Objects.requireNonNull(finalNorm, "finalNorm") == FinalNorm.LAYER_NORM
                ? new LayerNorm(layer.modelDim(), layer.layerNormEps()) : null;
    }

    /** {@code src (batchSize, srcLen, modelDim) -> memory (batchSize, srcLen, modelDim)}. */
    public Tensor forward(Tensor src, Mask mask, Mode mode) {
        Tensor x = src;
        for (int i = 0; i < layers.size(); i++) {
            x = layers.get(i).forward(x, mask, mode.child(i));
        }
        return norm == null ? x : norm.forward(x);
    }

    public List<EncoderLayer> layers() {
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
