package dev.attention4j.train;

import dev.attention4j.tensor.Tensor;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Everything needed to resume training: the model's weights, the optimizer's state, the configuration that built
 * them and any small extras (a data-loader position, a seed, a loss). Made by the trainer, written and read by a
 * {@link CheckpointStore}.
 *
 * <p>The maps are copied (as unmodifiable, in their order) but the tensors are not: pass snapshots, such as
 * {@link dev.attention4j.nn.Module#stateDict()} and {@link Optimizer#state()}, not live parameters that the next
 * step will change.
 *
 * @param step           the number of optimizer steps taken, {@code >= 0}
 * @param weights        the model's parameters under their PyTorch names
 * @param optimizerState {@link Optimizer#state()}
 * @param configJson     the model and training configuration as a JSON document (the store keeps it as text)
 * @param extra          free-form string pairs
 */
public record Checkpoint(long step, Map<String, Tensor> weights, Map<String, Tensor> optimizerState,
                         String configJson, Map<String, String> extra) {

    public Checkpoint {
        if (step < 0) {
            throw new IllegalArgumentException("step: expected >= 0 but got " + step);
        }
        weights = copy("weights", weights);
        optimizerState = copy("optimizerState", optimizerState);
        Objects.requireNonNull(configJson, "configJson");
        extra = copy("extra", extra);
    }

    private static <V> Map<String, V> copy(String what, Map<String, V> map) {
        Objects.requireNonNull(map, what);
        Map<String, V> copy = new LinkedHashMap<>();
        map.forEach((name, value) -> {
            Objects.requireNonNull(name, () -> what + " has a null name");
            copy.put(name, Objects.requireNonNull(value, () -> what + "['" + name + "'] is null"));
        });
        return Collections.unmodifiableMap(copy);
    }
}
