package dev.attention4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.attention4j.kernels.KernelChoice;
import dev.attention4j.kernels.Parallel;
import dev.attention4j.tensor.BufferPool;
import dev.attention4j.tensor.MatMul;
import dev.attention4j.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * {@code attention4j bench gemm}: single-precision matrix products ({@link MatMul#matmul}, {@link MatMul#linear}
 * {@code x W^T}, {@link MatMul#transposedTimes} {@code a^T b}) at square and model shapes, at each thread count,
 * timed here and in PyTorch (OpenBLAS sgemm; a script run as a child process, same shapes and thread counts), medians
 * after warm-up, as GFLOP/s ({@code 2 m k n / time}) side by side with the ratio.
 */
@Command(name = "gemm", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Times matrix products (matmul, linear x W^T, transA a^T b) against PyTorch's BLAS on the "
                + "same shapes and thread counts, in GFLOP/s.",
            "Needs /usr/bin/python3 with torch for the rival (Debian: python3-torch, and libopenblas0-openmp "
                    + "for OpenBLAS); without it only attention4j's figures are printed."})
final class GemmBench implements Callable<Integer> {

    /** The default shapes, m:k:n: square, then BERT-small FFN, 4096-token projections, 32x128 tokens, decoding. */
    static final String DEFAULT_SHAPES = "256:256:256,512:512:512,1024:1024:1024,2048:2048:2048,"
            + "128:384:1536,4096:512:512,4096:384:384,1:256:10000";

    @Spec
    private CommandSpec spec;

    @Option(names = "--shapes", defaultValue = DEFAULT_SHAPES, split = ",", paramLabel = "M:K:N",
            description = "Products c (m x n) = a (m x k) b (k x n) to time (default ${DEFAULT-VALUE}).")
    private List<String> shapes;
    @Option(names = "--ops", defaultValue = "matmul,linear,transA", split = ",",
            description = "Which products: matmul (a b), linear (x W^T, W (n, k)), transA (a^T b, a (k, m)) "
                    + "(default ${DEFAULT-VALUE}).")
    private List<String> ops;
    @Option(names = "--thread-counts", defaultValue = "1,2", split = ",",
            description = "Thread counts to time at, for both sides (default ${DEFAULT-VALUE}).")
    private List<Integer> threadCounts;
    @Option(names = "--warmup", defaultValue = "3", description = "Untimed calls first, at least (default "
            + "${DEFAULT-VALUE}).")
    private int warmup;
    @Option(names = "--warmup-seconds", defaultValue = "0.5", description = "Untimed calls first for at least this "
            + "long, on both sides (default ${DEFAULT-VALUE}): a few calls of a small product end before the JIT has "
            + "compiled its loops (512^3 on two threads: 0.87x after 3 calls, 0.98x after 30).")
    private double warmupSeconds;
    @Option(names = "--min-seconds", defaultValue = "0.5", description = "Time each case for at least this long "
            + "(default ${DEFAULT-VALUE}); the median call is reported.")
    private double minSeconds;
    @Option(names = "--min-calls", defaultValue = "5", description = "Timed calls at least (default ${DEFAULT-VALUE}).")
    private int minCalls;
    @Option(names = "--python", defaultValue = "/usr/bin/python3", description = "Python with torch for the rival "
            + "(default ${DEFAULT-VALUE}).")
    private String python;

    private record Case(String op, int m, int k, int n, int threads) {
        String key() {
            return op + " " + m + " " + k + " " + n + " " + threads;
        }

        double gflops(double ms) {
            return 2.0 * m * k * n / (ms * 1e6);
        }
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (warmup < 0) {
            throw new UserError("--warmup: expected a number >= 0 but got " + warmup);
        }
        if (!(warmupSeconds >= 0 && warmupSeconds < 3600)) {
            throw new UserError("--warmup-seconds: expected seconds >= 0 and < 3600 but got " + warmupSeconds);
        }
        List<Case> cases = new ArrayList<>();
        for (int threads : threadCounts) {
            if (threads < 1) {
                throw new UserError("--thread-counts: expected numbers >= 1 but got " + threads);
            }
            for (String shape : shapes) {
                int[] mkn = parseShape(shape);
                for (String op : ops) {
                    if (!List.of("matmul", "linear", "transA").contains(op)) {
                        throw new UserError("--ops: expected matmul, linear or transA but got " + op);
                    }
                    cases.add(new Case(op, mkn[0], mkn[1], mkn[2], threads));
                }
            }
        }
        out.printf(Locale.ROOT, "attention4j bench gemm: single-precision products, median of >= %d calls "
                        + "(>= %.1f s) after >= %d warm-up calls (>= %.1f s), kernels %s%n", minCalls, minSeconds,
                warmup, warmupSeconds, KernelChoice.report().implementation());
        out.flush();
        int before = Parallel.threads();
        Map<String, Double> ours = new HashMap<>();
        try {
            for (Case c : cases) {
                Parallel.setThreads(c.threads);
                ours.put(c.key(), timeOurs(c));
            }
        } finally {
            Parallel.setThreads(before);
        }
        JsonNode rival = timePyTorch(out);
        Map<String, Double> theirs = new HashMap<>();
        if (rival != null) {
            for (JsonNode r : rival.get("results")) {
                theirs.put(new Case(r.get("op").asText(), r.get("m").asInt(), r.get("k").asInt(), r.get("n").asInt(),
                        r.get("threads").asInt()).key(), r.get("ms").asDouble());
            }
        }
        String rivalName = rival == null ? "PyTorch (absent)"
                : "torch " + rival.get("torch").asText() + " (" + rival.get("blas").asText() + ")";
        out.printf(Locale.ROOT, "%n  %-20s %-7s %7s %16s %24s %7s%n", "m x k x n", "op", "threads",
                "attention4j GF/s", rivalName + " GF/s", "ratio");
        for (Case c : cases) {
            double our = c.gflops(ours.get(c.key()));
            Double theirMs = theirs.get(c.key());
            double their = theirMs == null ? Double.NaN : c.gflops(theirMs);
            out.printf(Locale.ROOT, "  %-20s %-7s %7d %16.1f %24s %7s%n", c.m + " x " + c.k + " x " + c.n, c.op,
                    c.threads, our, Double.isNaN(their) ? "-" : String.format(Locale.ROOT, "%.1f", their),
                    Double.isNaN(their) ? "-" : String.format(Locale.ROOT, "%.2f", our / their));
        }
        out.println("  GF/s = 2 m k n / median time; ratio = attention4j GF/s / rival GF/s (above 1: attention4j "
                + "is faster).");
        out.flush();
        return 0;
    }

    private static int[] parseShape(String shape) throws UserError {
        String[] parts = shape.trim().split(":");
        try {
            if (parts.length == 3) {
                int[] mkn = {Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2])};
                if (mkn[0] >= 1 && mkn[1] >= 1 && mkn[2] >= 1) {
                    return mkn;
                }
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new UserError("--shapes: expected M:K:N with positive numbers, e.g. 128:384:1536, but got " + shape);
    }

    /** Our median time per call in ms. */
    private double timeOurs(Case c) {
        Supplier<Tensor> call = switch (c.op) {
            case "matmul" -> {
                Tensor a = Tensor.randn(1, c.m, c.k);
                Tensor b = Tensor.randn(2, c.k, c.n);
                yield () -> MatMul.matmul(a, b);
            }
            case "linear" -> {
                Tensor x = Tensor.randn(1, c.m, c.k);
                Tensor w = Tensor.randn(2, c.n, c.k);
                yield () -> MatMul.linear(x, w, null);
            }
            default -> {
                Tensor a = Tensor.randn(1, c.k, c.m);
                Tensor b = Tensor.randn(2, c.k, c.n);
                yield () -> MatMul.transposedTimes(a, b);
            }
        };
        // The output array is lent by a pool and reused by the next call, as PyTorch's caching allocator reuses its
        // memory: a fresh one each call would time the operating system handing over pages (see BufferPool).
        BufferPool pool = new BufferPool();
        long warmupStart = System.nanoTime();
        for (int i = 0; i < warmup || System.nanoTime() - warmupStart < warmupSeconds * 1e9; i++) {
            try (BufferPool.Scope scope = pool.open()) {
                call.get();
            }
        }
        List<Double> ms = new ArrayList<>();
        long start = System.nanoTime();
        while (ms.size() < 100_000 && (ms.size() < minCalls || System.nanoTime() - start < minSeconds * 1e9)) {
            try (BufferPool.Scope scope = pool.open()) {
                long t0 = System.nanoTime();
                call.get();
                ms.add((System.nanoTime() - t0) / 1e6);
            }
        }
        return PyTorchRival.median(ms.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** Runs the PyTorch script on the same cases; null (with the reason printed) when it cannot. */
    private JsonNode timePyTorch(PrintWriter out) throws IOException, InterruptedException {
        return PyTorchRival.run(out, python, "torch_gemm.py", List.of(
                "--shapes", String.join(",", shapes.stream().map(String::trim).toList()),
                "--ops", String.join(",", ops),
                "--threads", String.join(",", threadCounts.stream().map(String::valueOf).toList()),
                "--warmup", Integer.toString(warmup), "--warmup-seconds", Double.toString(warmupSeconds),
                "--min-seconds", Double.toString(minSeconds),
                "--min-calls", Integer.toString(minCalls)));
    }
}
