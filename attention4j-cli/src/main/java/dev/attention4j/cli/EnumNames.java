package dev.attention4j.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * An enum's values on the command line by their lower-case names ({@code --task copy}): picocli's converter, whose
 * error lists exactly the valid names, and its completion candidates (for {@code ${COMPLETION-CANDIDATES}} in help).
 * A subclass per enum, since picocli instantiates both by class.
 */
abstract class EnumNames<E extends Enum<E>> implements ITypeConverter<E>, Iterable<String> {

    private final Class<E> type;

    EnumNames(Class<E> type) {
        this.type = type;
    }

    /** The name a user types for {@code value}: its constant's name in lower case. */
    static String of(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public E convert(String text) {
        for (E value : type.getEnumConstants()) {
            if (of(value).equals(text)) {
                return value;
            }
        }
        throw new TypeConversionException("expected one of " + names() + " but got '" + text + "'");
    }

    @Override
    public Iterator<String> iterator() {
        return names().iterator();
    }

    private List<String> names() {
        return Arrays.stream(type.getEnumConstants()).map(EnumNames::of).toList();
    }
}
