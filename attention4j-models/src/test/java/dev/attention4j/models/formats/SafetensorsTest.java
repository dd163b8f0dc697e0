package dev.attention4j.models.formats;

import static dev.attention4j.models.formats.HandBuilt.concat;
import static dev.attention4j.models.formats.HandBuilt.f32;
import static dev.attention4j.models.formats.HandBuilt.le64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attention4j.tensor.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writing: save -> load is the identity, the bytes are the reference layout, and replacing a file is atomic. */
class SafetensorsTest {

    @TempDir
    Path dir;

    @Test
    void writeThenReadIsTheIdentityForEveryShape() throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("scalar", Tensor.scalar(-0.0f));
        tensors.put("empty", Tensor.zeros(0));
        tensors.put("empty.middle", Tensor.zeros(2, 0, 4));
        tensors.put("vector", Tensor.of(new float[] {Float.NaN, Float.intBitsToFloat(0x7FC00001),
            Float.POSITIVE_INFINITY, Float.MIN_VALUE, -Float.MAX_VALUE}, 5));
        tensors.put("matrix", Tensor.randn(1, 2, 3));
        tensors.put("rank4", Tensor.randn(2, 1, 2, 3, 4));
        Path path = dir.resolve("model.safetensors");

        Safetensors.write(path, tensors, Map.of());
        Map<String, Tensor> back = Safetensors.readAll(path);

