package dev.attention4j.models.formats;

import static dev.attention4j.models.formats.OnnxFileTest.FLOAT;
import static dev.attention4j.models.formats.OnnxFileTest.model;
import static dev.attention4j.models.formats.OnnxFileTest.tensor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.attention4j.models.formats.onnxschema.OnnxSchema.AttributeProto;
import dev.attention4j.models.formats.onnxschema.OnnxSchema.GraphProto;
import dev.attention4j.models.formats.onnxschema.OnnxSchema.ModelProto;
import dev.attention4j.models.formats.onnxschema.OnnxSchema.NodeProto;
import dev.attention4j.models.formats.onnxschema.OnnxSchema.StringStringEntryProto;
import dev.attention4j.models.formats.onnxschema.OnnxSchema.TensorProto;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Malformed and hostile ONNX files: each is a {@link WeightFormatException} naming the file and what is wrong, never an
 * OutOfMemoryError, whatever sizes the file claims.
 */
class OnnxHostileInputTest {

    @TempDir
    Path dir;

    private static byte[] graphWith(TensorProto.Builder initializer) {
        return model(GraphProto.newBuilder().addInitializer(initializer)).toByteArray();
    }

    private static byte[] f32(float... values) {
        return HandBuilt.f32(values);
    }

    /** Field 7 (graph), wire type 2, then a varint length. */
    private static byte[] graphFieldClaiming(long length) {
        byte[] prefix = ModelProto.newBuilder().setIrVersion(8).build().toByteArray();
        byte[] out = Arrays.copyOf(prefix, prefix.length + 11);
        int at = prefix.length;
        out[at++] = (7 << 3) | 2;
        long v = length;
        while ((v & ~0x7FL) != 0) {
            out[at++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out[at++] = (byte) v;
        return Arrays.copyOf(out, at + 3); // and only 3 bytes follow
    }

    static Stream<Arguments> malformedFiles() {
        byte[] good = model(GraphProto.newBuilder()
                .addInitializer(tensor("w", FLOAT, 4, 4).setRawData(ByteString.copyFrom(new byte[64])))).toByteArray();
        return Stream.of(
                Arguments.of("empty file", new byte[0], "the file is empty"),
                Arguments.of("truncated in the middle of the weights", Arrays.copyOf(good, good.length - 20),
                        "not a valid protobuf message"),
                Arguments.of("one byte cut", Arrays.copyOf(good, good.length - 1), "not a valid protobuf message"),
                Arguments.of("wrong bytes (a JSON file)", "{\"architectures\": [\"BertModel\"]}"
                        .getBytes(StandardCharsets.UTF_8), "not a valid protobuf message"),
                Arguments.of("Git LFS pointer", "version https://git-lfs.github.com/spec/v1\noid sha256:ab\n"
                        .getBytes(StandardCharsets.US_ASCII), "Git LFS pointer"),
                Arguments.of("a length of 2^31 - 1 with 3 bytes after it", graphFieldClaiming(Integer.MAX_VALUE),
                        "not a valid protobuf message"),
                Arguments.of("a length of 2^63", graphFieldClaiming(Long.MIN_VALUE), "not a valid protobuf message"),
                Arguments.of("no ir_version", ModelProto.newBuilder().setGraph(GraphProto.newBuilder()).build()
                        .toByteArray(), "has no ir_version"),
                Arguments.of("no graph", ModelProto.newBuilder().setIrVersion(8).build().toByteArray(),
                        "has no graph"),
                Arguments.of("dims far beyond the file", graphWith(tensor("w", FLOAT, 1_000_000_000L, 1_000_000_000L)
                        .setRawData(ByteString.copyFrom(f32(1)))), "initializer 'w' is FLOAT with dims [1000000000,"
                        + " 1000000000] (1000000000000000000 elements) but its data holds 4 bytes of raw_data"),
                Arguments.of("dims whose product overflows", graphWith(tensor("w", FLOAT, 1L << 40, 1L << 40)
                        .addFloatData(1)), "(more than 2^63 elements) but its data holds 1 elements"),
                Arguments.of("dims with no data at all", graphWith(tensor("w", FLOAT, 1 << 30)),
                        "but its data holds 0 elements"),
                Arguments.of("negative dim", graphWith(tensor("w", FLOAT, 2, -3).addFloatData(1)),
                        "initializer 'w' has dims [2, -3], with a negative dim -3"),
                Arguments.of("unknown data type", graphWith(tensor("w", 99, 1).setRawData(ByteString.copyFrom(
                        f32(1)))), "initializer 'w' has data type 99, which attention4j does not know"),
                Arguments.of("raw_data not a whole number of elements", graphWith(tensor("w", FLOAT, 1)
                        .setRawData(ByteString.copyFrom(new byte[5]))), "5 bytes of raw_data, not a whole number of"
                        + " 4-byte elements"),
                Arguments.of("too few typed elements", graphWith(tensor("w", FLOAT, 3).addFloatData(1)),
                        "its data holds 1 elements"),
                Arguments.of("external data", graphWith(tensor("w", FLOAT, 1).setDataLocation(1)
                        .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue("w.bin"))),
                        "initializer 'w' keeps its data in an external file"),
                Arguments.of("undefined data location", graphWith(tensor("w", FLOAT, 1).setDataLocation(7)
                        .addFloatData(1)), "data_location 7"),
                Arguments.of("unnamed initializer", graphWith(tensor("", FLOAT, 1).addFloatData(1)),
                        "initializer 0 has no name"),
                Arguments.of("two initializers with one name", model(GraphProto.newBuilder()
                        .addInitializer(tensor("w", FLOAT, 1).addFloatData(1))
                        .addInitializer(tensor("w", FLOAT, 1).addFloatData(2))).toByteArray(),
                        "two initializers are named 'w'"),
                Arguments.of("node without op_type", model(GraphProto.newBuilder().addNode(NodeProto.newBuilder()
                        .addInput("x").addOutput("y"))).toByteArray(), "node 0 () has no op_type"),
                Arguments.of("attribute of an undefined type", model(GraphProto.newBuilder().addNode(NodeProto
                        .newBuilder().setOpType("Relu").addAttribute(AttributeProto.newBuilder().setName("a")
                                .setType(42)))).toByteArray(), "node 0 (Relu) attribute 'a' has type 42"),
                Arguments.of("hostile Constant tensor", model(GraphProto.newBuilder().addNode(NodeProto.newBuilder()
                        .setOpType("Constant").addOutput("c").addAttribute(AttributeProto.newBuilder()
                                .setName("value").setType(4).setT(tensor("", FLOAT, Long.MAX_VALUE)))))
                        .toByteArray(), "node 0 (Constant) attribute 'value' is FLOAT with dims"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedFiles")
    void malformedFilesFailWithTheirPathAndTheProblem(String what, byte[] bytes, String problem) throws IOException {
        Path path = Files.write(dir.resolve("bad.onnx"), bytes);
        assertThatThrownBy(() -> OnnxFile.read(path))
                .isInstanceOf(WeightFormatException.class)
                .hasMessageStartingWith(path.toString())
                .hasMessageContaining(problem)
                .satisfies(e -> assertThat(((WeightFormatException) e).file()).isEqualTo(path));
    }

    @Test
    void aBoolTensorHoldingTwoFailsWhenRead() throws IOException {
        Path path = Files.write(dir.resolve("bool.onnx"), graphWith(tensor("b", OnnxFileTest.BOOL, 2)
                .setRawData(ByteString.copyFrom(new byte[] {1, 2}))));
        OnnxFile file = OnnxFile.read(path);
        assertThatThrownBy(() -> file.initializers().get("b").toLongs())
                .isInstanceOf(WeightFormatException.class)
                .hasMessageContaining("holds 2 at element 1 where a boolean (0 or 1) belongs");
    }

    @Test
    void stringTensorsHaveNoFloatValue() throws IOException {
        Path path = Files.write(dir.resolve("s.onnx"), graphWith(tensor("s", 8, 1)
                .addStringData(ByteString.copyFromUtf8("hello"))));
        OnnxFile file = OnnxFile.read(path);
        assertThatThrownBy(() -> file.initializers().get("s").toFloat())
                .isInstanceOf(WeightFormatException.class)
                .hasMessageContaining("tensor 's' (STRING [1]) has no float32 value");
    }

    @Test
    void randomBytesNeverEscapeAsAnythingButWeightFormatException() throws IOException {
        byte[] good = model(GraphProto.newBuilder()
                .addInitializer(tensor("w", FLOAT, 2, 3).setRawData(ByteString.copyFrom(f32(1, 2, 3, 4, 5, 6))))
                .addNode(NodeProto.newBuilder().setOpType("MatMul").addInput("x").addInput("w").addOutput("y")))
                .toByteArray();
        SplittableRandom random = new SplittableRandom(5);
        Path path = dir.resolve("flipped.onnx");
        for (int trial = 0; trial < 300; trial++) {
            byte[] bytes = good.clone();
            for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
            }
            Files.write(path, bytes);
            try {
                OnnxFile file = OnnxFile.read(path);
                for (OnnxTensor t : file.initializers().values()) {
                    if (t.dataType().isFloatingPoint() || t.dataType().isInteger()) {
                        assertThat(t.toFloat().size()).isEqualTo(t.elementCount());
                    }
                }
            } catch (WeightFormatException expected) {
                assertThat(expected.getMessage()).startsWith(path.toString());
            }
        }
    }
}
