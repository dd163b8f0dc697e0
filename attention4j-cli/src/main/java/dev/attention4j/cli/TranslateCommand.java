package dev.attention4j.cli;

import dev.attention4j.generate.GenerationConfig;
import dev.attention4j.generate.Generation;
import dev.attention4j.generate.Generator;
import dev.attention4j.generate.Hypothesis;
import dev.attention4j.train.data.Tokenizer;
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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code attention4j translate}: decodes texts with a model {@code attention4j train} made, by default the
 * English-number-words-to-Chinese model shipped in the jar ({@code models/numbers/}, see its README): greedily, with
 * beam search or by sampling ({@link DecodingOptions}). Prints one line per input, in order ({@code --nbest N}: N
 * lines of {@code score<TAB>text}). Exits 2 for a model directory or flags it cannot use, 1 for an I/O failure.
 */
@Command(name = "translate", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        sortOptions = false,
        description = {"Translates each TEXT (or, with none, each line of standard input) with a trained model "
                + "and prints one line per input: greedily, with beam search (--beam) or by sampling (--sample).",
            "Words the model's source tokenizer does not know are read as <unk>, with a warning on standard error.",
            "Outputs are at most the model's max_len - 2 tokens long."},
        footer = {"", "Examples:", "  attention4j translate \"two thousand and five\"      (prints 二千零五)",
            "  attention4j translate --beam 4 --nbest 3 \"nineteen\"",
            "  attention4j translate --sample --temperature 0.8 --top-p 0.9 --seed 7 \"forty two\"",
            "  echo \"three hundred and seven\" | attention4j translate --model runs/numbers"})
final class TranslateCommand implements Callable<Integer> {

    /** Inputs decoded together. */
    static final int BATCH = 64;
    /** At most this many translations go into the {@code --explain} page (three views each). */
    static final int MAX_EXPLAINED = 50;

    @Spec
    private CommandSpec spec;

    @Option(names = "--model", paramLabel = "DIR",
            description = "The --out directory of attention4j train: its config.json and its latest checkpoint's "
                    + "weights (default: the built-in numbers model).")
    private Path modelDir;

    @Parameters(paramLabel = "TEXT", arity = "0..*", description = "Texts to translate (default: standard input, "
            + "one text per line).")
    private List<String> texts = List.of();

    @Mixin
    private DecodingOptions decoding = new DecodingOptions();

    @Option(names = "--explain", paramLabel = "FILE.html",
            description = "Also write the attention explorer for the translations (the first " + MAX_EXPLAINED
                    + "): each one's cross-attention alignment (output x source), encoder self-attention and decoder "
                    + "masked self-attention, every layer and head.")
    private Path explain;

    private final Reader stdin;

    TranslateCommand() {
        this(new InputStreamReader(System.in, Main.terminalCharset()));
    }

    /** @param stdin what is read when no TEXT is given */
    TranslateCommand(Reader stdin) {
        this.stdin = stdin;
    }

