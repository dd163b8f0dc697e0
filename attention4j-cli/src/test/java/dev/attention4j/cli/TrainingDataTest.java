package dev.attention4j.cli;

import dev.attention4j.train.data.Example;
import dev.attention4j.train.data.Split;
import dev.attention4j.train.data.Tasks;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TrainingDataTest {

    private final RunSeeds seeds = RunSeeds.of(1);

    @Test
    void theHeldOutShareIsCappedAndNeverEmpty() throws UserError {
        TaskPreset.Data half = new TaskPreset.Data(0, null, 0.5, 50, TokenizerKind.CHAR, TokenizerKind.CHAR, 0);
        Split big = TrainingData.split(Tasks.copy(3, 400, "abcdefghij", 6, 8), half, seeds, "copy");
        assertThat(big.valid()).hasSize(50); // not half of 400
        assertThat(big.train()).hasSize(350);
        Split small = TrainingData.split(Tasks.copy(3, 30, "ab", 3, 6), TaskPreset.copy().data(), seeds, "copy");
        assertThat(small.valid()).hasSize(1);
        assertThat(small.train()).isNotEmpty();
        assertThat(small.train()).extracting(Example::source).doesNotContainAnyElementsOf(
                small.valid().stream().map(Example::source).toList());
    }

    @Test
    void fewerThanTwoDistinctSourcesCannotBeSplit() {
        List<Example> same = List.of(new Example("a", "b"), new Example("a", "c"));
        assertThatThrownBy(() -> TrainingData.split(same, TaskPreset.copy().data(), seeds, "/x/one.tsv"))
                .isInstanceOf(UserError.class).hasMessage("/x/one.tsv has 1 distinct source: at least 2 are needed, "
                        + "one to train on and one to hold out for validation");
    }

    @Test
    void theModelLengthCoversBosAndEosRoundedUpAndAtLeast64() {
        assertThat(TrainingData.maxLen(16)).isEqualTo(64);
        assertThat(TrainingData.maxLen(62)).isEqualTo(64);
        assertThat(TrainingData.maxLen(63)).isEqualTo(80);
        assertThat(TrainingData.maxLen(100)).isEqualTo(112);
    }
}
