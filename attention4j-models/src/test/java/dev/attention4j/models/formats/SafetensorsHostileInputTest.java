package dev.attention4j.models.formats;

import static dev.attention4j.models.formats.HandBuilt.bytes;
import static dev.attention4j.models.formats.HandBuilt.concat;
import static dev.attention4j.models.formats.HandBuilt.f32;
import static dev.attention4j.models.formats.HandBuilt.le64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Malformed and hostile files: each is a {@link WeightFormatException} naming the file, never an OOM or a crash. */
class SafetensorsHostileInputTest {

    private static final String F32_1 = "{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}";

    @TempDir
    Path dir;

    static Stream<Arguments> malformedFiles() {
        return Stream.of(
                Arguments.of("empty file", new byte[0], "0 bytes long", 0L),
                Arguments.of("7-byte file", new byte[7], "7 bytes long", 0L),
                Arguments.of("header length 2^63-1", concat(le64(Long.MAX_VALUE), bytes('{', '}')),
                        "header length says 9223372036854775807 bytes but only 2 bytes follow", 0L),
                Arguments.of("header length 2^64-1", concat(le64(-1L), bytes('{', '}')),
                        "says 18446744073709551615 bytes", 0L),
                Arguments.of("header length beyond the file", concat(le64(100), new byte[50]),
                        "says 100 bytes but only 50 bytes follow", 0L),
                Arguments.of("Git LFS pointer", "version https://git-lfs.github.com/spec/v1\noid sha256:ab\nsize 9\n"
                        .getBytes(StandardCharsets.US_ASCII), "git lfs pull", 0L),
                Arguments.of("empty header", HandBuilt.file(""), "it is empty", -1L),
                Arguments.of("garbage JSON", HandBuilt.file("{\"a\": nope}"), "not valid JSON", -1L),
                Arguments.of("truncated JSON", HandBuilt.file("{\"a\":{\"dtype\":\"F32\""), "not valid JSON", -1L),
                Arguments.of("header is an array", HandBuilt.file("[1, 2]"), "must be a JSON object but it is an"
                        + " array", 8L),
                Arguments.of("JSON after the object", HandBuilt.file("{} {}"), "more JSON after", 11L),
                Arguments.of("invalid UTF-8", concat(le64(7), bytes('{', '"', 0xFF, '"', ':', '1', '}')),
                        "not valid UTF-8", 10L),
                Arguments.of("NUL byte", concat(le64(4), bytes('{', '}', 0, ' ')), "NUL byte", 10L),
                Arguments.of("entry not an object", HandBuilt.file("{\"w\":[1]}"), "entry 'w' must be a JSON object",
                        9L),
                Arguments.of("unknown dtype", HandBuilt.file("{\"w\":{\"dtype\":\"F8_E4M3\",\"shape\":[1],"
                        + "\"data_offsets\":[0,1]}}", bytes(0)), "dtype 'F8_E4M3'", 9L),
                Arguments.of("dtype not a string", HandBuilt.file("{\"w\":{\"dtype\":4,\"shape\":[1],"
                        + "\"data_offsets\":[0,1]}}", bytes(0)), "dtype must be a string", -1L),
                Arguments.of("missing data_offsets", HandBuilt.file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}",
                        f32(1)), "tensor 'w' has no data_offsets", 9L),
                Arguments.of("missing shape", HandBuilt.file("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}",
                        f32(1)), "tensor 'w' has no shape", 9L),
                Arguments.of("offsets out of bounds", HandBuilt.file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],"
                        + "\"data_offsets\":[0,8]}}", f32(1)), "reach past the end of the data section", 9L),
                Arguments.of("offsets and shape disagree", HandBuilt.file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],"
                        + "\"data_offsets\":[0,12]}}", new byte[12]), "16 bytes) but its data_offsets [0, 12] span"
                        + " 12 bytes", 9L),
                Arguments.of("offsets end before they begin", HandBuilt.file("{\"w\":{\"dtype\":\"F32\",\"shape\":[0],"
                        + "\"data_offsets\":[4,0]}}", f32(1)), "end before they begin", 9L),
                Arguments.of("three data offsets", HandBuilt.file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],"
                        + "\"data_offsets\":[0,4,8]}}", f32(1)), "more than 2 numbers", -1L),
                Arguments.of("one data offset", HandBuilt.file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],"
                        + "\"data_offsets\":[0]}}", f32(1)), "must be [begin, end] but has 1", -1L),
                Arguments.of("overlapping tensors", HandBuilt.file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],"
                        + "\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
                        new byte[12]), "tensor 'b' (data bytes [4, 12)) overlaps tensor 'a'", -1L),
                Arguments.of("two tensors on the same bytes", HandBuilt.file("{\"a\":" + F32_1 + ",\"b\":" + F32_1
                        + "}", f32(1)), "overlaps", -1L),
                Arguments.of("gap between tensors", HandBuilt.file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],"
                        + "\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}",
                        new byte[12]), "data bytes [4, 8) belong to no tensor", -1L),
                Arguments.of("gap at the start", HandBuilt.file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],"
                        + "\"data_offsets\":[4,8]}}", new byte[8]), "data bytes [0, 4) belong to no tensor", -1L),
                Arguments.of("bytes after the last tensor", HandBuilt.file("{\"a\":" + F32_1 + "}", new byte[6]),
                        "the last 2 bytes of the file belong to no tensor", -1L),
                Arguments.of("shape product overflows", HandBuilt.file("{\"w\":{\"dtype\":\"F32\",\"shape\":"
                        + "[4294967296,4294967296,4294967296],\"data_offsets\":[0,4]}}", f32(1)), "overflows 64 bits",
                        9L),
                Arguments.of("byte size overflows", HandBuilt.file("{\"w\":{\"dtype\":\"F64\",\"shape\":"
                        + "[4611686018427387904],\"data_offsets\":[0,4]}}", f32(1)), "overflows 64 bits", 9L),
                Arguments.of("negative dim", HandBuilt.file("{\"w\":{\"dtype\":\"F32\",\"shape\":[-1,-4],"
                        + "\"data_offsets\":[0,4]}}", f32(1)), "shape holds -1, outside [0, 2^63)", -1L),
                Arguments.of("dim beyond 64 bits", HandBuilt.file("{\"w\":{\"dtype\":\"F32\",\"shape\":"
                        + "[18446744073709551616],\"data_offsets\":[0,4]}}", f32(1)), "outside [0, 2^63)", -1L),
                Arguments.of("fractional dim", HandBuilt.file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1.0],"
                        + "\"data_offsets\":[0,4]}}", f32(1)), "shape must hold integers", -1L),
                Arguments.of("rank above 64", HandBuilt.file("{\"w\":{\"dtype\":\"F32\",\"shape\":["
                        + "1,".repeat(65) + "1],\"data_offsets\":[0,4]}}", f32(1)), "shape has more than 64", -1L),
                Arguments.of("duplicate tensor name", HandBuilt.file("{\"a\":" + F32_1 + ",\"a\":" + F32_1 + "}",
                        f32(1)), "Duplicate field 'a'", -1L),
                Arguments.of("metadata value not a string", HandBuilt.file("{\"__metadata__\":{\"n\":1}}"),
                        "__metadata__['n'] must be a string", -1L),
                Arguments.of("metadata not an object", HandBuilt.file("{\"__metadata__\":[]}"),
                        "__metadata__ must be a JSON object of strings but is an array", -1L));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedFiles")
    void isAWeightFormatExceptionNamingTheFile(String description, byte[] contents, String expected,
            long expectedOffset) throws IOException {
        Path path = HandBuilt.write(dir, "hostile.safetensors", contents);
        assertThatThrownBy(() -> SafetensorsFile.open(path).close())
                .isInstanceOfSatisfying(WeightFormatException.class, e -> {
                    assertThat(e.file()).isEqualTo(path);
                    if (expectedOffset >= 0) {
                        assertThat(e.offset()).as("offset").isEqualTo(expectedOffset);
                    }
                })
                .hasMessageStartingWith(path.toString())
                .hasMessageContaining(expected);
    }

    @Test
    void aHeaderOverTheSizeCapIsRefusedBeforeAllocatingIt() throws IOException {
        long headerLength = 150_000_000L;
        Path path = dir.resolve("bigheader.safetensors");
        try (RandomAccessFile raf = new RandomAccessFile(path.toFile(), "rw")) {
            raf.write(le64(headerLength));
            raf.setLength(8 + headerLength); // sparse: takes no disk space
        }
        assertThatThrownBy(() -> SafetensorsFile.open(path))
                .isInstanceOf(WeightFormatException.class)
                .hasMessageStartingWith(path.toString())
                .hasMessageContaining("150000000 bytes, more than the 100000000 that safetensors allows");
    }

    @Test
    void aZeroSizeTensorMayShareItsOffsetWithItsNeighbours() throws IOException {
        Path path = HandBuilt.write(dir, "zeros.safetensors", HandBuilt.file("{"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"e\":{\"dtype\":\"I64\",\"shape\":[3,0],\"data_offsets\":[4,4]},"
                + "\"f\":{\"dtype\":\"F32\",\"shape\":[0,9223372036854775807],\"data_offsets\":[4,4]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", f32(1, 2)));
        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            assertThat(file.readLongs("e")).isEmpty();
            assertThat(file.readFloat("b").data()).containsExactly(2f);
            // Valid in the format, but attention4j's dims are ints.
            assertThatThrownBy(() -> file.readFloat("f")).isInstanceOf(WeightFormatException.class)
                    .hasMessageContaining("dim 1 = 9223372036854775807");
        }
    }

    @Test
    void aZeroSizeTensorInsideAnotherIsAnOverlap() throws IOException {
        Path path = HandBuilt.write(dir, "inside.safetensors", HandBuilt.file("{"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"e\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,4]}}", f32(1, 2)));
        assertThatThrownBy(() -> SafetensorsFile.open(path)).isInstanceOf(WeightFormatException.class)
                .hasMessageContaining("tensor 'e' (data bytes [4, 4)) overlaps tensor 'a'");
    }

    @Test
    void anEmptyHeaderObjectWithNoDataIsAValidFile() throws IOException {
        Path path = HandBuilt.write(dir, "nothing.safetensors", HandBuilt.file("{}      "));
        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            assertThat(file.tensors()).isEmpty();
            assertThat(file.metadata()).isEmpty();
            assertThatThrownBy(() -> file.readFloat("x")).hasMessageContaining("it has: no tensors");
        }
    }
}
