package dev.attention4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The PyTorch side of a {@code bench} command: a Python script shipped beside this class ({@code bench/NAME}) run as a
 * child process (beside the timing helper the scripts share), whose last output line is a JSON object of its timings;
 * and the median the Java side reports.
 */
final class PyTorchRival {

    /** The timing helper every bench script imports ({@code from rival_timing import timed}). */
    private static final String TIMING = "rival_timing.py";

    private PyTorchRival() {
    }

    /**
     * Runs {@code python bench/script args...} in a temporary directory holding the script and the timing helper the
     * scripts share ({@code bench/rival_timing.py}); returns the script's last output line as JSON, or null when
     * Python cannot be started or the script fails, with the reason printed to {@code out}.
     */
    static JsonNode run(PrintWriter out, String python, String script, List<String> args)
            throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("attention4j-rival");
        List<Path> files = new ArrayList<>();
        try {
            for (String name : List.of(script, TIMING)) {
                try (InputStream in = PyTorchRival.class.getResourceAsStream("bench/" + name)) {
                    if (in == null) {
                        throw new IllegalStateException("the bench script " + name + " is missing from the jar");
                    }
                    Path file = dir.resolve(name);
                    Files.write(file, in.readAllBytes());
                    files.add(file);
                }
            }
            List<String> command = new ArrayList<>(List.of(python, dir.resolve(script).toString()));
            command.addAll(args);
            Process process;
            try {
                process = new ProcessBuilder(command).redirectErrorStream(true).start();
            } catch (IOException e) {
                out.println("  rival: cannot start " + python + " (" + e.getMessage() + "); install python3-torch");
                return null;
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (process.waitFor() != 0) {
                out.println("  rival: PyTorch failed: " + output.strip());
                return null;
            }
            String last = output.strip().lines().reduce((a, b) -> b).orElse("");
            return new ObjectMapper().readTree(last);
        } finally {
            for (Path file : files) {
                Files.deleteIfExists(file);
            }
            deleteTree(dir.resolve("__pycache__"));
            Files.deleteIfExists(dir);
        }
    }

    /** Deletes {@code dir} and what it holds, if it exists (Python's byte-code cache of the timing helper). */
    private static void deleteTree(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
        }
        Files.deleteIfExists(dir);
    }

    /** The median of {@code values} (the mean of the middle two for an even count); sorts them in place. */
    static double median(double[] values) {
        Arrays.sort(values);
        int n = values.length;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }
}
