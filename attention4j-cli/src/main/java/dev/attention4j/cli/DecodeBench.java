package dev.attention4j.cli;

import dev.attention4j.generate.DecoderCaching;
import dev.attention4j.generate.GenerationConfig;
import dev.attention4j.generate.Generator;
import dev.attention4j.generate.Sampler;
import dev.attention4j.kernels.AllocationCounter;
import dev.attention4j.kernels.KernelChoice;
import dev.attention4j.kernels.Parallel;
import dev.attention4j.nn.Mode;
import dev.attention4j.nn.attention.Mask;
import dev.attention4j.nn.transformer.DecoderCache;
import dev.attention4j.nn.transformer.Seq2SeqTransformer;
import dev.attention4j.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * {@code attention4j bench decode} (also {@code bench generate}, its first name): greedy decoding of an
 * encoder-decoder Transformer with the full KV cache, with
 * the self-attention cache only (the memory's keys and values projected again every step) and with no cache (the
 * prefix recomputed every step), at several output lengths: tokens per second side by side, then the cache's memory
 * against the formula {@code 2 x layers x length x d_model x 4 bytes} (per sequence).
 */
@Command(name = "decode", aliases = "generate", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Times greedy generation with and without the KV caches at several output lengths, and "
                + "measures the cache's memory against 2 x layers x length x d_model x 4 bytes."})
