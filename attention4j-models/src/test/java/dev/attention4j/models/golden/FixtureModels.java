package dev.attention4j.models.golden;

import com.fasterxml.jackson.databind.JsonNode;
import dev.attention4j.nn.Activation;
import dev.attention4j.nn.Module;
import dev.attention4j.nn.attention.Mask;
import dev.attention4j.nn.attention.TorchMasks;
import dev.attention4j.nn.transformer.FinalNorm;
import dev.attention4j.nn.transformer.NormPlacement;
import dev.attention4j.nn.transformer.Seq2SeqConfig;
import dev.attention4j.nn.transformer.TransformerConfig;
import dev.attention4j.nn.transformer.TransformerLayerConfig;

/** Builds our modules, configs and masks from a PyTorch fixture's config and inputs. Shared by the golden tests. */
final class FixtureModels {

    private FixtureModels() {
    }

    static TransformerLayerConfig layerConfig(JsonNode c) {
        return TransformerLayerConfig.of(c.get("d_model").asInt(), c.get("nhead").asInt(),
                        c.get("dim_feedforward").asInt())
                .withDropout(0f)
                .withActivation(Activation.fromTorchName(c.get("activation").asText()))
                .withLayerNormEps((float) c.get("layer_norm_eps").asDouble())
                .withNormPlacement(c.get("norm_first").asBoolean() ? NormPlacement.PRE : NormPlacement.POST);
    }

    static Mask paddingIfPresent(Fixture f, String flag, String input) {
        JsonNode on = f.config.get(flag);
        return on != null && on.asBoolean() ? TorchMasks.fromKeyPaddingMask(f.inputBooleanRows(input)) : Mask.none();
    }

    static Mask encoderMask(Fixture f) {
        JsonNode srcMask = f.config.get("src_mask");
        Mask mask = srcMask != null && srcMask.asText().equals("causal") ? Mask.causal() : Mask.none();
        return mask.and(paddingIfPresent(f, "src_key_padding_mask", "src_key_padding_mask"));
    }

    static Mask decoderSelfMask(Fixture f) {
        JsonNode tgtMask = f.config.get("tgt_mask");
        Mask mask = tgtMask == null || tgtMask.asText().equals("causal") ? Mask.causal() : Mask.none();
        return mask.and(paddingIfPresent(f, "tgt_key_padding_mask", "tgt_key_padding_mask"));
    }

    static Mask decoderMemoryMask(Fixture f) {
        JsonNode memoryMask = f.config.get("memory_mask");
        Mask mask = memoryMask != null && memoryMask.asText().equals("float")
                ? TorchMasks.fromMultiheadAttentionFloatMask(f.input("memory_mask"), f.config.get("nhead").asInt())
                : Mask.none();
        return mask.and(paddingIfPresent(f, "memory_key_padding_mask", "memory_key_padding_mask"));
    }

    static FinalNorm finalNorm(Fixture f) {
        return f.config.get("final_norm").asBoolean() ? FinalNorm.LAYER_NORM : FinalNorm.NONE;
    }

    static TransformerConfig transformerConfig(JsonNode c) {
        return new TransformerConfig(layerConfig(c), c.get("num_encoder_layers").asInt(),
                c.get("num_decoder_layers").asInt());
    }

    static <M extends Module> M load(M module, Fixture f) {
        module.loadStateDict(f.parameters());
        return module;
    }

    static int[] toInts(long[] values) {
        int[] ints = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            ints[i] = Math.toIntExact(values[i]);
        }
        return ints;
    }

    static Seq2SeqConfig seq2seqConfig(JsonNode c) {
        return new Seq2SeqConfig(transformerConfig(c), c.get("src_vocab").asInt(),
                c.get("tgt_vocab").asInt(), c.get("max_len").asInt(),
                c.get("positional").asText().equals("learned")
                        ? Seq2SeqConfig.Positions.LEARNED : Seq2SeqConfig.Positions.SINUSOIDAL,
                c.get("tie_output").asBoolean()
                        ? Seq2SeqConfig.OutputProjection.TIED_TO_TARGET_EMBEDDING : Seq2SeqConfig.OutputProjection.SEPARATE);
    }
}
