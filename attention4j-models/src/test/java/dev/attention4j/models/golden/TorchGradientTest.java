package dev.attention4j.models.golden;

import com.fasterxml.jackson.databind.JsonNode;
import dev.attention4j.autograd.CrossEntropyOp;
import dev.attention4j.autograd.Gradients;
import dev.attention4j.autograd.Tape;
import dev.attention4j.autograd.WeightedSumOp;
import dev.attention4j.kernels.Kernels;
import dev.attention4j.nn.LayerNorm;
import dev.attention4j.nn.Mode;
import dev.attention4j.nn.Module;
import dev.attention4j.nn.attention.AttentionOptions;
import dev.attention4j.nn.attention.Mask;
import dev.attention4j.nn.attention.ScaledDotProductAttention;
import dev.attention4j.nn.attention.TorchMasks;
import dev.attention4j.nn.transformer.DecoderLayer;
import dev.attention4j.nn.transformer.EncoderLayer;
import dev.attention4j.nn.transformer.Seq2SeqTransformer;
import dev.attention4j.tensor.Tensor;
import dev.attention4j.train.Adam;
import dev.attention4j.train.AdamConfig;
import dev.attention4j.train.WeightDecay;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentSkipListMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Gradients against PyTorch 1.13: every parameter (and float input) of an encoder layer, a decoder layer and a
 * small full encoder-decoder model after one {@code loss.backward()}, plus the fused cross-entropy, layer norm and
 * attention ops, and three Adam/AdamW steps on given gradients (parameters and moments). Error measure per tensor:
 * {@code max|ours - torch| / max|torch|} <= 1e-4 (an elementwise relative error is meaningless where a gradient is
 * ~0). Max errors are written to
 * {@code target/gradient-max-errors-<kernels>.tsv}.
 */
class TorchGradientTest {

    static final double MAX_RELATIVE_ERROR = 1e-4;
    private static final Set<String> KINDS = Set.of("grad_encoder_layer", "grad_decoder_layer", "grad_seq2seq",
            "cross_entropy", "layer_norm_grad", "attention_grad", "adam");
    private static final Map<String, Double> MAX_ERRORS = new ConcurrentSkipListMap<>();

