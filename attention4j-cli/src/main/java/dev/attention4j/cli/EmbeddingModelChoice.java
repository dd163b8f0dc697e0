package dev.attention4j.cli;

import dev.attention4j.models.formats.WeightFormatException;
import dev.attention4j.models.pretrained.EmbeddingModel;
import dev.attention4j.models.pretrained.EmbeddingModels;
import dev.attention4j.models.pretrained.ModelNotFoundException;
import dev.attention4j.models.tokenizers.TokenizerFormatException;
import picocli.CommandLine.Option;

import java.io.IOException;

/** The {@code --model NAME|PATH} option of {@code embed} and {@code search}, and its loading. */
final class EmbeddingModelChoice {

    @Option(names = "--model", paramLabel = "NAME|PATH",
            description = "An embedding model: a known name (default: ${DEFAULT-VALUE}; others: bge-small-en-v1.5, "
                    + "bge-small-zh-v1.5, e5-small-v2 when their langchain4j jar is on the classpath), a directory "
                    + "(config.json + model.safetensors + tokenizer.json, or model.onnx + tokenizer.json) or an "
                    + ".onnx file with tokenizer.json beside it.")
    String model = EmbeddingModels.DEFAULT;

    /**
     * The model; a name or path that holds no loadable model is a {@link UserError} (exit 2), naming the known models,
     * the Maven coordinates to add or the file at fault.
     */
    EmbeddingModel load() throws UserError, IOException {
        try {
            return EmbeddingModels.load(model);
        } catch (ModelNotFoundException | WeightFormatException | TokenizerFormatException e) {
            throw new UserError("--model " + model + ": " + e.getMessage(), e);
        }
    }
}
