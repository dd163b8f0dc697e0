package dev.attention4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.attention4j.autograd.AttentionLayout;
import dev.attention4j.autograd.AttentionOp;
import dev.attention4j.autograd.LinearOp;
import dev.attention4j.autograd.SliceOp;
import dev.attention4j.autograd.Tape;
import dev.attention4j.autograd.WeightedSumOp;
import dev.attention4j.kernels.KernelChoice;
import dev.attention4j.kernels.Parallel;
import dev.attention4j.nn.Mode;
import dev.attention4j.nn.attention.AttentionWeights;
import dev.attention4j.nn.attention.Mask;
import dev.attention4j.nn.attention.MultiHeadAttention;
import dev.attention4j.nn.attention.MultiHeadAttentionConfig;
import dev.attention4j.tensor.BufferPool;
import dev.attention4j.tensor.MatMul;
import dev.attention4j.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code attention4j bench attention}: multi-head self-attention with its projections
 * ({@code nn.MultiheadAttention}'s work: {@code x W_Q^T, x W_K^T, x W_V^T}, attention, {@code W_O}) at long lengths,
 * forward and forward + backward, without a mask and causal, timed three ways in one run: attention4j's
 * {@link MultiHeadAttention} (tiled attention), the same work through the materialising path
 * ({@link AttentionOp#applyMaterialized}, every head's {@code (n, n)} weights held), and PyTorch's
 * {@code nn.MultiheadAttention} in a child process. Prints medians, ratios, the memory one call adds and GFLOP/s, the
 * latter against our own SGEMM's on a large square product measured in the same run.
 */
@Command(name = "attention", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Times multi-head self-attention with projections (tiled) against the materialising path and "
                + "PyTorch's nn.MultiheadAttention, forward and forward+backward, no mask and causal.",
            "Threads: the global --threads (default: all processors), for both sides.",
            "Needs /usr/bin/python3 with torch for the PyTorch column; without it that column is empty."})
final class AttentionBench implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--lengths", defaultValue = "1024,4096", split = ",",
            description = "Sequence lengths n (default ${DEFAULT-VALUE}).")
    private List<Integer> lengths;
    @Option(names = "--model-dim", defaultValue = "512", description = "d_model (default ${DEFAULT-VALUE}).")
    private int modelDim;
    @Option(names = "--heads", defaultValue = "8", description = "Heads (default ${DEFAULT-VALUE}).")
    private int heads;
    @Option(names = "--batch", defaultValue = "1", description = "Sequences per call (default ${DEFAULT-VALUE}).")
    private int batch;
    @Option(names = "--masks", defaultValue = "none,causal", split = ",",
            description = "none and/or causal (default ${DEFAULT-VALUE}).")
    private List<String> masks;
    @Option(names = "--passes", defaultValue = "forward,backward", split = ",",
            description = "forward and/or backward (forward + backward) (default ${DEFAULT-VALUE}).")
    private List<String> passes;
    @Option(names = "--rivals", defaultValue = "naive,pytorch", split = ",",
            description = "Which rivals to time: naive (our materialising path), pytorch (default ${DEFAULT-VALUE}).")
    private List<String> rivals;
    @Option(names = "--warmup", defaultValue = "2", description = "Untimed calls first (default ${DEFAULT-VALUE}).")
    private int warmup;
    @Option(names = "--min-calls", defaultValue = "3", description = "Timed calls at least (default "
            + "${DEFAULT-VALUE}); the median is reported.")
    private int minCalls;
    @Option(names = "--min-seconds", defaultValue = "1.0", description = "Time each case for at least this long "
            + "(default ${DEFAULT-VALUE}).")
    private double minSeconds;
    @Option(names = "--python", defaultValue = "/usr/bin/python3", description = "Python with torch for the rival "
            + "(default ${DEFAULT-VALUE}).")
    private String python;

    private record Case(int n, String mask, String pass) {
        String key() {
            return n + " " + mask + " " + pass;
        }
    }

    /** A median time per call and the bytes one call allocated beyond its output (-1: not measured). */
    private record Timing(double ms, long extraBytes) {
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        int threads = Parallel.threads(); // the global --threads; PyTorch gets the same
        validate();
        List<Case> cases = new ArrayList<>();
        for (int n : lengths) {
            for (String mask : masks) {
                for (String pass : passes) {
                    cases.add(new Case(n, mask, pass));
                }
            }
        }
        out.printf(Locale.ROOT, "attention4j bench attention: self-attention with projections, batch %d, d_model %d, "
                        + "%d heads, %d threads, kernels %s; median of >= %d calls (>= %.1f s) after %d warm-up%n",
                batch, modelDim, heads, threads, KernelChoice.report().implementation(), minCalls, minSeconds, warmup);
        out.flush();
        Map<String, Timing> ours = new HashMap<>();
        Map<String, Timing> naive = new HashMap<>();
        double gemmGflops = sgemmGflops();
        for (Case c : cases) {
            ours.put(c.key(), time(c, false));
            if (rivals.contains("naive")) {
                naive.put(c.key(), time(c, true));
            }
        }
        Map<String, Timing> torch = new HashMap<>();
        String torchName = "PyTorch (not run)";
        if (rivals.contains("pytorch")) {
            JsonNode rival = PyTorchRival.run(out, python, "torch_attention.py", List.of(
                    "--lengths", String.join(",", lengths.stream().map(String::valueOf).toList()),
                    "--model-dim", Integer.toString(modelDim), "--heads", Integer.toString(heads),
                    "--batch", Integer.toString(batch), "--masks", String.join(",", masks),
                    "--passes", String.join(",", passes), "--threads", Integer.toString(threads),
                    "--warmup", Integer.toString(warmup), "--min-seconds", Double.toString(minSeconds),
                    "--min-calls", Integer.toString(minCalls)));
            if (rival != null) {
                torchName = "torch " + rival.get("torch").asText();
                for (JsonNode r : rival.get("results")) {
                    torch.put(new Case(r.get("n").asInt(), r.get("mask").asText(), r.get("pass").asText()).key(),
                            new Timing(r.get("ms").asDouble(), r.get("extra_bytes").asLong()));
                }
            }
        }
        out.printf(Locale.ROOT, "%n  %-6s %-6s %-8s | %10s %10s %10s | %8s %8s | %10s %10s %10s | %7s %6s%n",
                "n", "mask", "pass", "ours ms", "naive ms", "torch ms", "vs naive", "vs torch", "ours mem",
                "naive mem", "torch mem", "GF/s", "/sgemm");
        for (Case c : cases) {
            Timing o = ours.get(c.key());
            Timing nv = naive.get(c.key());
            Timing t = torch.get(c.key());
            double gflops = flops(c) / (o.ms() * 1e6);
            out.printf(Locale.ROOT, "  %-6d %-6s %-8s | %10.1f %10s %10s | %8s %8s | %10s %10s %10s | %7.1f %6.2f%n",
                    c.n(), c.mask(), c.pass(), o.ms(), ms(nv), ms(t), ratio(nv, o), ratio(t, o),
                    mib(o.extraBytes()), nv == null ? "-" : mib(nv.extraBytes()), t == null ? "-" : mib(t.extraBytes()),
                    gflops, gflops / gemmGflops);
        }
        out.printf(Locale.ROOT, "  ratios: rival time / ours (above 1: attention4j is faster). torch = %s.%n", torchName);
        out.printf(Locale.ROOT, "  mem: ours and naive = bytes one call allocates (all threads, the least over the "
                + "timed calls) minus the output; torch = peak resident memory one call adds.%n");
        out.printf(Locale.ROOT, "  GF/s: useful FLOPs / our median time: projections 8 n d^2 and attention 4 n^2 d "
                + "(causal: the unmasked n(n+1)/2 pairs only), x3 for forward + backward; /sgemm: against our "
                + "SGEMM's %.1f GF/s on 2048^3 in this run.%n", gemmGflops);
        out.flush();
        return 0;
    }

    private void validate() throws UserError {
        if (modelDim < 1 || heads < 1 || modelDim % heads != 0) {
            throw new UserError("--model-dim, --heads: expected a positive d_model divisible by the heads but got "
                    + modelDim + " and " + heads);
        }
        if (batch < 1 || minCalls < 1 || warmup < 0) {
            throw new UserError("--batch, --min-calls: expected >= 1 and --warmup >= 0 but got " + batch + ", "
                    + minCalls + " and " + warmup);
        }
        for (int n : lengths) {
            if (n < 1) {
                throw new UserError("--lengths: expected positive lengths but got " + n);
            }
        }
        for (String m : masks) {
            if (!List.of("none", "causal").contains(m)) {
                throw new UserError("--masks: expected none or causal but got " + m);
            }
        }
        for (String p : passes) {
            if (!List.of("forward", "backward").contains(p)) {
                throw new UserError("--passes: expected forward or backward but got " + p);
            }
        }
        for (String r : rivals) {
            if (!List.of("naive", "pytorch").contains(r)) {
                throw new UserError("--rivals: expected naive or pytorch but got " + r);
            }
        }
    }

    /** Useful FLOPs of one call: the unmasked work only. */
    private double flops(Case c) {
        double n = c.n();
        double projections = 4 * 2.0 * batch * n * modelDim * modelDim;
        double pairs = c.mask().equals("causal") ? n * (n + 1) / 2 : n * n;
        double attention = 2 * 2.0 * batch * pairs * modelDim;
        return (projections + attention) * (c.pass().equals("backward") ? 3 : 1);
    }

    /** Our SGEMM's GFLOP/s on a 2048^3 product (median of 5 after 2 warm-up calls), the reference for attention. */
    private static double sgemmGflops() {
        Tensor a = Tensor.randn(1, 2048, 2048);
        Tensor b = Tensor.randn(2, 2048, 2048);
        double[] ms = new double[5];
        BufferPool pool = new BufferPool(); // the output reused, as for the attention calls
        for (int i = -2; i < ms.length; i++) {
            try (BufferPool.Scope scope = pool.open()) {
                long t0 = System.nanoTime();
                MatMul.matmul(a, b);
                if (i >= 0) {
                    ms[i] = (System.nanoTime() - t0) / 1e6;
                }
            }
        }
        return 2.0 * 2048 * 2048 * 2048 / (PyTorchRival.median(ms) * 1e6);
    }

    /** One case on our side: the module (tiled), or the same work through the materialising path. */
    private Timing time(Case c, boolean materialized) {
        var attention = new MultiHeadAttention(MultiHeadAttentionConfig.of(modelDim, heads), 42L);
        Tensor x = Tensor.randn(7, batch, c.n(), modelDim);
        Tensor r = Tensor.randn(8, batch, c.n(), modelDim);
        Mask mask = c.mask().equals("causal") ? Mask.causal() : Mask.none();
        Map<String, Tensor> params = new HashMap<>();
        attention.collectParameters("", params);
        boolean backward = c.pass().equals("backward");
        // Each call's arrays are lent by a pool and reused by the next call, as PyTorch's caching allocator reuses
        // its memory: fresh arrays would time the operating system handing over pages (see BufferPool).
        BufferPool pool = new BufferPool();
        Runnable call = () -> {
            try (BufferPool.Scope scope = pool.open()) {
                Tape tape = backward ? new Tape() : null;
                Tensor output = materialized ? materializedForward(tape, params, x, mask)
                        : attention.forward(x, x, x, mask, AttentionWeights.NONE,
                        backward ? Mode.training(1L, tape) : Mode.INFERENCE).output();
                if (backward) {
                    tape.backward(WeightedSumOp.apply(tape, output, r));
                }
            }
        };
        for (int i = 0; i < warmup; i++) {
            call.run();
        }
        List<Double> ms = new ArrayList<>();
        long bytes = Long.MAX_VALUE; // the least of the timed calls: until the JIT compiles the kernels, the
        long start = System.nanoTime(); // interpreter allocates its vectors
        while (ms.size() < minCalls || System.nanoTime() - start < minSeconds * 1e9) {
            long b0 = allocatedBytes();
            long t0 = System.nanoTime();
            call.run();
            ms.add((System.nanoTime() - t0) / 1e6);
            bytes = Math.min(bytes, allocatedBytes() - b0);
        }
        long outputBytes = 4L * batch * c.n() * modelDim;
        // the memory of one call: what it took from the heap (small arrays) plus the pool's arrays it used
        return new Timing(PyTorchRival.median(ms.stream().mapToDouble(Double::doubleValue).toArray()),
                bytes + pool.freeBytes() - outputBytes);
    }

    /** MultiHeadAttention's forward spelled out on its parameters, with the materialising attention. */
    private Tensor materializedForward(Tape tape, Map<String, Tensor> params, Tensor x, Mask mask) {
        Tensor w = params.get("in_proj_weight"); // (3 * modelDim, modelDim)
        Tensor bias = params.get("in_proj_bias");
        Tensor[] qkv = new Tensor[3];
        for (int i = 0; i < 3; i++) {
            qkv[i] = LinearOp.apply(tape, x, SliceOp.rows(tape, w, i * modelDim, modelDim),
                    SliceOp.rows(tape, bias, i * modelDim, modelDim));
        }
        Tensor attended = AttentionOp.applyMaterialized(tape, qkv[0], qkv[1], qkv[2], AttentionLayout.TOKENS_MAJOR,
                heads, (float) (1.0 / Math.sqrt(modelDim / heads)), mask.toScoreMask(), x.dim(1), 0f, 0L, null);
        return LinearOp.apply(tape, attended, params.get("out_proj.weight"), params.get("out_proj.bias"));
    }

    /** Bytes allocated so far by every live thread (this one and the pool's workers). */
    private static long allocatedBytes() {
        var threadBean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (long bytes : threadBean.getThreadAllocatedBytes(threadBean.getAllThreadIds())) {
            sum += Math.max(0, bytes);
        }
        return sum;
    }

    private static String ms(Timing t) {
        return t == null ? "-" : String.format(Locale.ROOT, "%.1f", t.ms());
    }

    private static String ratio(Timing rival, Timing ours) {
        return rival == null ? "-" : String.format(Locale.ROOT, "%.2fx", rival.ms() / ours.ms());
    }

    private static String mib(long bytes) {
        return bytes < 0 ? "-" : String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
    }
}
