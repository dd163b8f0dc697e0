package dev.attention4j.cli;

import dev.attention4j.nn.transformer.Seq2SeqConfig;
import dev.attention4j.nn.transformer.Seq2SeqTransformer;
import dev.attention4j.nn.transformer.TransformerConfig;
import dev.attention4j.nn.transformer.TransformerLayerConfig;
import picocli.CommandLine.Option;

import java.util.Locale;

/**
 * The encoder-decoder Transformer the {@code bench} commands time, as flags (a picocli mixin): width, heads, layers,
 * feed-forward width and vocabulary, with the defaults every bench shares.
 */
final class BenchModelShape {

    @Option(names = "--d-model", defaultValue = "256", description = "Model width (default ${DEFAULT-VALUE}).")
    int modelDim;
    @Option(names = "--heads", defaultValue = "4", description = "Attention heads (default ${DEFAULT-VALUE}).")
    int heads;
    @Option(names = "--layers", defaultValue = "3", description = "Encoder and decoder layers each "
            + "(default ${DEFAULT-VALUE}).")
    int layers;
    @Option(names = "--ffn", defaultValue = "1024", description = "Feed-forward width (default ${DEFAULT-VALUE}).")
    int ffnDim;
    @Option(names = "--vocab", defaultValue = "10000", description = "Vocabulary size (default ${DEFAULT-VALUE}).")
    int vocab;

    /** The model, seeded with 0, shared source and target vocabulary sizes. */
    Seq2SeqTransformer build(float dropout, int maxLen) {
        TransformerLayerConfig layer = TransformerLayerConfig.of(modelDim, heads, ffnDim).withDropout(dropout);
        return new Seq2SeqTransformer(Seq2SeqConfig.of(new TransformerConfig(layer, layers, layers), vocab, vocab,
                maxLen), 0L);
    }

    /** {@code d_model D, H heads, L+L layers, ffn F} for the header line. */
    String describe() {
        return String.format(Locale.ROOT, "d_model %d, %d heads, %d+%d layers, ffn %d", modelDim, heads, layers, layers,
                ffnDim);
    }
}
