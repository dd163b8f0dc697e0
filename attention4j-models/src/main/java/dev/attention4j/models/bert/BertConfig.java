package dev.attention4j.models.bert;

import dev.attention4j.models.formats.HfConfigFile;
import dev.attention4j.models.formats.WeightFormatException;
import dev.attention4j.nn.Activation;
import dev.attention4j.nn.transformer.NormPlacement;
import dev.attention4j.nn.transformer.TransformerLayerConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The shape of a BERT encoder, as the fields of its Hugging Face {@code config.json} ({@code BertConfig}): read one
 * with {@link #read(Path)}, or let {@link BertModel#fromOnnx(Path)} infer it from an exported graph.
 *
 * @param vocabSize             {@code vocab_size}: rows of the word embedding table
 * @param hiddenSize            {@code hidden_size}: the model width (modelDim)
 * @param numHiddenLayers       {@code num_hidden_layers}
 * @param numAttentionHeads     {@code num_attention_heads}; must divide hiddenSize
 * @param intermediateSize      {@code intermediate_size}: the feed-forward width (ffnDim)
 * @param hiddenAct             {@code hidden_act}: {@link Activation#GELU} for {@code "gelu"} (the exact, erf form)
 *                              or {@link Activation#RELU}
 * @param maxPositionEmbeddings {@code max_position_embeddings}: the longest sequence (rows of the position table)
 * @param typeVocabSize         {@code type_vocab_size}: rows of the token type (segment) table, at least 1
 * @param layerNormEps          {@code layer_norm_eps}, 1e-12 in BERT
 * @param padTokenId            {@code pad_token_id}, in {@code [0, vocabSize)}
 */
public record BertConfig(int vocabSize, int hiddenSize, int numHiddenLayers, int numAttentionHeads,
                         int intermediateSize, Activation hiddenAct, int maxPositionEmbeddings, int typeVocabSize,
                         float layerNormEps, int padTokenId) {

    public BertConfig {
        requirePositive("vocabSize", vocabSize);
        requirePositive("hiddenSize", hiddenSize);
        requirePositive("numHiddenLayers", numHiddenLayers);
        requirePositive("numAttentionHeads", numAttentionHeads);
        if (hiddenSize % numAttentionHeads != 0) {
            throw new IllegalArgumentException("numAttentionHeads: expected a divisor of hiddenSize = " + hiddenSize
                    + " but got " + numAttentionHeads);
        }
        requirePositive("intermediateSize", intermediateSize);
        Objects.requireNonNull(hiddenAct, "hiddenAct");
        requirePositive("maxPositionEmbeddings", maxPositionEmbeddings);
        requirePositive("typeVocabSize", typeVocabSize);
        if (!(layerNormEps > 0f) || Float.isInfinite(layerNormEps)) {
            throw new IllegalArgumentException("layerNormEps: expected a finite value > 0 but got " + layerNormEps);
        }
        if (padTokenId < 0 || padTokenId >= vocabSize) {
            throw new IllegalArgumentException("padTokenId: expected an id in [0, " + vocabSize + ") but got "
                    + padTokenId);
        }
    }

    private static void requirePositive(String field, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(field + ": expected > 0 but got " + value);
        }
    }

    /** {@code hiddenSize / numAttentionHeads}. */
    public int headDim() {
        return hiddenSize / numAttentionHeads;
    }

    /** One encoder layer of this model in core's terms: post-norm, no dropout, this activation and eps. */
    public TransformerLayerConfig layerConfig() {
        return new TransformerLayerConfig(hiddenSize, numAttentionHeads, intermediateSize, 0f, hiddenAct,
                layerNormEps, NormPlacement.POST);
    }

    /**
     * Reads a Hugging Face {@code config.json} of a BERT model ({@code model_type} "bert", or absent). Fields beyond
     * these are ignored; {@code pad_token_id} defaults to 0 and {@code type_vocab_size} to 2, as in transformers.
     *
     * @throws WeightFormatException if a field is missing, of the wrong JSON type or out of range, or the file
     *                               describes something this encoder does not compute (another model type,
     *                               relative positions, a tanh-approximated GELU)
     */
    public static BertConfig read(Path configJson) throws IOException {
        HfConfigFile file = HfConfigFile.read(configJson);
        String modelType = file.stringOr("model_type", "bert");
        if (!modelType.equals("bert")) {
            throw file.invalid("model_type is '" + modelType + "', not 'bert'", "attention4j's BERT family reads"
                    + " BERT encoders (all-MiniLM, bge, e5, ...); RoBERTa-style models offset their positions and"
                    + " are not supported yet.");
        }
        String positions = file.stringOr("position_embedding_type", "absolute");
        if (!positions.equals("absolute")) {
            throw file.invalid("position_embedding_type is '" + positions + "'", "Only learned absolute positions"
                    + " are supported.");
        }
        String act = file.stringOr("hidden_act", "gelu");
        Activation activation = switch (act) {
            case "gelu" -> Activation.GELU;
            case "relu" -> Activation.RELU;
            default -> throw file.invalid("hidden_act is '" + act + "'", "Supported: 'gelu' (exact, erf-based) and"
                    + " 'relu'; tanh approximations such as 'gelu_new' differ by up to 1e-3 and are not computed.");
        };
        double eps = file.numberOr("layer_norm_eps", 1e-12);
        try {
            return new BertConfig(file.requireInt("vocab_size"), file.requireInt("hidden_size"),
                    file.requireInt("num_hidden_layers"), file.requireInt("num_attention_heads"),
                    file.requireInt("intermediate_size"), activation, file.requireInt("max_position_embeddings"),
                    file.intOr("type_vocab_size", 2), (float) eps, file.intOr("pad_token_id", 0));
        } catch (IllegalArgumentException e) {
            throw file.invalid(e.getMessage(), "The configuration does not describe a valid BERT encoder.");
        }
    }
}
