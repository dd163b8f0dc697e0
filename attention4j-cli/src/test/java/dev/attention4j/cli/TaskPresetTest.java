package dev.attention4j.cli;

import dev.attention4j.nn.Activation;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TaskPresetTest {

    @Test
    void numbersHasTheLeadsCurrentValues() {
        TaskPreset p = TaskPreset.numbers();
        assertThat(p.model()).isEqualTo(new TaskPreset.Model(64, 4, 256, 2, 2, 0f, Activation.GELU));
        assertThat(p.optimization()).isEqualTo(new TaskPreset.Optimization(64, 400, 0.5f, 0.1f, 1f));
        assertThat(p.data().examples()).isEqualTo(200_000);
        assertThat(p.data().maxValid()).isEqualTo(1000);
        assertThat(p.data().sourceTokenizer()).isEqualTo(TokenizerKind.WORD);
        assertThat(p.data().targetTokenizer()).isEqualTo(TokenizerKind.CHAR);
        assertThat(p.length()).isEqualTo(new TaskPreset.Length(20_000, 500, null));
    }

    @Test
    void copyAndReverseDrawShortStringsOfTenLetters() {
        for (TaskPreset p : new TaskPreset[] {TaskPreset.copy(), TaskPreset.reverse()}) {
            assertThat(p.model().dropout()).isEqualTo(0.1f);
            assertThat(p.data().examples()).isEqualTo(20_000);
            assertThat(p.data().strings()).isEqualTo(new TaskPreset.Strings("abcdefghij", 1, 16));
            assertThat(p.length()).isEqualTo(new TaskPreset.Length(3000, 250, null));
        }
    }

    @Test
    void tinyShrinksTheModelAndTheExamplesOnly() {
        TaskPreset tiny = TaskPreset.numbers().tiny();
        assertThat(tiny.model().modelDim()).isEqualTo(16);
        assertThat(tiny.model().encoderLayers()).isEqualTo(1);
        assertThat(tiny.model().decoderLayers()).isEqualTo(1);
        assertThat(tiny.data().examples()).isEqualTo(400);
        assertThat(tiny.optimization()).isEqualTo(TaskPreset.numbers().optimization());
        assertThat(TaskPreset.tsv(TokenizerKind.CHAR, 0).tiny().data().examples()).isZero();
    }

    @Test
    void valuesAreValidatedByName() {
        assertThatThrownBy(() -> new TaskPreset.Model(64, 5, 256, 2, 2, 0f, Activation.GELU))
                .hasMessageContaining("numHeads").hasMessageContaining("5");
        assertThatThrownBy(() -> new TaskPreset.Optimization(0, 400, 0.5f, 0.1f, 1f))
                .hasMessageContaining("batchSize: expected >= 1 but got 0");
        assertThatThrownBy(() -> TaskPreset.tsv(TokenizerKind.BPE, 0)).hasMessageContaining("vocabSize");
        assertThatThrownBy(() -> TaskPreset.tsv(TokenizerKind.CHAR, 100)).hasMessageContaining("vocabSize");
        assertThatThrownBy(() -> new TaskPreset.Length(10, 0, null)).hasMessageContaining("evalEvery");
    }
}
