package dev.attention4j.models.golden;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attention4j.autograd.Gradients;
import dev.attention4j.models.formats.SafetensorsFile;
import dev.attention4j.tensor.Tensor;
import dev.attention4j.train.Adam;
import dev.attention4j.train.AdamConfig;
import dev.attention4j.train.WeightDecay;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Adam} against {@code torch.optim.Adam} / {@code AdamW} 1.13 ({@code tools/fixtures/optim.py}): five steps
 * on four parameters, one of them skipped at two steps and one first updated at step 3, compared after every step,
 * then the final state. Bit for bit: {@link Adam} reproduces PyTorch's operation order, fused multiply-adds included
 * ({@link #MAX_ULPS} is 0). The fixtures come from Debian's AVX2 build of PyTorch 1.13; another build may differ in
 * the last bit, which is why they are committed rather than regenerated.
 */
class OptimizerGoldenTest {

    static final int MAX_ULPS = 0;

    static List<Path> fixtures() throws IOException, URISyntaxException {
        Path dir = Path.of(OptimizerGoldenTest.class.getResource("/fixtures/optim").toURI());
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> all = files.filter(p -> p.toString().endsWith(".safetensors")).sorted().toList();
            assertThat(all).hasSize(4);
            return all;
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void matchesPyTorch(Path path) throws IOException {
        Map<String, Tensor> t = new LinkedHashMap<>();
        JsonNode config;
        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            for (String name : file.tensors().keySet()) {
                t.put(name, file.readFloat(name));
            }
            config = new ObjectMapper().readTree(file.metadata().get("config"));
        }
        float weightDecay = (float) config.get("weight_decay").asDouble();
        WeightDecay mode = config.get("optimizer").asText().equals("AdamW") ? WeightDecay.DECOUPLED
                : weightDecay == 0f ? WeightDecay.NONE : WeightDecay.L2;
        Adam adam = new Adam(new AdamConfig((float) config.get("betas").get(0).asDouble(),
                (float) config.get("betas").get(1).asDouble(), (float) config.get("eps").asDouble(), weightDecay,
                mode));

        Map<String, Tensor> params = new LinkedHashMap<>();
        t.forEach((name, tensor) -> {
            if (name.startsWith("input.param.")) {
                params.put(name.substring("input.param.".length()), tensor);
            }
        });
        assertThat(params).containsOnlyKeys("w", "b", "rare", "late");
        float[] lrs = t.get("input.lr").data();
        int worst = 0;
        for (int step = 1; step <= lrs.length; step++) {
            Gradients grads = new Gradients();
            for (Map.Entry<String, Tensor> p : params.entrySet()) {
                Tensor g = t.get("input.grad." + step + "." + p.getKey());
                if (g != null) {
                    grads.add(p.getValue(), g);
                }
            }
            adam.step(params, grads, lrs[step - 1]);
            for (Map.Entry<String, Tensor> p : params.entrySet()) {
                worst = Math.max(worst, ulps(path.getFileName() + " param " + p.getKey() + " after step " + step,
                        p.getValue(), t.get("expected.param." + step + "." + p.getKey())));
            }
        }
        Map<String, Tensor> state = adam.state();
        for (String name : params.keySet()) {
            worst = Math.max(worst, ulps("exp_avg." + name, state.get("exp_avg." + name),
                    t.get("expected.exp_avg." + name)));
            worst = Math.max(worst, ulps("exp_avg_sq." + name, state.get("exp_avg_sq." + name),
                    t.get("expected.exp_avg_sq." + name)));
            float[] count = state.get("step." + name).data();
            assertThat(count[0] * (1 << 24) + count[1]).as("step." + name)
                    .isEqualTo(t.get("expected.step." + name).data()[0]);
        }
        assertThat(worst).isLessThanOrEqualTo(MAX_ULPS);
    }

    /** The largest distance in units in the last place; fails above {@link #MAX_ULPS}. */
    private static int ulps(String what, Tensor actual, Tensor expected) {
        assertThat(actual.shape()).as(what).isEqualTo(expected.shape());
        int worst = 0;
        for (int i = 0; i < expected.size(); i++) {
            float a = actual.data()[i];
            float e = expected.data()[i];
            long d = Math.abs((long) ordered(a) - ordered(e));
            if (d > MAX_ULPS) {
                throw new AssertionError(what + ": element " + i + " is " + a + " but PyTorch has " + e + " ("
                        + d + " ulps apart, at most " + MAX_ULPS + " allowed)");
            }
            worst = (int) Math.max(worst, d);
        }
        return worst;
    }

    /** The float's bits as an integer that orders like the floats (so the difference counts ulps). */
    private static int ordered(float f) {
        int bits = Float.floatToIntBits(f);
        return bits < 0 ? Integer.MIN_VALUE - bits : bits;
    }
}
