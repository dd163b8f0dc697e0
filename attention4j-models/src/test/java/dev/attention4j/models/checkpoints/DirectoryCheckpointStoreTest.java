package dev.attention4j.models.checkpoints;

import dev.attention4j.autograd.Gradients;
import dev.attention4j.autograd.LinearOp;
import dev.attention4j.autograd.Tape;
import dev.attention4j.models.checkpoints.DirectoryCheckpointStore.SavePoint;
import dev.attention4j.models.formats.WeightFormatException;
import dev.attention4j.nn.Linear;
import dev.attention4j.tensor.Tensor;
import dev.attention4j.train.Adam;
import dev.attention4j.train.AdamConfig;
import dev.attention4j.train.Checkpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DirectoryCheckpointStoreTest {

    @TempDir
    Path dir;

    /** Thrown by a hook to stand for the process dying: an Error, so the store's failure cleanup does not run. */
    static final class SimulatedCrash extends Error {
        SimulatedCrash(SavePoint point) {
            super("simulated crash after " + point);
        }
    }

    /** A small checkpoint whose every tensor depends on {@code step}. */
    static Checkpoint checkpoint(long step) {
        Map<String, Tensor> weights = new LinkedHashMap<>();
        weights.put("linear.weight", Tensor.randn(step, 3, 4));
        weights.put("linear.bias", Tensor.randn(step + 1000, 3));
        Map<String, Tensor> optimizer = new LinkedHashMap<>();
        optimizer.put("exp_avg.linear.weight", Tensor.randn(step + 2000, 3, 4));
        optimizer.put("steps", Tensor.of(new float[] {0f, step}, 2));
        Map<String, String> extra = new LinkedHashMap<>();
        extra.put("loss", Float.toString(1f / (step + 1)));
        extra.put("data.position", Long.toString(step * 32));
        return new Checkpoint(step, weights, optimizer, "{\"modelDim\": 4, \"step\": " + step + "}", extra);
    }

    /** Every tensor bit for bit (raw bits: NaN payloads included), the JSON text and the extras exactly. */
    static void assertSameCheckpoint(Checkpoint actual, Checkpoint expected) {
        assertThat(actual.step()).isEqualTo(expected.step());
        assertSameTensors(actual.weights(), expected.weights());
        assertSameTensors(actual.optimizerState(), expected.optimizerState());
        assertThat(actual.configJson()).isEqualTo(expected.configJson());
        assertThat(actual.extra()).containsExactlyEntriesOf(expected.extra());
    }

    static void assertSameTensors(Map<String, Tensor> actual, Map<String, Tensor> expected) {
        assertThat(actual.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        expected.forEach((name, e) -> {
            Tensor a = actual.get(name);
            assertThat(a.shape()).as(name).isEqualTo(e.shape());
            for (int i = 0; i < e.size(); i++) {
                assertThat(Float.floatToRawIntBits(a.data()[i])).as("%s[%d]", name, i)
                        .isEqualTo(Float.floatToRawIntBits(e.data()[i]));
            }
        });
    }

    private Path checkpoints() {
        return dir.resolve("checkpoints");
    }

    private List<String> entries() throws IOException {
        try (Stream<Path> files = Files.list(checkpoints())) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void roundTripIsBitExact() throws IOException {
        Map<String, Tensor> weights = new LinkedHashMap<>();
        weights.put("z.odd values", Tensor.of(new float[] {-0f, 0f, Float.MIN_VALUE, -Float.MAX_VALUE,
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.intBitsToFloat(0x7fc01234), 1f / 3}, 2, 4));
        weights.put("a.scalar", Tensor.scalar(2.5f));
        weights.put("ünïcode.weight", Tensor.randn(7, 5));
        Map<String, Tensor> optimizer = new LinkedHashMap<>();
        optimizer.put("exp_avg.a.scalar", Tensor.scalar(-1e-30f));
        optimizer.put("steps", Tensor.of(new float[] {3f, 16777215f}, 2));
        Map<String, String> extra = new LinkedHashMap<>();
        extra.put("zeta", "last key first");
        extra.put("alpha", "quotes \" and \\ and\nnewlines, \u00e9\u4e2d\ud83d\ude00");
        String config = "{\n  \"b\": [1, 2.50, 1e-9],\n  \"a\": \"\u00e9\"\n}\n";
        Checkpoint saved = new Checkpoint(123, weights, optimizer, config, extra);

        DirectoryCheckpointStore store = new DirectoryCheckpointStore(dir);
        store.save(saved);
        assertThat(entries()).containsExactly("LATEST", "step-000000123");
        assertThat(Files.readString(checkpoints().resolve("LATEST"))).isEqualTo("step-000000123\n");
        try (Stream<Path> files = Files.list(checkpoints().resolve("step-000000123"))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(
                    "weights.safetensors", "optimizer.safetensors", "config.json", "extra.json");
        }
        assertThat(Files.readString(checkpoints().resolve("step-000000123/config.json"))).isEqualTo(config);

        Checkpoint loaded = new DirectoryCheckpointStore(dir).loadLatest().orElseThrow();
        assertSameCheckpoint(loaded, saved);
        assertThat(loaded.extra().keySet()).containsExactly("zeta", "alpha");
    }

    @Test
    void trainingResumedFromACheckpointMatchesUninterruptedTrainingBitForBit() throws IOException {
        Linear model = Linear.of(Tensor.randn(1, 3, 4), Tensor.randn(2, 3));
        Adam adam = new Adam(AdamConfig.pytorchAdamW());
        for (int step = 1; step <= 3; step++) {
            trainStep(model, adam, step);
        }
        new DirectoryCheckpointStore(dir).save(new Checkpoint(3, model.stateDict(), adam.state(), "{}", Map.of()));
        for (int step = 4; step <= 6; step++) {
            trainStep(model, adam, step);
        }

        Checkpoint loaded = new DirectoryCheckpointStore(dir).loadLatest().orElseThrow();
        Linear resumed = Linear.of(Tensor.zeros(3, 4), Tensor.zeros(3));
        resumed.loadStateDict(loaded.weights());
        Adam resumedAdam = new Adam(AdamConfig.pytorchAdamW());
        resumedAdam.loadState(loaded.optimizerState());
        for (int step = (int) loaded.step() + 1; step <= 6; step++) {
            trainStep(resumed, resumedAdam, step);
        }
        assertSameTensors(resumed.namedParameters(), model.namedParameters());
        assertSameTensors(resumedAdam.state(), adam.state());
    }

    /** One AdamW step on the loss sum(y^2) / 2 of y = model(x) for a batch drawn from {@code step}. */
    private static void trainStep(Linear model, Adam adam, int step) {
        Tape tape = new Tape();
        Tensor y = LinearOp.apply(tape, Tensor.randn(100 + step, 5, 4), model.weight(), model.bias()); // (5, 3)
        double sum = 0;
        for (float v : y.data()) {
            sum += v * v / 2.0;
        }
        Tensor loss = Tensor.scalar((float) sum);
        tape.record(grads -> grads.add(y, y.copy()));                                                 // dy = y
        Gradients grads = tape.backward(loss);
        adam.step(model.namedParameters(), grads, 0.01f);
    }

    @Test
    void nothingSavedYetLoadsEmpty() throws IOException {
        assertThat(new DirectoryCheckpointStore(dir.resolve("does/not/exist")).loadLatest()).isEmpty();
        Files.createDirectories(checkpoints().resolve("step-000000007.tmp-abc"));
        assertThat(new DirectoryCheckpointStore(dir).loadLatest()).as("no LATEST yet").isEmpty();
    }

    @Test
    void latestWeightsFileIsTheLatestCheckpointsWeights() throws IOException {
        DirectoryCheckpointStore store = new DirectoryCheckpointStore(dir);
        assertThat(store.latestWeightsFile()).isEmpty();
        store.save(checkpoint(10));
        store.save(checkpoint(20));
        assertThat(store.latestWeightsFile()).contains(checkpoints().resolve("step-000000020/weights.safetensors"));
        Files.delete(checkpoints().resolve("step-000000020/optimizer.safetensors"));
        assertThat(store.latestWeightsFile()).as("the optimizer state is not needed")
                .contains(checkpoints().resolve("step-000000020/weights.safetensors"));
        Files.delete(checkpoints().resolve("step-000000020/weights.safetensors"));
        assertThatThrownBy(store::latestWeightsFile).isInstanceOf(WeightFormatException.class)
                .hasMessageContaining("weights.safetensors");
    }

    @ParameterizedTest
    @EnumSource(SavePoint.class)
    void aCrashAnywhereLeavesACompleteCheckpoint(SavePoint crashPoint) throws IOException {
        Checkpoint first = checkpoint(10);
        Checkpoint second = checkpoint(20);
        new DirectoryCheckpointStore(dir).save(first);
        DirectoryCheckpointStore crashing = new DirectoryCheckpointStore(dir, 2, point -> {
            if (point == crashPoint) {
                throw new SimulatedCrash(point);
            }
        });
        assertThatThrownBy(() -> crashing.save(second)).isInstanceOf(SimulatedCrash.class);
        if (crashPoint.compareTo(SavePoint.DIRECTORY_RENAMED) < 0) {
            assertThat(entries()).as("the crash left its temporary directory").anyMatch(
                    name -> name.startsWith("step-000000020.tmp-"));
        }

        Checkpoint loaded = new DirectoryCheckpointStore(dir).loadLatest().orElseThrow();
        assertSameCheckpoint(loaded, crashPoint == SavePoint.LATEST_UPDATED ? second : first);

        // The next run saves again over the debris, and the debris goes.
        Checkpoint third = checkpoint(crashPoint == SavePoint.LATEST_UPDATED ? 30 : 20);
        new DirectoryCheckpointStore(dir).save(third);
        assertSameCheckpoint(new DirectoryCheckpointStore(dir).loadLatest().orElseThrow(), third);
        assertThat(entries()).allMatch(name -> name.equals("LATEST") || name.matches("step-\\d{9}"));
    }

    @ParameterizedTest
    @EnumSource(value = SavePoint.class, names = {"WEIGHTS_WRITTEN", "OPTIMIZER_WRITTEN", "CONFIG_WRITTEN",
            "EXTRA_WRITTEN"})
    void aFailedSaveCleansUpAfterItself(SavePoint failurePoint) throws IOException {
        new DirectoryCheckpointStore(dir).save(checkpoint(1));
        DirectoryCheckpointStore failing = new DirectoryCheckpointStore(dir, 2, point -> {
            if (point == failurePoint) {
                throw new IOException("disk full at " + point);
            }
        });
        assertThatThrownBy(() -> failing.save(checkpoint(2))).hasMessage("disk full at " + failurePoint);
        assertThat(entries()).containsExactly("LATEST", "step-000000001");
        assertSameCheckpoint(failing.loadLatest().orElseThrow(), checkpoint(1));
    }

    @Test
    void keepsTheNewestTwoByDefault() throws IOException {
        DirectoryCheckpointStore store = new DirectoryCheckpointStore(dir);
        for (long step = 1; step <= 5; step++) {
            store.save(checkpoint(step * 100));
        }
        assertThat(entries()).containsExactly("LATEST", "step-000000400", "step-000000500");
        assertSameCheckpoint(store.loadLatest().orElseThrow(), checkpoint(500));
    }

    @Test
    void keepIsConfigurable() throws IOException {
        DirectoryCheckpointStore store = new DirectoryCheckpointStore(dir, 3);
        for (long step = 1; step <= 5; step++) {
            store.save(checkpoint(step));
        }
        assertThat(entries()).containsExactly("LATEST", "step-000000003", "step-000000004", "step-000000005");
        DirectoryCheckpointStore one = new DirectoryCheckpointStore(dir, 1);
        one.save(checkpoint(1_234_567_890_123L));
        assertThat(entries()).containsExactly("LATEST", "step-1234567890123");
        assertSameCheckpoint(one.loadLatest().orElseThrow(), checkpoint(1_234_567_890_123L));
        assertThatThrownBy(() -> new DirectoryCheckpointStore(dir, 0)).hasMessage("keep: expected >= 1 but got 0");
    }

    @Test
    void laterStepsThanTheLatestAreLeftAlone() throws IOException {
        DirectoryCheckpointStore store = new DirectoryCheckpointStore(dir, 1);
        store.save(checkpoint(50));
        store.save(checkpoint(5)); // training restarted from an earlier point: the newer directory is not ours to drop
        assertThat(entries()).containsExactly("LATEST", "step-000000005", "step-000000050");
        assertSameCheckpoint(store.loadLatest().orElseThrow(), checkpoint(5));
    }

    @Test
    void theLatestCheckpointIsNeverOverwritten() throws IOException {
        DirectoryCheckpointStore store = new DirectoryCheckpointStore(dir);
        store.save(checkpoint(7));
        Checkpoint other = new Checkpoint(7, Map.of(), Map.of(), "{}", Map.of());
        assertThatThrownBy(() -> store.save(other)).isInstanceOf(FileAlreadyExistsException.class)
                .hasMessageContaining("step-000000007");
        assertSameCheckpoint(store.loadLatest().orElseThrow(), checkpoint(7));
        assertThat(entries()).containsExactly("LATEST", "step-000000007");
    }

    @Test
    void configJsonMustBeJson() {
        DirectoryCheckpointStore store = new DirectoryCheckpointStore(dir);
        assertThatThrownBy(() -> store.save(new Checkpoint(1, Map.of(), Map.of(), "{\"a\": ", Map.of())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("configJson: not valid JSON");
        assertThatThrownBy(() -> store.save(new Checkpoint(1, Map.of(), Map.of(), "{} {}", Map.of())))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.save(new Checkpoint(1, Map.of(), Map.of(), " ", Map.of())))
                .hasMessage("configJson: expected a JSON document but got an empty string");
        assertThat(Files.exists(checkpoints())).isFalse();
    }

    @Test
    void aCorruptLatestIsAnErrorNamingIt() throws IOException {
        new DirectoryCheckpointStore(dir).save(checkpoint(1));
        Path latest = checkpoints().resolve("LATEST");
        for (String bad : new String[] {"", "step-1\n", "../../etc\n", "step-000000001\nstep-000000002\n",
                "step-99999999999999999999\n", "x".repeat(100)}) {
            Files.writeString(latest, bad);
            assertThatThrownBy(() -> new DirectoryCheckpointStore(dir).loadLatest())
                    .as("LATEST = '%s'", bad)
                    .isInstanceOf(WeightFormatException.class)
                    .hasMessageContaining(latest.toString())
                    .satisfies(e -> assertThat(((WeightFormatException) e).file()).isEqualTo(latest));
        }
    }

    @Test
    void aMissingStepDirectoryOrFileIsAnErrorNamingIt() throws IOException {
        new DirectoryCheckpointStore(dir).save(checkpoint(1));
        Path step = checkpoints().resolve("step-000000001");
        for (String file : new String[] {"weights.safetensors", "optimizer.safetensors", "config.json",
                "extra.json"}) {
            Path path = step.resolve(file);
            byte[] bytes = Files.readAllBytes(path);
            Files.delete(path);
            assertThatThrownBy(() -> new DirectoryCheckpointStore(dir).loadLatest())
                    .isInstanceOf(WeightFormatException.class)
                    .hasMessageStartingWith(path + ": missing from the checkpoint");
            Files.write(path, bytes);
        }
        Files.writeString(checkpoints().resolve("LATEST"), "step-000000002\n");
        assertThatThrownBy(() -> new DirectoryCheckpointStore(dir).loadLatest())
                .isInstanceOf(WeightFormatException.class)
                .hasMessageContaining(checkpoints().resolve("step-000000002").toString());
    }

    @Test
    void corruptFilesAreErrorsNamingThem() throws IOException {
        new DirectoryCheckpointStore(dir).save(checkpoint(1));
        Path step = checkpoints().resolve("step-000000001");

        Path weights = step.resolve("weights.safetensors");
        byte[] good = Files.readAllBytes(weights);
        Files.write(weights, java.util.Arrays.copyOf(good, good.length - 4));
        assertThatThrownBy(() -> new DirectoryCheckpointStore(dir).loadLatest())
                .isInstanceOf(WeightFormatException.class).hasMessageContaining(weights.toString());
        Files.write(weights, good);

        Path config = step.resolve("config.json");
        Files.writeString(config, "{\"modelDim\": 4,");
        assertThatThrownBy(() -> new DirectoryCheckpointStore(dir).loadLatest())
                .isInstanceOf(WeightFormatException.class).hasMessageStartingWith(config + " (byte 15): is not valid JSON");
        Files.write(config, new byte[] {'"', (byte) 0xff, '"'});
        assertThatThrownBy(() -> new DirectoryCheckpointStore(dir).loadLatest())
                .isInstanceOf(WeightFormatException.class).hasMessageStartingWith(config + ": is not valid UTF-8");
        Files.writeString(config, "{}");

        Path extra = step.resolve("extra.json");
        Files.writeString(extra, "{\"loss\": 0.5}");
        assertThatThrownBy(() -> new DirectoryCheckpointStore(dir).loadLatest())
                .isInstanceOf(WeightFormatException.class)
                .hasMessageStartingWith(extra + ": 'loss' is NUMBER where a string belongs");
        Files.writeString(extra, "[]");
        assertThatThrownBy(() -> new DirectoryCheckpointStore(dir).loadLatest())
                .isInstanceOf(WeightFormatException.class).hasMessageContaining("expected a JSON object of strings");
        Files.writeString(extra, "{}");
        Optional<Checkpoint> repaired = new DirectoryCheckpointStore(dir).loadLatest();
        assertThat(repaired).isPresent();
        assertThat(Files.readString(checkpoints().resolve("LATEST"), StandardCharsets.US_ASCII))
                .isEqualTo("step-000000001\n");
    }
}
