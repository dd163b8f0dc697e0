package dev.attention4j.models.golden;

import com.fasterxml.jackson.databind.JsonNode;
import dev.attention4j.kernels.Kernels;
import dev.attention4j.nn.Activation;
import dev.attention4j.nn.Mode;
import dev.attention4j.nn.Module;
import dev.attention4j.nn.attention.AttentionOptions;
import dev.attention4j.nn.attention.AttentionOutput;
import dev.attention4j.nn.attention.AttentionWeights;
import dev.attention4j.nn.attention.Mask;
import dev.attention4j.nn.attention.MultiHeadAttention;
import dev.attention4j.nn.attention.MultiHeadAttentionConfig;
import dev.attention4j.nn.attention.ScaledDotProductAttention;
import dev.attention4j.nn.attention.TorchMasks;
import dev.attention4j.nn.transformer.Decoder;
import dev.attention4j.nn.transformer.DecoderLayer;
import dev.attention4j.nn.transformer.Encoder;
import dev.attention4j.nn.transformer.EncoderLayer;
import dev.attention4j.nn.transformer.FinalNorm;
import dev.attention4j.nn.transformer.NormPlacement;
import dev.attention4j.nn.transformer.Seq2SeqConfig;
import dev.attention4j.nn.transformer.Seq2SeqTransformer;
import dev.attention4j.nn.transformer.Transformer;
import dev.attention4j.nn.transformer.TransformerConfig;
import dev.attention4j.nn.transformer.TransformerLayerConfig;
import dev.attention4j.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every mechanism and stack against PyTorch 1.13: the fixtures in {@code src/test/resources/fixtures} hold the
 * parameters under PyTorch's own names, the inputs and PyTorch's outputs. Each case loads the parameters strictly
 * (every name must match), runs the same computation here and compares: max abs error <= 1e-5. The max error per
 * case is written to {@code target/golden-max-errors-<kernels>.tsv}, one file per kernel implementation.
 */
class TorchGoldenTest {


    static final float FORWARD_ATOL = 1e-5f;
    private static final Map<String, Float> MAX_ERRORS = new ConcurrentSkipListMap<>();

    /** The forward-pass kinds this test runs. */
    static final Set<String> FORWARD_KINDS = Set.of("sdpa", "mha", "encoder_layer", "encoder", "decoder_layer",
            "decoder", "transformer", "seq2seq");
    /** Gradient and training-math kinds (grad.* tensors, losses, optimiser steps); not run by this test. */
    static final Set<String> TRAINING_KINDS = Set.of("grad_encoder_layer", "grad_decoder_layer", "grad_seq2seq",
            "cross_entropy", "adam", "layer_norm_grad", "attention_grad");

    static List<Path> fixtures() {
        return Fixture.all().stream().filter(p -> FORWARD_KINDS.contains(kindOf(p))).toList();
    }

