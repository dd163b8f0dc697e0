package dev.attention4j.nn.transformer;

import dev.attention4j.nn.LayerNorm;
import dev.attention4j.nn.Module;
import dev.attention4j.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/** What {@link Encoder} and {@link Decoder} share: N layers and an optional final LayerNorm, named as PyTorch. */
final class LayerStack {

    private LayerStack() {
    }

    static <L extends Module> List<L> build(int numLayers, Supplier<L> layer) {
        if (numLayers < 1) {
            throw new IllegalArgumentException("numLayers: expected >= 1 but got " + numLayers);
        }
        List<L> layers = new ArrayList<>();
        for (int i = 0; i < numLayers; i++) {
            layers.add(layer.get());
        }
        return List.copyOf(layers);
    }

    /** The final norm, or null for {@link FinalNorm#NONE}. */
    static LayerNorm finalNorm(FinalNorm finalNorm, TransformerLayerConfig layer) {
        return Objects.requireNonNull(finalNorm, "finalNorm") == FinalNorm.LAYER_NORM
                ? new LayerNorm(layer.modelDim(), layer.layerNormEps()) : null;
    }

    /** {@code layers.<i>.*} then {@code norm.*}. */
    static void collectParameters(String prefix, List<? extends Module> layers, LayerNorm norm,
                                  Map<String, Tensor> into) {
        for (int i = 0; i < layers.size(); i++) {
            Module.collectChild(prefix, "layers." + i, layers.get(i), into);
        }
        Module.collectChild(prefix, "norm", norm, into);
    }
}
