/**
 * The {@code attention4j} command line: {@link dev.attention4j.cli.Main} (picocli; the only class that calls
 * {@code System.exit}) and its commands, {@code info}, {@code demo} and {@code train}. Commands parse flags into
 * records ({@code TrainingSetup}, with defaults from {@code TaskPreset}), call the library and write to picocli's
 * writers; text rendering ({@code WeightGrid}, {@code DisplayWidth}) returns strings and never prints. Long work
 * reports through {@code ProgressBar} (redrawn in place on a terminal, throttled whole lines in a log); pictures
 * come from {@code attention4j-viz}, and the command prints where it wrote them.
 *
 * <p>Dim legend (as in {@code nn.attention}): {@code batchSize}; {@code srcLen} — source tokens (keys, values);
 * {@code tgtLen} — target tokens (queries in cross- and masked attention); {@code modelDim}; {@code numHeads};
 * {@code headDim}.
 *
 * <p>May import: everything in attention4j (including {@code viz}), picocli, the JDK. Nothing imports this package.
 */
package dev.attention4j.cli;
