package dev.attention4j.cli;

import dev.attention4j.train.data.Example;
import dev.attention4j.train.data.Tasks;

import java.util.List;
import java.util.Objects;

/** The synthetic tasks {@code attention4j train --task} knows, with their presets. */
enum BuiltInTask {
    /** English number words to Chinese numerals. */
    NUMBERS,
    /** A string to itself. */
    COPY,
    /** A string to itself reversed. */
    REVERSE;

    TaskPreset preset() {
        return switch (this) {
            case NUMBERS -> TaskPreset.numbers();
            case COPY -> TaskPreset.copy();
            case REVERSE -> TaskPreset.reverse();
        };
    }

    /** Whether the task's examples are strings drawn from {@link TaskPreset.Strings}. */
    boolean usesStrings() {
        return this != NUMBERS;
    }

    /** {@code data.examples()} examples drawn with {@code seed}. */
    List<Example> examples(TaskPreset.Data data, long seed) {
        return switch (this) {
            case NUMBERS -> Tasks.numbers(seed, data.examples());
            case COPY -> {
                TaskPreset.Strings s = Objects.requireNonNull(data.strings(), "data.strings");
                yield Tasks.copy(seed, data.examples(), s.alphabet(), s.minLength(), s.maxLength());
            }
            case REVERSE -> {
                TaskPreset.Strings s = Objects.requireNonNull(data.strings(), "data.strings");
                yield Tasks.reverse(seed, data.examples(), s.alphabet(), s.minLength(), s.maxLength());
            }
        };
    }

    @Override
    public String toString() {
        return EnumNames.of(this);
    }

    /** {@code --task numbers|copy|reverse}. */
    static final class Names extends EnumNames<BuiltInTask> {
        Names() {
            super(BuiltInTask.class);
        }
    }
}