        assertThat(back.keySet()).containsExactlyInAnyOrderElementsOf(tensors.keySet());
        for (Map.Entry<String, Tensor> entry : tensors.entrySet()) {
            Tensor read = back.get(entry.getKey());
            assertThat(read.bitEquals(entry.getValue())).as("%s: %s", entry.getKey(), read).isTrue();
        }
        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            assertThat(file.tensors().get("empty.middle").shape()).containsExactly(2, 0, 4);
            assertThat(file.tensors().get("scalar").shape()).isEmpty();
            assertThat(file.tensors().values()).allMatch(info -> info.dtype() == DType.F32);
        }
    }

    @Test
    void metadataRoundTrips() throws IOException {
        Map<String, String> metadata = Map.of("format", "pt", "note", "quote \" backslash \\ newline \n h\u00e9 \uD83D\uDE00",
                "", "empty key");
        Path path = dir.resolve("meta.safetensors");
        Safetensors.write(path, Map.of("w", Tensor.scalar(1f)), metadata);
        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            assertThat(file.metadata()).isEqualTo(metadata);
            assertThat(file.metadata().keySet()).containsExactly("", "format", "note"); // written sorted
        }
    }

    @Test
    void theBytesAreTheReferenceLayout() throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("b", Tensor.scalar(3f));
        tensors.put("a", Tensor.of(new float[] {1f, 2f}, 2));
        Path path = dir.resolve("layout.safetensors");

        Safetensors.write(path, tensors, Map.of("format", "pt"));

        String json = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[8,12]}}";
        String padded = json + " ".repeat((8 - json.length() % 8) % 8);
        byte[] expected = concat(le64(padded.length()), padded.getBytes(StandardCharsets.UTF_8), f32(1f, 2f, 3f));
        assertThat(Files.readAllBytes(path)).isEqualTo(expected);
    }

    @Test
    void emptyMetadataIsLeftOutAndAnEmptyMapIsAValidFile() throws IOException {
        Path path = dir.resolve("nothing.safetensors");
        Safetensors.write(path, Map.of(), Map.of());
        assertThat(Files.readAllBytes(path)).isEqualTo(concat(le64(8), "{}      ".getBytes(StandardCharsets.UTF_8)));
        assertThat(Safetensors.readAll(path)).isEmpty();
    }

    @Test
    void theOutputDependsOnlyOnTheContentsNotOnIterationOrder() throws IOException {
        Map<String, Tensor> forward = new LinkedHashMap<>();
        Map<String, Tensor> backward = new LinkedHashMap<>();
        Map<String, Tensor> hashed = new HashMap<>();
        List<String> names = List.of("encoder.layer.10.w", "encoder.layer.2.w", "\uFFFD", "\uD83D\uDE00", "Z", "a");
        for (int i = 0; i < names.size(); i++) {
            forward.put(names.get(i), Tensor.randn(i, 3));
            hashed.put(names.get(i), Tensor.randn(i, 3));
        }
        for (int i = names.size() - 1; i >= 0; i--) {
            backward.put(names.get(i), Tensor.randn(i, 3));
        }
        Path one = dir.resolve("one.safetensors");
        Path two = dir.resolve("two.safetensors");
        Path three = dir.resolve("three.safetensors");
        Safetensors.write(one, forward, Map.of("x", "1", "y", "2"));
        Safetensors.write(two, backward, Map.of("y", "2", "x", "1"));
        Safetensors.write(three, hashed, Map.of("x", "1", "y", "2"));
        assertThat(Files.readAllBytes(two)).isEqualTo(Files.readAllBytes(one));
        assertThat(Files.readAllBytes(three)).isEqualTo(Files.readAllBytes(one));
        try (SafetensorsFile file = SafetensorsFile.open(one)) {
            // UTF-8 byte order: U+FFFD (EF BF BD) sorts before U+1F600 (F0 9F 98 80), unlike String.compareTo.
            assertThat(file.tensors().keySet()).containsExactly("Z", "a", "encoder.layer.10.w", "encoder.layer.2.w",
                    "\uFFFD", "\uD83D\uDE00");
        }
    }

    @Test
    void codePointOrderIsUtf8ByteOrder() {
        assertThat(Safetensors.compareCodePoints("\uFFFD", "\uD83D\uDE00")).isNegative();
        assertThat("\uFFFD".compareTo("\uD83D\uDE00")).isPositive(); // why String.compareTo would be wrong
        assertThat(Safetensors.compareCodePoints("ab", "abc")).isNegative();
        assertThat(Safetensors.compareCodePoints("abc", "ab")).isPositive();
        assertThat(Safetensors.compareCodePoints("ab", "ab")).isZero();
        assertThat(Safetensors.compareCodePoints("", "a")).isNegative();
    }

    @Test
    void writingOverAFileReplacesItAndLeavesNoTemporaryFiles() throws IOException {
        Path path = dir.resolve("model.safetensors");
        Safetensors.write(path, Map.of("old", Tensor.randn(1, 1000)), Map.of("version", "1"));
        Map<String, Tensor> next = Map.of("new", Tensor.randn(2, 3, 2));

        Safetensors.write(path, next, Map.of());

        assertThat(Safetensors.readAll(path).keySet()).containsExactly("new");
        assertThat(Safetensors.readAll(path).get("new").bitEquals(next.get("new"))).isTrue();
        assertThat(listDir()).containsExactly(path);
    }

    @Test
    void aRefusedWriteLeavesTheOldFileAndNoTemporaryFiles() throws IOException {
        Path path = dir.resolve("model.safetensors");
        Safetensors.write(path, Map.of("w", Tensor.scalar(1f)), Map.of());
        byte[] before = Files.readAllBytes(path);

        assertThatThrownBy(() -> Safetensors.write(path, Map.of("__metadata__", Tensor.scalar(2f)), Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reserved");
        assertThatThrownBy(() -> Safetensors.write(path, Map.of("bad\uD800name", Tensor.scalar(2f)), Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not valid Unicode");
        Map<String, Tensor> withNull = new HashMap<>();
        withNull.put("w", null);
        assertThatThrownBy(() -> Safetensors.write(path, withNull, Map.of()))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("tensors['w'] is null");

        assertThat(Files.readAllBytes(path)).isEqualTo(before);
        assertThat(listDir()).containsExactly(path);
    }

    @Test
    void aFailedWriteDeletesItsTemporaryFile() throws IOException {
        Path target = dir.resolve("a-directory");
        Files.createDirectory(target);
        Files.writeString(target.resolve("inside"), "keeps the directory non-empty");

        assertThatThrownBy(() -> Safetensors.write(target, Map.of("w", Tensor.scalar(1f)), Map.of()))
                .isInstanceOf(IOException.class);

        assertThat(listDir()).containsExactly(target);
    }

    @Test
    void theWrittenFileHasTheDefaultPermissionsOfANewFile() throws IOException {
        Assumptions.assumeTrue(Files.getFileAttributeView(dir, PosixFileAttributeView.class) != null,
                "needs a POSIX file system to compare permissions");
        Path plain = Files.createFile(dir.resolve("plain"));
        Path written = dir.resolve("written.safetensors");
        Safetensors.write(written, Map.of(), Map.of());
        assertThat(Files.getPosixFilePermissions(written)).isEqualTo(Files.getPosixFilePermissions(plain));
    }

    private List<Path> listDir() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList();
        }
    }
}
