package dev.attention4j.models.formats;

import static dev.attention4j.models.formats.HandBuilt.le16;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attention4j.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writing F16 and BF16: rounding to nearest even, overflow, underflow, NaN, and the bytes on disk. */
class SafetensorsHalfPrecisionTest {

    @TempDir
    Path dir;

    /** The data section of a one-tensor file: the bytes after the header. */
    private static byte[] data(Path path, int bytes) throws IOException {
        byte[] all = Files.readAllBytes(path);
        return Arrays.copyOfRange(all, all.length - bytes, all.length);
    }

    @Test
    void f16RoundsToNearestEvenAndSaturatesToInfinity() throws IOException {
        float[] values = {1f, -0f, 65504f, 65520f, 0x1p-24f, 0x1p-25f, 0x1.8p-25f, 1f + 0x1p-11f, 1f + 0x3p-11f,
            Float.NaN, Float.NEGATIVE_INFINITY};
        Path path = dir.resolve("h.safetensors");
        Safetensors.write(path, Map.of("h", Tensor.of(values, values.length)), Map.of(), DType.F16);

        assertThat(data(path, 2 * values.length)).containsExactly(le16(
                0x3C00,  // 1
                0x8000,  // -0 keeps its sign
                0x7BFF,  // the largest finite half
                0x7C00,  // 65520 is halfway to 65536: ties to even, which is infinity
                0x0001,  // the smallest subnormal
                0x0000,  // half of it: ties to even (zero)
                0x0001,  // 1.5 times half of it: rounds up
                0x3C00,  // 1 + 2^-11 is halfway between 1 and 1 + 2^-10: ties to even (1)
                0x3C02,  // 1 + 3 * 2^-11: ties to even (1 + 2^-9)
                0x7E00,  // NaN
                0xFC00)); // -inf
        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            assertThat(file.tensors().get("h").dtype()).isEqualTo(DType.F16);
            assertThat(file.readFloat("h").data()).containsExactly(1f, -0f, 65504f, Float.POSITIVE_INFINITY,
                    0x1p-24f, 0f, 0x1p-24f, 1f, 1f + 0x1p-9f, Float.NaN, Float.NEGATIVE_INFINITY);
        }
    }

    @Test
    void bf16RoundsToNearestEvenKeepsNaNAndOverflowsToInfinity() throws IOException {
        float[] values = {1f, -3f, 1f + 0x1p-8f, 1f + 0x3p-8f, 1f + 0x1.02p-8f, Float.MAX_VALUE, 0x1p-133f,
            Float.intBitsToFloat(0x7F800001), Float.intBitsToFloat(0xFF800001), Float.NEGATIVE_INFINITY};
        Path path = dir.resolve("b.safetensors");
        Safetensors.write(path, Map.of("b", Tensor.of(values, 2, 5)), Map.of(), DType.BF16);

        assertThat(data(path, 2 * values.length)).containsExactly(le16(
                0x3F80,  // 1
                0xC040,  // -3
                0x3F80,  // 1 + 2^-8 is halfway between 1 and 1 + 2^-7: ties to even (1)
                0x3F82,  // 1 + 3 * 2^-8: ties to even (1 + 2^-6)
                0x3F81,  // just above halfway: rounds up
                0x7F80,  // the largest float rounds beyond bf16's largest: infinity
                0x0001,  // the smallest bf16 subnormal is exact
                0x7FC0,  // a NaN whose payload is all in the dropped bits stays NaN
                0xFFC0,  // and keeps its sign
                0xFF80)); // -inf
        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            assertThat(file.tensors().get("b").dtype()).isEqualTo(DType.BF16);
            assertThat(file.tensors().get("b").shape()).containsExactly(2, 5);
            float[] back = file.readFloat("b").data();
            assertThat(back[7]).isNaN();
            assertThat(back[8]).isNaN();
            assertThat(Arrays.copyOf(back, 7)).containsExactly(1f, -3f, 1f, 1f + 0x1p-6f, 1f + 0x1p-7f,
                    Float.POSITIVE_INFINITY, 0x1p-133f);
        }
    }

    @Test
    void theRoundTripErrorIsWithinHalfAnUlpOfTheFormat() throws IOException {
        Tensor x = Tensor.randn(3, 1000);
        for (DType dtype : new DType[] {DType.F16, DType.BF16}) {
            Path path = dir.resolve(dtype + ".safetensors");
            Safetensors.write(path, Map.of("x", x), Map.of(), dtype);
            float[] back = Safetensors.readAll(path).get("x").data();
            int mantissaBits = dtype == DType.F16 ? 10 : 7;
            for (int i = 0; i < back.length; i++) {
                float v = x.data()[i];
                // normal range: |error| <= 2^-(mantissaBits + 1) relative; F16 subnormals: <= 2^-25 absolute
                double bound = Math.max(Math.abs(v) * Math.pow(2, -(mantissaBits + 1)), 0x1p-25);
                assertThat((double) Math.abs(back[i] - v)).as("%s element %d: %s -> %s", dtype, i, v, back[i])
                        .isLessThanOrEqualTo(bound);
            }
        }
    }

    @Test
    void onlyFloatDtypesAreWritten() {
        assertThatThrownBy(() -> Safetensors.write(dir.resolve("x"), Map.of(), Map.of(), DType.I64))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("dtype: expected F32, F16 or BF16 but got I64");
    }
}
