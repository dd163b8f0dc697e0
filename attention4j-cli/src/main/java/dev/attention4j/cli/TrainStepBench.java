package dev.attention4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.attention4j.kernels.KernelChoice;
import dev.attention4j.kernels.Parallel;
import dev.attention4j.nn.Mode;
import dev.attention4j.nn.attention.Mask;
import dev.attention4j.nn.transformer.Seq2SeqTransformer;
import dev.attention4j.train.Adam;
import dev.attention4j.train.AdamConfig;
import dev.attention4j.train.LearningRateSchedule;
import dev.attention4j.train.Seq2SeqTrainer;
import dev.attention4j.train.TrainingConfig;
import dev.attention4j.train.data.Batch;
import dev.attention4j.train.data.EncodedExample;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * {@code attention4j bench train}: one training step (forward, label-smoothed cross-entropy, backward, clipping,
 * Adam) of an encoder-decoder Transformer, timed here and in PyTorch (a script run as a child process, same shapes,
 * same thread count), medians after warm-up, printed side by side with the ratio.
 */
@Command(name = "train", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Times one training step of an encoder-decoder Transformer against PyTorch on the same shapes.",
            "Needs /usr/bin/python3 with torch for the rival (Debian: python3-torch, and libopenblas0-openmp "
                    + "for OpenBLAS); without it only attention4j's figures are printed."})
final class TrainStepBench implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private BenchModelShape shape = new BenchModelShape();

    @Option(names = "--batch", defaultValue = "32", description = "Sentences per step (default ${DEFAULT-VALUE}).")
    private int batch;
    @Option(names = "--length", defaultValue = "32", description = "Source and target tokens (default "
            + "${DEFAULT-VALUE}).")
    private int length;
    @Option(names = "--warmup", defaultValue = "3", description = "Untimed steps first (default ${DEFAULT-VALUE}).")
    private int warmup;
    @Option(names = "--steps", defaultValue = "10", description = "Timed steps; the median is reported "
            + "(default ${DEFAULT-VALUE}).")
    private int steps;
    @Option(names = "--python", defaultValue = "/usr/bin/python3", description = "Python with torch for the rival "
            + "(default ${DEFAULT-VALUE}).")
    private String python;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "attention4j bench train: one training step (forward + loss + backward + Adam)%n"
                        + "  %s, batch %d x %d tokens, vocab %d, dropout 0.1, "
                        + "%d threads, kernels %s%n", shape.describe(), batch, length, shape.vocab,
                Parallel.threads(), KernelChoice.report().implementation());
        out.flush();
        double[] ours = timeOurs();
        JsonNode rival = timePyTorch(out);
        out.printf(Locale.ROOT, "%n  %-22s %14s %22s %10s%n", "median per call", "attention4j", rivalName(rival),
                "ratio");
        row(out, "training step (ms)", ours[0], rival == null ? Double.NaN : rival.get("step_ms").asDouble());
        row(out, "forward only (ms)", ours[1], rival == null ? Double.NaN : rival.get("forward_ms").asDouble());
        out.println("  ratio = PyTorch time / attention4j time: above 1 means attention4j is faster.");
        out.flush();
        return 0;
    }

    private static void row(PrintWriter out, String what, double ours, double theirs) {
        out.printf(Locale.ROOT, "  %-22s %14.1f %22s %10s%n", what, ours,
                Double.isNaN(theirs) ? "-" : String.format(Locale.ROOT, "%.1f", theirs),
                Double.isNaN(theirs) ? "-" : String.format(Locale.ROOT, "%.2fx", theirs / ours));
    }

    private static String rivalName(JsonNode rival) {
        return rival == null ? "PyTorch (absent)" : "PyTorch " + rival.get("torch").asText() + " ("
                + rival.get("blas").asText() + ")";
    }

    /** Our medians in ms: {training step, forward only}. */
    private double[] timeOurs() {
        Seq2SeqTransformer model = shape.build(0.1f, Math.max(64, length + 2));
        Seq2SeqTrainer trainer = new Seq2SeqTrainer(model, new Adam(AdamConfig.paper()),
                new LearningRateSchedule.Constant(1e-4f), TrainingConfig.of(Long.MAX_VALUE, 0L));
        SplittableRandom random = new SplittableRandom(0);
        List<EncodedExample> examples = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            examples.add(new EncodedExample(randomIds(random, length), randomIds(random, length - 1)));
        }
        Batch data = Batch.of(examples); // targets get BOS / EOS: length tokens each
        double step = median(() -> trainer.step(List.of(data)));
        Mask none = Mask.none();
        double forward = median(() -> model.forward(data.src(), data.tgtIn(), none, none, Mode.INFERENCE));
        return new double[] {step, forward};
    }

    private int[] randomIds(SplittableRandom random, int n) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = 4 + random.nextInt(shape.vocab - 4);
        }
        return ids;
    }

    private double median(Runnable call) {
        for (int i = 0; i < warmup; i++) {
            call.run();
        }
        double[] ms = new double[steps];
        for (int i = 0; i < steps; i++) {
            long t0 = System.nanoTime();
            call.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        return PyTorchRival.median(ms);
    }

    /** Runs the PyTorch script on the same shapes; null (with the reason printed) when it cannot. */
    private JsonNode timePyTorch(PrintWriter out) throws IOException, InterruptedException {
        return PyTorchRival.run(out, python, "torch_train_step.py", List.of("--vocab", Integer.toString(shape.vocab),
                "--d", Integer.toString(shape.modelDim), "--heads", Integer.toString(shape.heads), "--layers",
                Integer.toString(shape.layers), "--ffn", Integer.toString(shape.ffnDim), "--batch", Integer.toString(batch),
                "--len", Integer.toString(length), "--threads", Integer.toString(Parallel.threads()),
                "--warmup", Integer.toString(warmup), "--steps", Integer.toString(steps)));
    }
}
