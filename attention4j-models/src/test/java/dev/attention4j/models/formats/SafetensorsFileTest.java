package dev.attention4j.models.formats;

import static dev.attention4j.models.formats.HandBuilt.bytes;
import static dev.attention4j.models.formats.HandBuilt.f32;
import static dev.attention4j.models.formats.HandBuilt.f64;
import static dev.attention4j.models.formats.HandBuilt.le16;
import static dev.attention4j.models.formats.HandBuilt.le32;
import static dev.attention4j.models.formats.HandBuilt.le64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attention4j.models.formats.SafetensorsFile.TensorInfo;
import dev.attention4j.tensor.Shape;
import dev.attention4j.tensor.Tensor;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading hand-built files: every dtype's conversion, checked against values worked out by hand. */
class SafetensorsFileTest {

    @TempDir
    Path dir;

    @Test
    void f16ConvertsExactly() throws IOException {
        Path path = HandBuilt.write(dir, "f16.safetensors", HandBuilt.file(
                "{\"h\":{\"dtype\":\"F16\",\"shape\":[2,4],\"data_offsets\":[0,16]}}",
                le16(0x3C00, 0xC000, 0x7BFF, 0x0001, 0x8000, 0x7C00, 0x3555, 0x7E00)));
        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            Tensor h = file.readFloat("h");
            assertThat(h.shape()).isEqualTo(Shape.of(2, 4));
            float[] v = h.data();
            assertThat(v[0]).isEqualTo(1.0f);                          // sign 0, exponent 15 (bias 15), mantissa 0
            assertThat(v[1]).isEqualTo(-2.0f);                         // sign 1, exponent 16
            assertThat(v[2]).isEqualTo(65504.0f);                      // largest finite half: (2 - 2^-10) * 2^15
            assertThat(v[3]).isEqualTo((float) Math.pow(2, -24));      // smallest subnormal half
            assertThat(Float.floatToRawIntBits(v[4])).isEqualTo(0x80000000); // -0.0
            assertThat(v[5]).isEqualTo(Float.POSITIVE_INFINITY);
            assertThat(v[6]).isEqualTo(1365f / 4096f);                 // (1 + 0x155/1024) * 2^-2
            assertThat(v[7]).isNaN();
        }
    }

    @Test
    void bf16ConvertsExactly() throws IOException {
        Path path = HandBuilt.write(dir, "bf16.safetensors", HandBuilt.file(
                "{\"b\":{\"dtype\":\"BF16\",\"shape\":[6],\"data_offsets\":[0,12]}}",
                le16(0x3F80, 0xC040, 0x4049, 0x0001, 0xFF80, 0x7FC0)));
        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            float[] v = file.readFloat("b").data();
            assertThat(v[0]).isEqualTo(1.0f);
            assertThat(v[1]).isEqualTo(-3.0f);                         // -(1 + 0.5) * 2^1
            assertThat(v[2]).isEqualTo(3.140625f);                     // (1 + 0x49/128) * 2^1
            assertThat(v[3]).isEqualTo((float) Math.pow(2, -133));     // smallest subnormal bf16
            assertThat(v[4]).isEqualTo(Float.NEGATIVE_INFINITY);
            assertThat(v[5]).isNaN();
        }
    }

    @Test
    void i64ReadsExactlyAsLongsAndRoundedAsFloats() throws IOException {
        long[] values = {Long.MIN_VALUE, -1, 0, (1L << 53) + 1, Long.MAX_VALUE, 7};
        Path path = HandBuilt.write(dir, "i64.safetensors", HandBuilt.file(
                "{\"ids\":{\"dtype\":\"I64\",\"shape\":[2,3],\"data_offsets\":[0,48]}}", le64(values)));
        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            assertThat(file.readLongs("ids")).containsExactly(values);
            assertThat(file.readFloat("ids").data())
                    .containsExactly(-0x1p63f, -1f, 0f, 0x1p53f, 0x1p63f, 7f);
        }
    }

    @Test
    void boolReadsAsBooleansLongsAndFloats() throws IOException {
        Path path = HandBuilt.write(dir, "bool.safetensors", HandBuilt.file(
                "{\"mask\":{\"dtype\":\"BOOL\",\"shape\":[2,2],\"data_offsets\":[0,4]}}", bytes(0, 1, 1, 0)));
        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            assertThat(file.readBooleans("mask")).containsExactly(false, true, true, false);
            assertThat(file.readLongs("mask")).containsExactly(0, 1, 1, 0);
            assertThat(file.readFloat("mask").data()).containsExactly(0f, 1f, 1f, 0f);
        }
    }

    @Test
    void otherIntegerAndF64TypesConvert() throws IOException {
        String header = "{"
                + "\"i32\":{\"dtype\":\"I32\",\"shape\":[3],\"data_offsets\":[0,12]},"
                + "\"i16\":{\"dtype\":\"I16\",\"shape\":[2],\"data_offsets\":[12,16]},"
                + "\"i8\":{\"dtype\":\"I8\",\"shape\":[2],\"data_offsets\":[16,18]},"
                + "\"u8\":{\"dtype\":\"U8\",\"shape\":[3],\"data_offsets\":[18,21]},"
                + "\"f64\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[21,37]},"
                + "\"f32\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[37,41]}}";
        Path path = HandBuilt.write(dir, "mixed.safetensors", HandBuilt.file(header,
                le32(Integer.MIN_VALUE, -5, 16_777_217), le16(-32768, 32767), bytes(-128, 127), bytes(0, 1, 255),
                f64(1.0 / 3, -1e300), f32(2.5f)));
        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            assertThat(file.readLongs("i32")).containsExactly(Integer.MIN_VALUE, -5, 16_777_217);
            assertThat(file.readFloat("i32").data()).containsExactly(-0x1p31f, -5f, 16_777_216f);
            assertThat(file.readLongs("i16")).containsExactly(-32768, 32767);
            assertThat(file.readFloat("i16").data()).containsExactly(-32768f, 32767f);
            assertThat(file.readLongs("i8")).containsExactly(-128, 127);
            assertThat(file.readFloat("i8").data()).containsExactly(-128f, 127f);
            assertThat(file.readLongs("u8")).containsExactly(0, 1, 255);
            assertThat(file.readFloat("u8").data()).containsExactly(0f, 1f, 255f);
            assertThat(file.readFloat("f64").data()).containsExactly((float) (1.0 / 3), Float.NEGATIVE_INFINITY);
            Tensor scalar = file.readFloat("f32");
            assertThat(scalar.rank()).isZero();
            assertThat(scalar.data()).containsExactly(2.5f);
        }
    }

    @Test
    void headerOrderMetadataAndInfoAreAsInTheFile() throws IOException {
        Path path = HandBuilt.write(dir, "order.safetensors", HandBuilt.file("{"
                + "\"z\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]},"
                + "\"__metadata__\":{\"format\":\"pt\",\"note\":\"h\u00e9\"},"
                + "\"a\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4],\"extra\":{\"ignored\":[1]}}}",
                le16(0x3C00, 0x4000), f32(3f)));
        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            assertThat(file.tensors().keySet()).containsExactly("z", "a");
            assertThat(file.metadata()).containsExactly(
                    Map.entry("format", "pt"), Map.entry("note", "h\u00e9"));
            long dataStart = HandBuilt.dataStart(path);
            assertThat(file.tensors().get("a"))
                    .isEqualTo(new TensorInfo("a", DType.F16, new long[] {2}, dataStart, 4));
            assertThat(file.tensors().get("z").dataOffset()).isEqualTo(dataStart + 4);
            assertThat(file.readFloat("a").data()).containsExactly(1f, 2f);
            assertThat(file.readFloat("z").data()).containsExactly(3f);
        }
    }

    @Test
    void readsPiecewiseWhenTheMapLimitIsSmallAndDataIsUnaligned() throws IOException {
        // Header of odd length, so the data starts at an odd position; 8-byte maps split every tensor.
        float[] f32 = {1.5f, -2f, 3.25f, 4f, 5f};
        int[] f16 = {0x3C00, 0x4000, 0x4200, 0x4400, 0x4500, 0x4600, 0x4700, 0x4800, 0x4880};
        double[] f64 = {0.1, -0.2, 0.3};
        String header = "{\"a\":{\"dtype\":\"F16\",\"shape\":[9],\"data_offsets\":[0,18]},"
                + "\"b\":{\"dtype\":\"F64\",\"shape\":[3],\"data_offsets\":[18,42]},"
                + "\"c\":{\"dtype\":\"F32\",\"shape\":[5],\"data_offsets\":[42,62]}}  ";
        assertThat(header.length() % 2).isOne();
        Path path = HandBuilt.write(dir, "pieces.safetensors", HandBuilt.file(header, le16(f16), f64(f64), f32(f32)));
        try (SafetensorsFile file = SafetensorsFile.open(path, 8)) {
            assertThat(file.readFloat("a").data()).containsExactly(1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f, 9f);
            assertThat(file.readFloat("b").data()).containsExactly(0.1f, -0.2f, 0.3f);
            assertThat(file.readFloat("c").data()).containsExactly(f32);
        }
    }

    @Test
    void readsTensorsBeyondTheFirstTwoGibibytesWithoutAllocatingForHugeOnes() throws IOException {
        long big = 3L << 30; // a sparse file: the big tensor's bytes take no disk space
        String header = "{\"big\":{\"dtype\":\"U8\",\"shape\":[" + big + "],\"data_offsets\":[0," + big + "]},"
                + "\"tail\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[" + big + "," + (big + 8) + "]}}";
        Path path = dir.resolve("sparse.safetensors");
        byte[] start = HandBuilt.file(header);
        try (RandomAccessFile raf = new RandomAccessFile(path.toFile(), "rw")) {
            raf.write(start);
            raf.seek(start.length + big);
            raf.write(f32(6f, -7f));
        }
        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            assertThat(file.tensors().get("tail").dataOffset()).isEqualTo(start.length + big);
            assertThat(file.readFloat("tail").data()).containsExactly(6f, -7f);
            assertThatThrownBy(() -> file.readLongs("big"))
                    .isInstanceOf(WeightFormatException.class)
                    .hasMessageContaining("'big'").hasMessageContaining("more than an attention4j array holds");
        }
    }

    @Test
    void wrongReaderForTheDtypeNamesTheTensor() throws IOException {
        Path path = HandBuilt.write(dir, "f.safetensors", HandBuilt.file(
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                        + "\"n\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[4,8]}}", f32(1f), le32(3)));
        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            assertThatThrownBy(() -> file.readLongs("w")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'w'").hasMessageContaining("F32").hasMessageContaining("readFloat");
            assertThatThrownBy(() -> file.readBooleans("n")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'n'").hasMessageContaining("I32");
        }
    }

    @Test
    void aBooleanByteOtherThanZeroOrOneIsAFormatErrorAtItsOffset() throws IOException {
        Path path = HandBuilt.write(dir, "badbool.safetensors", HandBuilt.file(
                "{\"m\":{\"dtype\":\"BOOL\",\"shape\":[3],\"data_offsets\":[0,3]},"
                        + "\"u\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[3,5]}}", bytes(1, 0, 2), bytes(1, 7)));
        long dataStart = HandBuilt.dataStart(path);
        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            assertThatThrownBy(() -> file.readBooleans("m")).isInstanceOfSatisfying(WeightFormatException.class,
                    e -> assertThat(e.offset()).isEqualTo(dataStart + 2))
                    .hasMessageContaining(path.toString()).hasMessageContaining("'m'").hasMessageContaining("byte 2");
            assertThatThrownBy(() -> file.readFloat("m")).isInstanceOf(WeightFormatException.class);
            assertThatThrownBy(() -> file.readBooleans("u")).isInstanceOfSatisfying(WeightFormatException.class,
                    e -> assertThat(e.offset()).isEqualTo(dataStart + 4));
            assertThat(file.readLongs("u")).containsExactly(1, 7); // as integers, U8 is fine
        }
    }

    @Test
    void aMissingNameListsTheNamesThereAre() throws IOException {
        Path path = HandBuilt.write(dir, "names.safetensors", HandBuilt.file(
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]},"
                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}}"));
        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            assertThat(file.readFloat("a").shape()).isEqualTo(Shape.of(0));
            assertThatThrownBy(() -> file.readFloat("c")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("no tensor named 'c' in " + path + "; it has: a, b");
        }
    }

    @Test
    void aLongListOfNamesIsTruncated() throws IOException {
        String entries = IntStream.range(0, 30)
                .mapToObj(i -> "\"t" + i + "\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[" + 4 * i + ","
                        + 4 * (i + 1) + "]}")
                .collect(Collectors.joining(",", "{", "}"));
        Path path = HandBuilt.write(dir, "many.safetensors", HandBuilt.file(entries, new byte[120]));
        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            assertThatThrownBy(() -> file.readLongs("t30")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("it has: t0, t1, t2,").hasMessageContaining("t19, ... (10 more)")
                    // the list after "it has:" only: the temporary directory's name may hold "t20" ("junit20...")
                    .satisfies(e -> assertThat(e.getMessage().substring(e.getMessage().indexOf("it has:")))
                            .doesNotContain("t20"));
        }
    }

    @Test
    void readsAfterCloseThrowIllegalState() throws IOException {
        Path path = HandBuilt.write(dir, "closed.safetensors", HandBuilt.file(
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", f32(1f)));
        SafetensorsFile file = SafetensorsFile.open(path);
        file.close();
        file.close(); // idempotent
        assertThat(file.tensors()).containsKey("w");
        assertThatThrownBy(() -> file.readFloat("w")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'w'").hasMessageContaining("closed");
        assertThatThrownBy(() -> file.readLongs("w")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> file.readBooleans("w")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void dtypeNamesAndSizes() {
        assertThat(DType.fromSafetensorsName("BF16")).contains(DType.BF16);
        assertThat(DType.fromSafetensorsName("bf16")).isEmpty();
        assertThat(DType.fromSafetensorsName("F8_E4M3")).isEmpty();
        assertThat(DType.F64.byteSize()).isEqualTo(8);
        assertThat(DType.BOOL.byteSize()).isEqualTo(1);
        for (DType dtype : DType.values()) {
            assertThat(DType.fromSafetensorsName(dtype.safetensorsName())).contains(dtype);
        }
    }
}
