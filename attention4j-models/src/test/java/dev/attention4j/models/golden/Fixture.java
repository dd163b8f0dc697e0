package dev.attention4j.models.golden;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attention4j.models.formats.SafetensorsFile;
import dev.attention4j.tensor.Tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One golden case written by {@code tools/fixtures/generate.py} with PyTorch: parameters under PyTorch's names,
 * {@code input.*} tensors, {@code expected.*} outputs, {@code grad.*} gradients (training kinds only), and the case's
 * config as JSON in the metadata.
 */
final class Fixture implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    final String name;
    final JsonNode config;
    private final SafetensorsFile file;

    private Fixture(String name, SafetensorsFile file) throws IOException {
        this.name = name;
        this.file = file;
        this.config = JSON.readTree(file.metadata().get("config"));
    }

    static Fixture open(Path path) {
        try {
            String fileName = path.getFileName().toString();
            return new Fixture(fileName.substring(0, fileName.length() - ".safetensors".length()),
                    SafetensorsFile.open(path));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every fixture file on the test classpath, sorted by name. */
    static List<Path> all() {
        try {
            Path dir = Path.of(Fixture.class.getResource("/fixtures").toURI());
            try (Stream<Path> files = Files.list(dir)) {
                return files.filter(p -> p.toString().endsWith(".safetensors")).sorted().toList();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    String kind() {
        return config.get("kind").asText();
    }

    /** The module's parameters: every tensor that is neither an input, an expected output nor a gradient. */
    Map<String, Tensor> parameters() {
        Map<String, Tensor> params = new LinkedHashMap<>();
        for (String n : file.tensors().keySet()) {
            if (!n.startsWith("input.") && !n.startsWith("expected.") && !n.startsWith("grad.")) {
                params.put(n, read(n));
            }
        }
        return params;
    }

    boolean hasInput(String name) {
        return file.tensors().containsKey("input." + name);
    }

    Tensor input(String name) {
        return read("input." + name);
    }

    /** Any tensor of the file by its full name (e.g. {@code grad.linear1.weight}). */
    Tensor tensor(String fullName) {
        return read(fullName);
    }

    /** Every tensor name in the file. */
    java.util.Set<String> tensorNames() {
        return file.tensors().keySet();
    }

    Tensor expected(String name) {
        return read("expected." + name);
    }

    boolean[] inputBooleans(String name) {
        try {
            return file.readBooleans("input." + name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int[] inputShape(String name) {
        long[] shape = file.tensors().get("input." + name).shape();
        int[] dims = new int[shape.length];
        for (int i = 0; i < shape.length; i++) {
            dims[i] = Math.toIntExact(shape[i]);
        }
        return dims;
    }

    /** A 2-D bool input as rows. */
    boolean[][] inputBooleanRows(String name) {
        boolean[] flat = inputBooleans(name);
        int[] shape = inputShape(name);
        boolean[][] rows = new boolean[shape[0]][shape[1]];
        for (int r = 0; r < shape[0]; r++) {
            System.arraycopy(flat, r * shape[1], rows[r], 0, shape[1]);
        }
        return rows;
    }

    /** A 2-D integer input (token ids) as rows. */
    int[][] inputIntRows(String name) {
        try {
            long[] flat = file.readLongs("input." + name);
            int[] shape = inputShape(name);
            int[][] rows = new int[shape[0]][shape[1]];
            for (int r = 0; r < shape[0]; r++) {
                for (int c = 0; c < shape[1]; c++) {
                    rows[r][c] = Math.toIntExact(flat[r * shape[1] + c]);
                }
            }
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    long[] inputLongs(String name) {
        try {
            return file.readLongs("input." + name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Tensor read(String tensorName) {
        try {
            return file.readFloat(tensorName);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws IOException {
        file.close();
    }

    @Override
    public String toString() {
        return name;
    }
}
