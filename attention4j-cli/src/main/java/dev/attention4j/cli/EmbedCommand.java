package dev.attention4j.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attention4j.models.embeddings.EmbeddingProgress;
import dev.attention4j.models.pretrained.EmbeddingModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code attention4j embed}: sentence embeddings of texts (arguments, a file or standard input, one text per line),
 * printed as JSON lines ({@code {"text": ..., "embedding": [...]}}) or CSV. Floats are printed in their shortest exact
 * form, so parsing them back gives the library's numbers bit for bit. Exits 2 for a missing input or a model it cannot
 * load.
 */
@Command(name = "embed", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, sortOptions = false,
        description = {"Prints the sentence embedding (unit length) of each TEXT, or of each line of --input FILE "
                + "or standard input, with a pretrained model (default: all-MiniLM-L6-v2, built in).",
            "jsonl: one {\"text\": ..., \"embedding\": [...]} per line. csv: a header (text,e0,e1,...), then one "
                + "row per text."},
        footer = {"", "Examples:", "  attention4j embed \"hello world\"",
            "  attention4j embed --input notes.txt --format csv > notes.csv",
            "  cat notes.txt | attention4j embed --model bge-small-en-v1.5"})
final class EmbedCommand implements Callable<Integer> {

    /** Output formats. */
    enum Format { jsonl, csv }

    @Spec
    private CommandSpec spec;

    @Mixin
    private EmbeddingModelChoice modelChoice = new EmbeddingModelChoice();

    @Option(names = "--input", paramLabel = "FILE|-", description = "Read texts from FILE, one per line (UTF-8), or "
            + "from standard input with '-' (the default when no TEXT is given).")
    private String input;

    @Option(names = "--format", paramLabel = "jsonl|csv", description = "Output format (default: ${DEFAULT-VALUE}).")
    private Format format = Format.jsonl;

    @Parameters(paramLabel = "TEXT", arity = "0..*", description = "Texts to embed.")
    private List<String> texts = List.of();

    private final Reader stdin;

    EmbedCommand() {
        this(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    }

    /** @param stdin what {@code --input -} (or no input at all) reads */
    EmbedCommand(Reader stdin) {
        this.stdin = stdin;
    }

    @Override
    public Integer call() throws UserError, IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            if (input != null && !texts.isEmpty()) {
                throw new UserError("give TEXT arguments or --input, not both");
            }
            List<String> inputs = texts;
            Path file = null;
            if (input != null && !input.equals("-")) {
                file = Path.of(input);
                try {
                    inputs = Files.readAllLines(file, StandardCharsets.UTF_8);
                } catch (NoSuchFileException e) {
                    throw new UserError("--input " + input + ": no such file");
                } catch (java.nio.charset.CharacterCodingException e) {
                    throw new UserError("--input " + input + ": not UTF-8 text; save it as UTF-8, one text per line");
                }
            } else if (texts.isEmpty()) {
                inputs = new BufferedReader(stdin).lines().toList();
            }
            EmbeddingModel model = modelChoice.load();
            float[][] vectors = embed(model, inputs, file, err);
            write(out, inputs, vectors);
            return 0;
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** With a progress bar on standard error when the texts come from a file. */
    private static float[][] embed(EmbeddingModel model, List<String> inputs, Path file, PrintWriter err) {
        if (file == null || inputs.isEmpty()) {
            return model.embedder().embed(inputs);
        }
        ProgressBar bar = new ProgressBar(err, "embed", inputs.size(), ProgressBar.Output.detect());
        EmbeddingProgress progress = (done, total) -> bar.update(done);
        float[][] vectors = model.embedder().embed(inputs, progress);
        bar.finish(inputs.size() + " texts, " + model.name());
        return vectors;
    }

    private void write(PrintWriter out, List<String> inputs, float[][] vectors) throws IOException {
        if (format == Format.csv) {
            StringBuilder header = new StringBuilder("text");
            int dim = vectors.length == 0 ? 0 : vectors[0].length;
            for (int i = 0; i < dim; i++) {
                header.append(",e").append(i);
            }
            out.println(header);
            for (int t = 0; t < inputs.size(); t++) {
                StringBuilder row = new StringBuilder(dim * 12);
                row.append('"').append(inputs.get(t).replace("\"", "\"\"")).append('"');
                for (float v : vectors[t]) {
                    row.append(',').append(v);
                }
                out.println(row);
            }
            return;
        }
        ObjectMapper json = new ObjectMapper().disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
        for (int t = 0; t < inputs.size(); t++) {
            var line = json.createObjectNode();
            line.put("text", inputs.get(t));
            var embedding = line.putArray("embedding");
            for (float v : vectors[t]) {
                embedding.add(v);
            }
            out.println(json.writeValueAsString(line));
        }
    }
}