    @Override
    public Integer call() throws UserError, IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            if (explain != null && !String.valueOf(explain.getFileName()).toLowerCase(java.util.Locale.ROOT)
                    .matches(".*\\.html?")) {
                throw new UserError("--explain " + explain + ": expected a file name ending in .html");
            }
            TrainedModel model = modelDir != null ? TrainedModel.load(modelDir) : TrainedModel.builtIn();
            int maxNewTokens = Math.max(1, model.config().maxLen() - 2); // room for BOS and EOS, as in training
            Translator translator = new Translator(model, decoding.config(maxNewTokens, Tokenizer.EOS_ID),
                    decoding.nbest(), err);
            if (explain != null) {
                translator.recordAttention(MAX_EXPLAINED);
            }
            if (!texts.isEmpty()) {
                for (int from = 0; from < texts.size(); from += BATCH) {
                    print(out, translator.translate(texts.subList(from, Math.min(texts.size(), from + BATCH))));
                }
            } else {
                translateLines(new BufferedReader(stdin), translator, out);
            }
            if (explain != null) {
                writeExplorer(translator, err);
            }
            return 0;
        } finally {
            out.flush();
            err.flush();
        }
    }

    private void writeExplorer(Translator translator, PrintWriter err) throws IOException, UserError {
        Translator.Recorded recorded = translator.recorded();
        if (recorded.attention().isEmpty()) {
            throw new UserError("--explain " + explain + ": nothing was translated, so there is no attention to show");
        }
        if (recorded.skipped() > 0) {
            err.println("warning: --explain shows the first " + MAX_EXPLAINED + " translations; " + recorded.skipped()
                    + " more are not in it");
        }
        ExplorerPages.translations("attention4j translate: " + recorded.attention().size() + " translation"
                + (recorded.attention().size() == 1 ? "" : "s"), recorded.inputs(), recorded.outputs(),
                recorded.attention()).writeHtml(explain);
        err.println("wrote " + explain.toAbsolutePath());
    }

    /**
     * Translates line by line, batching the lines already available (up to {@link #BATCH}) so that a pipe goes fast
     * and an interactive user gets each answer at once.
     */
    private static void translateLines(BufferedReader in, Translator translator, PrintWriter out) throws IOException {
        List<String> batch = new ArrayList<>(BATCH);
        for (String line; (line = in.readLine()) != null; ) {
            batch.add(line);
            while (batch.size() < BATCH && in.ready() && (line = in.readLine()) != null) {
                batch.add(line);
            }
            print(out, translator.translate(batch));
            batch.clear();
        }
    }

    private static void print(PrintWriter out, List<String> lines) {
        for (String line : lines) {
            out.println(line);
            out.flush();
        }
    }

    /** Encodes, warns about unknown words and over-long inputs, decodes in one batch, and detokenizes. */
    static final class Translator {

        private final TrainedModel model;
        private final GenerationConfig config;
        private final int nbest;
        private final PrintWriter err;
        private int maxRecorded;
        private final List<String> recordedInputs = new ArrayList<>();
        private final List<String> recordedOutputs = new ArrayList<>();
        private final List<TranslationAttention> recordedAttention = new ArrayList<>();
        private int skipped;

        /** What {@link #recordAttention} kept: the inputs, their best translations and their attention. */
        record Recorded(List<String> inputs, List<String> outputs, List<TranslationAttention> attention,
                        int skipped) {
        }

        Translator(TrainedModel model, GenerationConfig config, int nbest, PrintWriter err) {
            this.model = model;
            this.config = config;
            this.nbest = nbest;
            this.err = err;
        }

        /** From now on, keep the attention of the first {@code max} non-empty translations' best outputs. */
        void recordAttention(int max) {
            maxRecorded = max;
        }

        Recorded recorded() {
            return new Recorded(List.copyOf(recordedInputs), List.copyOf(recordedOutputs),
                    List.copyOf(recordedAttention), skipped);
        }

        /**
         * One output per input, in order; an empty (or blank) input gives an empty output. With {@code nbest > 1},
         * an output is {@code nbest} lines of {@code score<TAB>text}.
         */
        List<String> translate(List<String> inputs) {
            Tokenizer source = model.sourceTokenizer();
            int maxLen = model.config().maxLen();
            List<int[]> encoded = new ArrayList<>();
            List<Integer> rows = new ArrayList<>(); // the input of each encoded row
            for (int i = 0; i < inputs.size(); i++) {
                String text = inputs.get(i).strip();
                if (text.isEmpty()) {
                    continue;
                }
                warnAboutUnknownWords(text);
                int[] ids = source.encode(text);
                if (ids.length > maxLen) {
                    err.printf("warning: \"%s\": %d tokens, more than the model's %d; only the first %d are "
                            + "translated%n", text, ids.length, maxLen, maxLen);
                    ids = Arrays.copyOf(ids, maxLen);
                }
                if (ids.length == 0) {
                    continue;
                }
                encoded.add(ids);
                rows.add(i);
            }
            err.flush();
            String[] outputs = new String[inputs.size()];
            Arrays.fill(outputs, "");
            if (!encoded.isEmpty()) {
                int srcLen = encoded.stream().mapToInt(ids -> ids.length).max().orElseThrow();
                int[][] src = new int[encoded.size()][srcLen]; // (batchSize, srcLen), PAD = 0
                int[] srcLengths = new int[encoded.size()];
                for (int b = 0; b < encoded.size(); b++) {
                    System.arraycopy(encoded.get(b), 0, src[b], 0, encoded.get(b).length);
                    srcLengths[b] = encoded.get(b).length;
                }
                List<Generation> generated = Generator.generate(model.model(), src, srcLengths, Tokenizer.BOS_ID,
                        config);
                for (int b = 0; b < generated.size(); b++) {
                    outputs[rows.get(b)] = format(generated.get(b));
                    record(inputs.get(rows.get(b)).strip(), encoded.get(b), generated.get(b).best());
                }
            }
            return List.of(outputs);
        }

        private void record(String input, int[] sourceIds, Hypothesis best) {
            if (recordedAttention.size() < maxRecorded) {
                recordedInputs.add(input);
                recordedOutputs.add(model.targetTokenizer().decode(best.tokens()));
                recordedAttention.add(TranslationAttention.of(model, sourceIds, best));
            } else if (maxRecorded > 0) {
                skipped++;
            }
        }

        private String format(Generation generation) {
            if (nbest == 1) {
                return model.targetTokenizer().decode(generation.tokens());
            }
            List<String> lines = new ArrayList<>();
            for (Hypothesis h : generation.hypotheses()) {
                lines.add(String.format(java.util.Locale.ROOT, "%.4f\t%s", h.score(),
                        model.targetTokenizer().decode(h.tokens())));
            }
            return String.join(System.lineSeparator(), lines);
        }

        /** One warning line naming the whitespace-separated words of {@code text} that encode to UNK. */
        private void warnAboutUnknownWords(String text) {
            Set<String> unknown = new LinkedHashSet<>();
            for (String word : text.split("\\s+")) {
                for (int id : model.sourceTokenizer().encode(word)) {
                    if (id == Tokenizer.UNK_ID) {
                        unknown.add(word);
                        break;
                    }
                }
            }
            if (!unknown.isEmpty()) {
                err.printf("warning: \"%s\": the model does not know %s; read as <unk>%n", text,
                        String.join(", ", unknown.stream().map(w -> "\"" + w + "\"").toList()));
            }
        }
    }
}
