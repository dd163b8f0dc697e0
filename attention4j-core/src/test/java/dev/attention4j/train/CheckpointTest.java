package dev.attention4j.train;

import dev.attention4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CheckpointTest {

    @Test
    void mapsAreCopiedInOrderAndUnmodifiableButTensorsAreShared() {
        Map<String, Tensor> weights = new LinkedHashMap<>();
        Tensor b = Tensor.zeros(2);
        weights.put("b", b);
        weights.put("a", Tensor.zeros(3));
        Checkpoint c = new Checkpoint(5, weights, Map.of(), "{}", Map.of("k", "v"));
        weights.clear();
        assertThat(c.weights().keySet()).containsExactly("b", "a");
        assertThat(c.weights().get("b")).isSameAs(b);
        assertThatThrownBy(() -> c.weights().put("c", b)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> c.extra().clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void validation() {
        assertThatThrownBy(() -> new Checkpoint(-1, Map.of(), Map.of(), "{}", Map.of()))
                .hasMessage("step: expected >= 0 but got -1");
        assertThatThrownBy(() -> new Checkpoint(0, null, Map.of(), "{}", Map.of())).hasMessage("weights");
        assertThatThrownBy(() -> new Checkpoint(0, Map.of(), Map.of(), null, Map.of())).hasMessage("configJson");
        Map<String, String> nullValue = new HashMap<>();
        nullValue.put("seed", null);
        assertThatThrownBy(() -> new Checkpoint(0, Map.of(), Map.of(), "{}", nullValue))
                .hasMessage("extra['seed'] is null");
    }
}