    static List<Path> fixtures() {
        return Fixture.all().stream().filter(p -> {
            try (Fixture f = Fixture.open(p)) {
                return KINDS.contains(f.kind());
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void gradientsMatchPyTorch(Path path) throws IOException {
        try (Fixture f = Fixture.open(path)) {
            double err = switch (f.kind()) {
                case "grad_encoder_layer" -> encoderLayer(f);
                case "grad_decoder_layer" -> decoderLayer(f);
                case "grad_seq2seq" -> seq2seq(f);
                case "cross_entropy" -> crossEntropy(f);
                case "layer_norm_grad" -> layerNorm(f);
                case "attention_grad" -> attention(f);
                case "adam" -> adam(f);
                default -> throw new AssertionError("unexpected kind " + f.kind());
            };
            MAX_ERRORS.put(f.name, err);
        }
    }

    @AfterAll
    static void writeReport() throws IOException {
        StringBuilder sb = new StringBuilder("case\tmax_relative_error\n");
        MAX_ERRORS.forEach((k, v) -> sb.append(k).append('\t').append(String.format("%.3e", v)).append('\n'));
        String kernels = Kernels.active().name().replaceAll("[^A-Za-z0-9_]+", "-").replaceAll("-$", "");
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "gradient-max-errors-" + kernels + ".tsv"), sb);
    }

    private static double encoderLayer(Fixture f) {
        EncoderLayer layer = FixtureModels.load(new EncoderLayer(FixtureModels.layerConfig(f.config),
                new SplittableRandom(1)), f);
        Tensor src = f.input("src");
        Tape tape = new Tape();
        Tensor out = layer.forward(src, FixtureModels.encoderMask(f), Mode.training(0, tape));
        Gradients grads = backwardWeightedSum(f, tape, out);
        double err = compareParameters(f, layer, grads);
        return Math.max(err, relative(f.name + " d/d src", grads.get(src), f.tensor("grad.input.src")));
    }

    private static double decoderLayer(Fixture f) {
        DecoderLayer layer = FixtureModels.load(new DecoderLayer(FixtureModels.layerConfig(f.config),
                new SplittableRandom(1)), f);
        Tensor tgt = f.input("tgt");
        Tensor memory = f.input("memory");
        Tape tape = new Tape();
        Tensor out = layer.forward(tgt, memory, FixtureModels.decoderSelfMask(f), FixtureModels.decoderMemoryMask(f),
                Mode.training(0, tape));
        Gradients grads = backwardWeightedSum(f, tape, out);
        double err = compareParameters(f, layer, grads);
        err = Math.max(err, relative(f.name + " d/d tgt", grads.get(tgt), f.tensor("grad.input.tgt")));
        return Math.max(err, relative(f.name + " d/d memory", grads.get(memory), f.tensor("grad.input.memory")));
    }

    private static double seq2seq(Fixture f) {
        JsonNode c = f.config;
        Seq2SeqTransformer model = FixtureModels.load(new Seq2SeqTransformer(FixtureModels.seq2seqConfig(c), 1L), f);
        Mask srcPadding = TorchMasks.fromKeyPaddingMask(f.inputBooleanRows("src_key_padding_mask"));
        Mask tgtPadding = TorchMasks.fromKeyPaddingMask(f.inputBooleanRows("tgt_key_padding_mask"));
        Tape tape = new Tape();
        Tensor logits = model.forward(f.inputIntRows("src"), f.inputIntRows("tgt_in"), srcPadding, tgtPadding,
                Mode.training(0, tape));
        Tensor loss = CrossEntropyOp.apply(tape, logits, flatten(f.inputIntRows("tgt_out")),
                c.get("ignore_index").asInt(), (float) c.get("label_smoothing").asDouble());
        double err = relative(f.name + " loss", loss, f.expected("loss"));
        Gradients grads = tape.backward(loss);
        return Math.max(err, compareParameters(f, model, grads));
    }

    private static double crossEntropy(Fixture f) {
        Tensor logits = f.input("logits");
        Tape tape = new Tape();
        Tensor loss = CrossEntropyOp.apply(tape, logits, toInts(f.inputLongs("target")),
                f.config.get("ignore_index").asInt(), (float) f.config.get("label_smoothing").asDouble());
        double err = relative(f.name + " loss", loss, f.expected("loss"));
        Gradients grads = tape.backward(loss);
        return Math.max(err, relative(f.name + " d/d logits", grads.get(logits), f.tensor("grad.input.logits")));
    }

    private static double layerNorm(Fixture f) {
        Tensor x = f.input("x");
        LayerNorm norm = FixtureModels.load(new LayerNorm(x.dim(-1), (float) f.config.get("eps").asDouble()), f);
        Tape tape = new Tape();
        Tensor out = norm.forward(x, Mode.training(0, tape));
        double err = relative(f.name + " output", out, f.expected("output"));
        Gradients grads = backwardWeightedSum(f, tape, out);
        err = Math.max(err, compareParameters(f, norm, grads));
        return Math.max(err, relative(f.name + " d/d x", grads.get(x), f.tensor("grad.input.x")));
    }

    private static double attention(Fixture f) {
        Mask mask = switch (f.config.get("mask").asText()) {
            case "causal_lower_right" -> Mask.causal(Mask.Alignment.LOWER_RIGHT);
            case "none" -> Mask.none();
            case "sliding_window" -> Mask.slidingWindow(f.config.get("window").asInt());
            default -> throw new AssertionError("unknown attention_grad mask " + f.config.get("mask"));
        };
        Tensor q = f.input("query");
        Tensor k = f.input("key");
        Tensor v = f.input("value");
        Tape tape = new Tape();
        Tensor out = ScaledDotProductAttention.attend(q, k, v, mask,
                AttentionOptions.DEFAULTS.withDropout(0f, Mode.training(0, tape))).output();
        double err = relative(f.name + " output", out, f.expected("output"));
        Gradients grads = backwardWeightedSum(f, tape, out);
        err = Math.max(err, relative(f.name + " d/d query", grads.get(q), f.tensor("grad.input.query")));
        err = Math.max(err, relative(f.name + " d/d key", grads.get(k), f.tensor("grad.input.key")));
        return Math.max(err, relative(f.name + " d/d value", grads.get(v), f.tensor("grad.input.value")));
    }

    /** Three optimizer steps on given gradients; parameters and both moments compared after the last. */
    private static double adam(Fixture f) {
        JsonNode c = f.config;
        WeightDecay decay = c.get("weight_decay").asDouble() == 0 ? WeightDecay.NONE
                : c.get("algorithm").asText().equals("adamw") ? WeightDecay.DECOUPLED : WeightDecay.L2;
        Adam adam = new Adam(new AdamConfig((float) c.get("betas").get(0).asDouble(),
                (float) c.get("betas").get(1).asDouble(), (float) c.get("eps").asDouble(),
                (float) c.get("weight_decay").asDouble(), decay));
        Map<String, Tensor> params = new java.util.LinkedHashMap<>();
        for (String name : List.of("weight", "bias")) {
            params.put(name, f.input("param." + name));
        }
        for (int step = 1; step <= c.get("steps").asInt(); step++) {
            Gradients grads = new Gradients();
            for (Map.Entry<String, Tensor> p : params.entrySet()) {
                grads.add(p.getValue(), f.input("grad" + step + "." + p.getKey()));
            }
            adam.step(params, grads, (float) c.get("lr").asDouble());
        }
        double err = 0;
        Map<String, Tensor> state = adam.state();
        for (String name : params.keySet()) {
            err = Math.max(err, relative(f.name + " " + name, params.get(name), f.expected("param." + name)));
            err = Math.max(err, relative(f.name + " exp_avg." + name, state.get("exp_avg." + name),
                    f.expected("exp_avg." + name)));
            err = Math.max(err, relative(f.name + " exp_avg_sq." + name, state.get("exp_avg_sq." + name),
                    f.expected("exp_avg_sq." + name)));
        }
        return err;
    }

    /** PyTorch's {@code (output * R).sum().backward()}. */
    private static Gradients backwardWeightedSum(Fixture f, Tape tape, Tensor out) {
        Tensor loss = WeightedSumOp.apply(tape, out, f.input("loss_weights"));
        relative(f.name + " loss", loss, f.expected("loss"));
        return tape.backward(loss);
    }

    /** Every parameter's gradient against {@code grad.<name>}; every {@code grad.<name>} must be a parameter. */
    private static double compareParameters(Fixture f, Module module, Gradients grads) {
        Map<String, Tensor> params = module.namedParameters();
        long expectedGrads = f.tensorNames().stream()
                .filter(n -> n.startsWith("grad.") && !n.startsWith("grad.input.")).count();
        assertThat(params).as(f.name + ": parameters vs grad.* tensors").hasSize((int) expectedGrads);
        double err = 0;
        for (Map.Entry<String, Tensor> p : params.entrySet()) {
            err = Math.max(err, relative(f.name + " d/d " + p.getKey(), grads.get(p.getValue()),
                    f.tensor("grad." + p.getKey())));
        }
        return err;
    }

    /** {@code max|a - e| / max|e|}, asserted <= MAX_RELATIVE_ERROR. */
    static double relative(String what, Tensor actual, Tensor expected) {
        assertThat(actual).as(what + ": no gradient reached it").isNotNull();
        assertThat(actual.size()).as(what + " size").isEqualTo(expected.size());
        double maxDiff = 0;
        double scale = 0;
        int worst = 0;
        for (int i = 0; i < expected.size(); i++) {
            double d = Math.abs((double) actual.data()[i] - expected.data()[i]);
            if (!(d <= maxDiff)) {
                maxDiff = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
                worst = i;
            }
            scale = Math.max(scale, Math.abs(expected.data()[i]));
        }
        double rel = scale == 0 ? maxDiff : maxDiff / scale;
        if (rel > MAX_RELATIVE_ERROR) {
            throw new AssertionError(String.format("%s: max|ours - torch| / max|torch| = %.3e > %.0e; worst at flat "
                            + "index %d: ours %s, torch %s (max|torch| = %.3g)", what, rel, MAX_RELATIVE_ERROR, worst,
                    actual.data()[worst], expected.data()[worst], scale));
        }
        return rel;
    }

    private static int[] flatten(int[][] rows) {
        return java.util.Arrays.stream(rows).flatMapToInt(java.util.Arrays::stream).toArray();
    }

    private static int[] toInts(long[] values) {
        int[] ints = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            ints[i] = Math.toIntExact(values[i]);
        }
        return ints;
    }
}
