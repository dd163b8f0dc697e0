package dev.attention4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code attention4j bench ...}: side-by-side benchmarks against a rival measured in the same run: {@code gemm}
 * (PyTorch's BLAS), {@code attention} (our materialising path and PyTorch), {@code embed} (ONNX Runtime, through
 * {@code attention4j-bench}), {@code train} (PyTorch), {@code decode} (alias {@code generate}: decoding with the KV
 * caches against without). The kernels' JMH benchmarks are run by {@code scripts/jmh}, not from here.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Benchmarks attention4j against a rival measured in the same run, and prints the ratio.",
        footer = {"", "The kernels' JMH benchmarks (SGEMM, tiled attention, softmax, layer norm): scripts/jmh."},
        subcommands = {GemmBench.class, AttentionBench.class, EmbedBench.class, TrainStepBench.class,
            DecodeBench.class, CommandLine.HelpCommand.class})
final class BenchCommand {
}