    private static String kindOf(Path p) {
        try (Fixture f = Fixture.open(p)) {
            return f.kind();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void everyKindOfFixtureIsPresent() {
        Map<String, Integer> kinds = new TreeMap<>();
        for (Path p : Fixture.all()) {
            kinds.merge(kindOf(p), 1, Integer::sum);
        }
        Set<String> known = new TreeSet<>(FORWARD_KINDS);
        known.addAll(TRAINING_KINDS);
        assertThat(kinds.keySet()).containsExactlyInAnyOrderElementsOf(known);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void matchesPyTorch(Path path) throws IOException {
        try (Fixture f = Fixture.open(path)) {
            float err = switch (f.kind()) {
                case "sdpa" -> sdpa(f);
                case "mha" -> mha(f);
                case "encoder_layer" -> encoderLayer(f);
                case "encoder" -> encoder(f);
                case "decoder_layer" -> decoderLayer(f);
                case "decoder" -> decoder(f);
                case "transformer" -> transformer(f);
                case "seq2seq" -> seq2seq(f);
                default -> throw new AssertionError("unknown fixture kind " + f.kind());
            };
            MAX_ERRORS.put(f.name, err);
        }
    }

    @AfterAll
    static void writeReport() throws IOException {
        StringBuilder sb = new StringBuilder("case\tmax_abs_error\n");
        MAX_ERRORS.forEach((k, v) -> sb.append(k).append('\t').append(String.format("%.3e", v)).append('\n'));
        Files.createDirectories(Path.of("target"));
        String kernels = Kernels.active().name().replaceAll("[^A-Za-z0-9_]+", "-").replaceAll("-$", "");
        Files.writeString(Path.of("target", "golden-max-errors-" + kernels + ".tsv"), sb);
    }

    // ---- cases -------------------------------------------------------------------------------------------

    private static float sdpa(Fixture f) {
        Tensor q = f.input("query");
        Tensor k = f.input("key");
        Tensor v = f.input("value");
        int batchSize = q.dim(0);
        int tgtLen = q.dim(2);
        int srcLen = k.dim(2);
        Mask mask = switch (f.config.get("mask").asText()) {
            case "none" -> Mask.none();
            case "causal_upper_left" -> Mask.causal(Mask.Alignment.UPPER_LEFT);
            case "causal_lower_right" -> Mask.causal(Mask.Alignment.LOWER_RIGHT);
            case "bool" -> TorchMasks.fromScaledDotProductBoolMask(f.inputBooleans("mask"), f.inputShape("mask"));
            case "additive" -> Mask.additive(f.input("mask"));
            case "key_padding" -> Mask.keyLengths(srcLen, FixtureModels.toInts(f.inputLongs("key_lengths")));
            case "sliding_window" -> Mask.slidingWindow(f.config.get("window").asInt());
            default -> throw new AssertionError("unknown sdpa mask " + f.config.get("mask"));
        };
        AttentionOptions options = AttentionOptions.DEFAULTS.withWeights(AttentionWeights.PER_HEAD);
        JsonNode scale = f.config.get("scale");
        if (scale != null && !scale.isNull()) {
            options = options.withScale((float) scale.asDouble());
        }
        AttentionOutput out = ScaledDotProductAttention.attend(q, k, v, mask, options);
        assertThat(batchSize * tgtLen).isPositive();
        return Math.max(Compare.close(f.name + " output", out.output(), f.expected("output"), FORWARD_ATOL),
                Compare.close(f.name + " weights", out.weights(), f.expected("weights"), FORWARD_ATOL));
    }

    private static float mha(Fixture f) {
        JsonNode c = f.config;
        int numHeads = c.get("num_heads").asInt();
        MultiHeadAttentionConfig config = MultiHeadAttentionConfig.of(c.get("embed_dim").asInt(), numHeads)
                .withKeyValueDims(c.get("kdim").asInt(), c.get("vdim").asInt());
        if (!c.get("bias").asBoolean()) {
            config = config.withoutBias();
        }
        if (c.get("add_bias_kv").asBoolean()) {
            config = config.withBiasKv();
        }
        if (c.get("add_zero_attn").asBoolean()) {
            config = config.withZeroAttn();
        }
        MultiHeadAttention attention = FixtureModels.load(new MultiHeadAttention(config, 1L), f);
        Mask mask = switch (c.get("attn_mask").asText()) {
            case "none" -> Mask.none();
            case "bool" -> TorchMasks.fromMultiheadAttentionBoolMask(f.inputBooleans("attn_mask"), numHeads,
                    f.inputShape("attn_mask"));
            case "float", "float3d" -> TorchMasks.fromMultiheadAttentionFloatMask(f.input("attn_mask"), numHeads);
            default -> throw new AssertionError("unknown attn_mask " + c.get("attn_mask"));
        };
        if (c.get("key_padding_mask").asBoolean()) {
            mask = mask.and(TorchMasks.fromKeyPaddingMask(f.inputBooleanRows("key_padding_mask")));
        }
        AttentionWeights weights = c.get("average_attn_weights").asBoolean()
                ? AttentionWeights.HEAD_AVERAGE : AttentionWeights.PER_HEAD;
        Tensor query = f.input("query");
        boolean self = c.get("self").asBoolean();
        Tensor key = self ? query : f.input("key");
        Tensor value = self ? query : f.input("value");
        AttentionOutput out = attention.forward(query, key, value, mask, weights);
        return Math.max(Compare.close(f.name + " output", out.output(), f.expected("output"), FORWARD_ATOL),
                Compare.close(f.name + " weights", out.weights(), f.expected("weights"), FORWARD_ATOL));
    }

    private static float encoderLayer(Fixture f) {
        EncoderLayer layer = FixtureModels.load(new EncoderLayer(FixtureModels.layerConfig(f.config), new SplittableRandom(1)), f);
        Tensor out = layer.forward(f.input("src"), FixtureModels.encoderMask(f), Mode.INFERENCE);
        return Compare.close(f.name, out, f.expected("output"), FORWARD_ATOL);
    }

    private static float encoder(Fixture f) {
        Encoder encoder = FixtureModels.load(new Encoder(FixtureModels.layerConfig(f.config), f.config.get("num_layers").asInt(), FixtureModels.finalNorm(f),
                new SplittableRandom(1)), f);
        Tensor out = encoder.forward(f.input("src"), FixtureModels.encoderMask(f), Mode.INFERENCE);
        return Compare.close(f.name, out, f.expected("output"), FORWARD_ATOL);
    }

    private static float decoderLayer(Fixture f) {
        DecoderLayer layer = FixtureModels.load(new DecoderLayer(FixtureModels.layerConfig(f.config), new SplittableRandom(1)), f);
        Tensor out = layer.forward(f.input("tgt"), f.input("memory"), FixtureModels.decoderSelfMask(f), FixtureModels.decoderMemoryMask(f),
                Mode.INFERENCE);
        return Compare.close(f.name, out, f.expected("output"), FORWARD_ATOL);
    }

    private static float decoder(Fixture f) {
        Decoder decoder = FixtureModels.load(new Decoder(FixtureModels.layerConfig(f.config), f.config.get("num_layers").asInt(), FixtureModels.finalNorm(f),
                new SplittableRandom(1)), f);
        Tensor out = decoder.forward(f.input("tgt"), f.input("memory"), FixtureModels.decoderSelfMask(f), FixtureModels.decoderMemoryMask(f),
                Mode.INFERENCE);
        return Compare.close(f.name, out, f.expected("output"), FORWARD_ATOL);
    }

    private static float transformer(Fixture f) {
        Transformer transformer = FixtureModels.load(new Transformer(FixtureModels.transformerConfig(f.config), 1L), f);
        Mask srcPadding = FixtureModels.paddingIfPresent(f, "src_key_padding_mask", "src_key_padding_mask");
        Mask memoryPadding = FixtureModels.paddingIfPresent(f, "memory_key_padding_mask", "memory_key_padding_mask");
        Tensor out = transformer.forward(f.input("src"), f.input("tgt"), srcPadding, FixtureModels.decoderSelfMask(f),
                memoryPadding, Mode.INFERENCE);
        return Compare.close(f.name, out, f.expected("output"), FORWARD_ATOL);
    }

    private static float seq2seq(Fixture f) {
        JsonNode c = f.config;
        Seq2SeqConfig config = FixtureModels.seq2seqConfig(c);
        Seq2SeqTransformer model = FixtureModels.load(new Seq2SeqTransformer(config, 1L), f);
        Mask srcPadding = FixtureModels.paddingIfPresent(f, "src_key_padding_mask", "src_key_padding_mask");
        Tensor logits = model.forward(f.inputIntRows("src"), f.inputIntRows("tgt"), srcPadding, Mask.none(),
                Mode.INFERENCE);
        return Compare.close(f.name, logits, f.expected("logits"), FORWARD_ATOL);
    }

}
