package dev.attention4j.models.formats;

import dev.attention4j.nn.Module;
import dev.attention4j.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Saves and loads a module's parameters as safetensors under PyTorch's own names, so weights move both ways:
 * <pre>{@code
 * # PyTorch (tied weights must be saved once: drop the duplicate name, as safetensors' save_model does)
 * from safetensors.torch import save_model
 * save_model(model, "model.safetensors")
 * }</pre>
 * <pre>{@code
 * // attention4j
 * ModuleWeights.load(model, Path.of("model.safetensors"));
 * }</pre>
 * F32, F16 and BF16 files load (converted to fp32); files are written in F32.
 */
public final class ModuleWeights {

    private ModuleWeights() {
    }

    /** Writes every parameter of {@code module} to {@code path} (atomically), with optional string metadata. */
    public static void save(Module module, Path path, Map<String, String> metadata) throws IOException {
        Safetensors.write(path, module.namedParameters(), metadata);
    }

    /** Writes every parameter of {@code module} to {@code path} (atomically). */
    public static void save(Module module, Path path) throws IOException {
        save(module, path, Map.of());
    }

    /**
     * Loads {@code path} into {@code module} strictly: every parameter present with its shape, no unknown names.
     *
     * @throws WeightFormatException if the file is malformed or its tensors do not fit the module (the message
     *                               names the file and lists every missing, unexpected and mis-shaped name)
     */
    public static void load(Module module, Path path) throws IOException {
        Map<String, Tensor> state = Safetensors.readAll(path);
        try {
            module.loadStateDict(state);
        } catch (IllegalArgumentException e) {
            throw new WeightFormatException(path, WeightFormatException.NO_OFFSET, e.getMessage(),
                    "the file holds weights for a differently shaped or differently configured module", e);
        }
    }
}
