package dev.attention4j.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.attention4j.train.data.BpeTokenizer;
import dev.attention4j.train.data.CharTokenizer;
import dev.attention4j.train.data.Tokenizer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RunConfigTest {

    private final List<String> texts = List.of("the cat sat", "on the mat", "a cat");

    private RunConfig copyRun() {
        Tokenizer chars = CharTokenizer.train(List.of("abcdefghij"));
        return RunConfig.of(BuiltInTask.COPY, null, 7, TaskPreset.copy(), 64, chars, chars);
    }

    private RunConfig bpeRun() {
        Tokenizer bpe = BpeTokenizer.train(texts, 30);
        return RunConfig.of(null, new RunConfig.DataFile("/x/data.tsv", 123, "ab".repeat(32)), 3,
                TaskPreset.tsv(TokenizerKind.BPE, 30), 64, bpe, bpe);
    }

    @Test
    void jsonRoundTripsWithEveryField() throws JsonProcessingException {
        for (RunConfig config : List.of(copyRun(), bpeRun(), copyRun().withLength(new TaskPreset.Length(5, 2, 0.5)))) {
            assertThat(RunConfig.fromJson(config.toJson())).isEqualTo(config);
        }
        assertThat(copyRun().toJson()).contains("\"task\" : \"copy\"", "\"activation\" : \"gelu\"",
                "\"source_tokenizer\" : \"char\"", "\"minutes\" : null", "\"merges\" : null");
    }

    @Test
    void savedTokenizersRestoreTheSameTokens() {
        RunConfig config = bpeRun();
        Tokenizer restored = config.sourceTokenizer().restore();
        Tokenizer original = BpeTokenizer.train(texts, 30);
        assertThat(restored.encode("the cat on a mat")).containsExactly(original.encode("the cat on a mat"));
        assertThat(config.sourceTokenizer().merges()).isEqualTo(((BpeTokenizer) original).merges());
    }

    @Test
    void theLengthMayChangeButNothingElse() {
        RunConfig config = copyRun();
        assertThat(config.sameRunAs(config.withLength(new TaskPreset.Length(99, 3, 1.0)))).isTrue();
        RunConfig otherSeed = RunConfig.of(BuiltInTask.COPY, null, 8, TaskPreset.copy(), 64,
                config.sourceTokenizer().restore(), config.targetTokenizer().restore());
        assertThat(config.sameRunAs(otherSeed)).isFalse();
    }

    @Test
    void readingIsStrict() {
        String json = copyRun().toJson();
        assertThatThrownBy(() -> RunConfig.fromJson(json.replace("\"format_version\" : 1", "\"format_version\" : 2")))
                .hasMessageContaining("format_version: this attention4j reads versions 1 to 1 but got 2");
        assertThatThrownBy(() -> RunConfig.fromJson(json.replace("  \"seed\" : 7,\n", "")))
                .hasMessageContaining("seed");
        assertThatThrownBy(() -> RunConfig.fromJson(json.replace("\"seed\" : 7", "\"seed\" : 7, \"colour\" : 1")))
                .hasMessageContaining("colour");
        assertThatThrownBy(() -> RunConfig.fromJson(json.replace("\"task\" : \"copy\"", "\"task\" : \"sort\"")))
                .hasMessageContaining("sort");
        assertThatThrownBy(() -> RunConfig.fromJson(json.replace("\"model_dim\" : 64", "\"model_dim\" : 30")))
                .hasMessageContaining("numHeads");
        assertThatThrownBy(() -> RunConfig.fromJson(json.replace("\"task\" : \"copy\"", "\"task\" : \"numbers\"")))
                .hasMessageContaining("strings");
    }
}
