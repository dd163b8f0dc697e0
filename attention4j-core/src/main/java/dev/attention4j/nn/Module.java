package dev.attention4j.nn;

import dev.attention4j.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A piece of a model with named parameters. Names are PyTorch's {@code state_dict()} keys for the equivalent
 * {@code torch.nn} module ({@code in_proj_weight}, {@code self_attn.out_proj.weight}, {@code layers.0.norm1.bias},
 * ...), so weights trained in PyTorch load here unchanged and weights saved here load in PyTorch.
 */
public interface Module {

    /**
     * Adds this module's parameters to {@code into}, each name prefixed by {@code prefix} (empty, or ending in a dot).
     * The tensors are the live parameters, not copies. A tied parameter appears once.
     */
    void collectParameters(String prefix, Map<String, Tensor> into);

    /**
     * The live parameters under their PyTorch names, in registration order. A tensor registered under two names
     * (a tied weight) is listed under the first only, as PyTorch's {@code named_parameters()} does.
     */
    default Map<String, Tensor> namedParameters() {
        Map<String, Tensor> collected = new LinkedHashMap<>();
        collectParameters("", collected);
        Map<String, Tensor> params = new LinkedHashMap<>();
        Set<Tensor> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        collected.forEach((name, t) -> {
            if (seen.add(t)) {
                params.put(name, t);
            }
        });
        return params;
    }

    /** A copy of every parameter, ready to save. */
    default Map<String, Tensor> stateDict() {
        Map<String, Tensor> copy = new LinkedHashMap<>();
        namedParameters().forEach((name, t) -> copy.put(name, t.copy()));
        return copy;
    }

    /** The number of scalar parameters (tied parameters counted once). */
    default long parameterCount() {
        long n = 0;
        for (Tensor t : namedParameters().values()) {
            n += t.size();
        }
        return n;
    }

    /**
     * Copies {@code state} into the parameters, strictly as PyTorch's {@code load_state_dict(strict=True)}: every
     * parameter must be present with its exact shape and no unknown name may appear. On any mismatch nothing is
     * changed and the exception lists every missing, unexpected and mis-shaped name.
     */
    default void loadStateDict(Map<String, Tensor> state) {
        Map<String, Tensor> params = namedParameters();
        Set<String> missing = new TreeSet<>();
        Set<String> unexpected = new TreeSet<>(state.keySet());
        List<String> misShaped = new ArrayList<>();
        for (Map.Entry<String, Tensor> p : params.entrySet()) {
            Tensor given = state.get(p.getKey());
            unexpected.remove(p.getKey());
            if (given == null) {
                missing.add(p.getKey());
            } else if (!given.shape().equals(p.getValue().shape())) {
                misShaped.add(p.getKey() + ": expected shape " + p.getValue().shape() + " but got " + given.shape());
            }
        }
        if (!missing.isEmpty() || !unexpected.isEmpty() || !misShaped.isEmpty()) {
            StringBuilder sb = new StringBuilder("cannot load state dict into " + getClass().getSimpleName() + ":");
            if (!missing.isEmpty()) {
                sb.append("\n  missing: ").append(missing);
            }
            if (!unexpected.isEmpty()) {
                sb.append("\n  unexpected: ").append(unexpected);
            }
            for (String m : misShaped) {
                sb.append("\n  ").append(m);
            }
            throw new IllegalArgumentException(sb.toString());
        }
        for (Map.Entry<String, Tensor> p : params.entrySet()) {
            float[] src = state.get(p.getKey()).data();
            System.arraycopy(src, 0, p.getValue().data(), 0, src.length);
            p.getValue().markModified();
        }
    }

    /** Collects {@code child}'s parameters under {@code prefix + name + "."}. For implementations. */
    static void collectChild(String prefix, String name, Module child, Map<String, Tensor> into) {
        if (child != null) {
            child.collectParameters(prefix + name + ".", into);
        }
    }
}
