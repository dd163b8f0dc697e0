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
 * child process, whose last output line is a JSON object of its timings; and the median the Java side reports.
 */
final class PyTorchRival {

    private PyTorchRival() {
    }

    /**
     * Runs {@code python bench/script args...}; returns the script's last output line as JSON, or null when Python
     * cannot be started or the script fails, with the reason printed to {@code out}.
     */
    static JsonNode run(PrintWriter out, String python, String script, List<String> args)
            throws IOException, InterruptedException {
        Path file = Files.createTempFile("attention4j-" + script.replace(".py", ""), ".py");
        try {
            try (InputStream in = PyTorchRival.class.getResourceAsStream("bench/" + script)) {
                if (in == null) {
                    throw new IllegalStateException("the bench script " + script + " is missing from the jar");
                }
                Files.write(file, in.readAllBytes());
            }
            List<String> command = new ArrayList<>(List.of(python, file.toString()));
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
            Files.deleteIfExists(file);
        }
    }

    /** The median of {@code values} (the mean of the middle two for an even count); sorts them in place. */
    static double median(double[] values) {
        Arrays.sort(values);
        int n = values.length;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }
}
