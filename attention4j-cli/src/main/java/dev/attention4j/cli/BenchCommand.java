package dev.attention4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code attention4j bench ...}: side-by-side benchmarks against a rival measured in the same run. */
@Command(name = "bench", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Benchmarks attention4j against a rival measured in the same run, and prints the ratio.",
        subcommands = {TrainStepBench.class, DecodeBench.class, GemmBench.class, AttentionBench.class,
            CommandLine.HelpCommand.class})
final class BenchCommand {
}