final class DecodeBench implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private BenchModelShape shape = new BenchModelShape();

    @Option(names = "--batch", defaultValue = "1", description = "Sequences decoded together (default "
            + "${DEFAULT-VALUE}).")
    private int batch;
    @Option(names = "--src-len", defaultValue = "64", description = "Source tokens (default ${DEFAULT-VALUE}).")
    private int srcLen;
    @Option(names = "--lengths", defaultValue = "32,128,512", split = ",", description = "Output lengths "
            + "(default ${DEFAULT-VALUE}).")
    private List<Integer> lengths;
    @Option(names = "--repeats", defaultValue = "3", description = "Timed runs per cached measurement after one "
            + "warm-up; the median is reported (the uncached runs are timed once at lengths over 128) "
            + "(default ${DEFAULT-VALUE}).")
    private int repeats;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        int maxLength = lengths.stream().mapToInt(Integer::intValue).max().orElse(1);
        out.printf(Locale.ROOT, "attention4j bench decode: greedy decoding, exactly N new tokens per sequence%n"
                        + "  %s, vocab %d, batch %d, source %d tokens, "
                        + "%d threads, kernels %s%n", shape.describe(), shape.vocab, batch, srcLen,
                Parallel.threads(), KernelChoice.report().implementation());
        out.flush();
        Seq2SeqTransformer model = shape.build(0f, Math.max(maxLength, srcLen) + 2); // positions for both sides
        SplittableRandom random = new SplittableRandom(0);
        int[][] src = new int[batch][srcLen];
        for (int[] row : src) {
            for (int i = 0; i < srcLen; i++) {
                row[i] = 4 + random.nextInt(shape.vocab - 4);
            }
        }
        int[] srcLengths = new int[batch];
        Arrays.fill(srcLengths, srcLen);

        warmUp(model, src, srcLengths, Math.min(32, maxLength));
        out.printf(Locale.ROOT, "%n  %-8s %16s %16s %16s %12s %12s%n", "tokens", "full cache", "self cache only",
                "no cache", "full/none", "full/self");
        for (int n : lengths) {
            GenerationConfig config = new GenerationConfig(n, Set.of(), 1.0, Sampler.greedy(), DecoderCaching.FULL);
            double full = tokensPerSecond(model, src, srcLengths, config, repeats);
            double self = tokensPerSecond(model, src, srcLengths, config.withCaching(
                    DecoderCaching.SELF_ATTENTION_ONLY), repeats);
            double none = tokensPerSecond(model, src, srcLengths, config.withCaching(DecoderCaching.NONE),
                    n > 128 ? 1 : repeats);
            out.printf(Locale.ROOT, "  %-8d %12.1f t/s %12.1f t/s %12.1f t/s %11.2fx %11.2fx%n", n, full, self, none,
                    full / none, full / self);
            out.flush();
        }
        out.println("  tokens/s counts generated tokens of all sequences, encoder included; medians.");

        out.printf(Locale.ROOT, "%n  Heap allocated per generated token, full cache (the calling thread and the "
                + "attention4j-* workers)%n");
        out.printf(Locale.ROOT, "  %-8s %16s %16s%n", "tokens", "whole run", "decoding steps");
        for (int n : lengths) {
            GenerationConfig config = new GenerationConfig(n, Set.of(), 1.0, Sampler.greedy(), DecoderCaching.FULL);
            Generator.generate(model, src, srcLengths, 1, config); // warm-up
            AllocationCounter counter = new AllocationCounter();
            counter.start();
            Generator.generate(model, src, srcLengths, 1, config);
            double wholeRun = counter.stop() / ((double) batch * n);
            out.printf(Locale.ROOT, "  %-8d %14.1f B %14.1f B%n", n, wholeRun, stepBytesPerToken(model, src,
                    srcLengths, n));
            out.flush();
        }
        out.println("  whole run = one Generator.generate (encoder, caches and results included) / tokens; decoding "
                + "steps = model.decodeStep alone on a started cache, after its first step / tokens.");

        out.printf(Locale.ROOT, "%n  KV cache memory (batch %d), formula 2 x %d layers x length x %d x 4 bytes "
                + "per sequence%n", batch, shape.layers, shape.modelDim);
        out.printf(Locale.ROOT, "  %-8s %16s %16s %16s %18s%n", "length", "formula", "self cache", "measured heap",
                "cross (once)");
        Tensor memory = model.encode(src, Mask.keyLengths(srcLen, srcLengths), Mode.INFERENCE);
        MemoryMXBean heap = ManagementFactory.getMemoryMXBean();
        for (int n : lengths) {
            long formula = 2L * shape.layers * n * shape.modelDim * Float.BYTES * batch;
            long before = usedHeapAfterGc(heap);
            DecoderCache cache = model.startDecoding(memory, Mask.keyLengths(srcLen, srcLengths), n);
            long measured = usedHeapAfterGc(heap) - before;
            int[][] tokens = new int[batch][n];
            model.decodeCached(tokens, cache); // fill it: n tokens per sequence
            out.printf(Locale.ROOT, "  %-8d %16s %16s %16s %18s%n", n, bytes(formula), bytes(cache.bytes()),
                    bytes(measured), bytes(cache.memoryBytes()));
        }
        out.println("  measured heap = used heap after GC with the empty caches (self buffers + cross K/V) minus "
                + "before.");
        out.flush();
        return 0;
    }

    /**
     * Compiles the hot paths of every mode before anything is timed, with {@code tokens} new tokens (no more than the
     * longest timed length: the model has positions for that many only).
     */
    private static void warmUp(Seq2SeqTransformer model, int[][] src, int[] srcLengths, int tokens) {
        GenerationConfig config = new GenerationConfig(tokens, Set.of(), 1.0, Sampler.greedy(), DecoderCaching.FULL);
        for (int i = 0; i < 5; i++) {
            for (DecoderCaching caching : DecoderCaching.values()) {
                Generator.generate(model, src, srcLengths, 1, config.withCaching(caching));
            }
        }
    }

    private static double tokensPerSecond(Seq2SeqTransformer model, int[][] src, int[] srcLengths,
                                          GenerationConfig config, int repeats) {
        Generator.generate(model, src, srcLengths, 1, config); // warm-up
        double[] seconds = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            long t0 = System.nanoTime();
            Generator.generate(model, src, srcLengths, 1, config);
            seconds[i] = (System.nanoTime() - t0) / 1e9;
        }
        Arrays.sort(seconds);
        return (double) src.length * config.maxNewTokens() / seconds[repeats / 2];
    }

    /**
     * Heap bytes allocated per token by the one-token decoding steps 2 to {@code n} of every sequence on a started
     * cache: the encoder, the cache and the first step (which may make buffers for the others) excluded; the second of
     * two runs, so the steps are compiled.
     */
    private static double stepBytesPerToken(Seq2SeqTransformer model, int[][] src, int[] srcLengths, int n) {
        Mask padding = Mask.keyLengths(src[0].length, srcLengths);
        Tensor memory = model.encode(src, padding, Mode.INFERENCE);
        int[] tokens = new int[src.length];
        AllocationCounter counter = new AllocationCounter();
        long bytes = 0;
        for (int run = 0; run < 2; run++) {
            DecoderCache cache = model.startDecoding(memory, padding, n);
            model.decodeStep(tokens, cache); // the first step: the cache makes its step buffers (if it has any)
            counter.start();
            for (int step = 1; step < n; step++) {
                Arrays.fill(tokens, step % model.config().tgtVocab());
                model.decodeStep(tokens, cache);
            }
            bytes = counter.stop();
        }
        return bytes / ((double) src.length * (n - 1));
    }

    private static long usedHeapAfterGc(MemoryMXBean heap) {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) { // settle: the smallest of a few readings
            System.gc();
            used = Math.min(used, heap.getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    private static String bytes(long b) {
        return b >= 1 << 20 ? String.format(Locale.ROOT, "%.2f MiB", b / (double) (1 << 20))
                : String.format(Locale.ROOT, "%.1f KiB", b / 1024.0);
    }
}
