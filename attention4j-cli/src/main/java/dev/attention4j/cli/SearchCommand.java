package dev.attention4j.cli;

import dev.attention4j.models.embeddings.EmbeddingProgress;
import dev.attention4j.models.pretrained.EmbeddingModel;
import dev.attention4j.models.retrieval.CacheUse;
import dev.attention4j.models.retrieval.CorpusIndex;
import dev.attention4j.models.retrieval.Hit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code attention4j search}: semantic search over the lines of a text file, the retrieval step of
 * retrieval-augmented generation. The corpus's embeddings are cached beside it ({@link CorpusIndex#cachePath}) and
 * reused while the corpus and the model are unchanged; standard error says whether the cache was used, created or
 * rebuilt. Exits 2 for a missing corpus or a model it cannot load.
 */
@Command(name = "search", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, sortOptions = false,
        description = {"Prints the --top K lines of the corpus closest in meaning to each QUERY, with their cosine "
                + "similarity and line number.",
            "The corpus (UTF-8, one passage per line; empty lines are skipped but counted) is embedded once and "
                + "cached beside it in FILE" + CorpusIndex.CACHE_SUFFIX + ", which is reused while the corpus and "
                + "the model are unchanged."},
        footer = {"", "Examples:", "  attention4j search --corpus notes.txt \"how does attention scale?\"",
            "  attention4j search --corpus faq.txt --top 3 \"reset my password\" \"delete my account\""})
final class SearchCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--corpus", paramLabel = "FILE", required = true,
            description = "The text file to search, one passage per line.")
    private Path corpus;

    @Option(names = "--top", paramLabel = "K", description = "Lines per query (default: ${DEFAULT-VALUE}).")
    private int top = 5;

    @Mixin
    private EmbeddingModelChoice modelChoice = new EmbeddingModelChoice();

    @Parameters(paramLabel = "QUERY", arity = "1..*", description = "What to look for.")
    private List<String> queries;

    @Override
    public Integer call() throws UserError, IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            if (top < 1) {
                throw new UserError("--top: expected a number >= 1 but got " + top);
            }
            if (!Files.isRegularFile(corpus)) {
                throw new UserError("--corpus " + corpus + ": " + (Files.exists(corpus) ? "not a file"
                        : "no such file"));
            }
            EmbeddingModel model = modelChoice.load();
            CorpusIndex.Opened opened;
            LazyBar bar = new LazyBar(err, "embed " + corpus.getFileName());
            try {
                opened = CorpusIndex.open(corpus, model, bar);
            } catch (NoSuchFileException e) {
                throw new UserError("--corpus " + corpus + ": no such file");
            }
            bar.finish(model.name());
            report(opened.cacheUse(), opened.index(), err);
            List<List<Hit>> results = opened.index().search(queries, top);
            for (int q = 0; q < queries.size(); q++) {
                if (q > 0) {
                    out.println();
                }
                out.println("query: " + queries.get(q));
                List<Hit> hits = results.get(q);
                if (hits.isEmpty()) {
                    out.println("  (the corpus has no non-empty lines)");
                }
                for (int k = 0; k < hits.size(); k++) {
                    Hit h = hits.get(k);
                    out.println(String.format(Locale.ROOT, "%3d. %.4f  line %d: %s", k + 1, h.score(),
                            h.lineNumber(), h.text()));
                }
            }
            return 0;
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** One note on standard error about the cache. */
    private static void report(CacheUse use, CorpusIndex index, PrintWriter err) {
        switch (use.kind()) {
            case REUSED -> err.println("using cached embeddings from " + use.cache());
            case CREATED -> err.println("embedded " + index.size() + " lines; cached in " + use.cache());
            case REBUILT_STALE -> err.println("re-embedded " + index.size() + " lines (" + use.reason()
                    + "); cached in " + use.cache());
            case REBUILT_DAMAGED -> err.println("warning: the cache " + use.cache() + " could not be used ("
                    + use.reason() + "); re-embedded " + index.size() + " lines and rewrote it");
        }
        use.saveFailure().ifPresent(why -> err.println("warning: could not write the cache " + use.cache() + " ("
                + why + "); the next search will embed the corpus again"));
        err.flush();
    }

    /** A progress bar that appears only if embedding happens (a reused cache shows none). */
    private static final class LazyBar implements EmbeddingProgress {

        private final PrintWriter err;
        private final String label;
        private ProgressBar bar;
        private int total;

        LazyBar(PrintWriter err, String label) {
            this.err = err;
            this.label = label;
        }

        @Override
        public void update(int done, int total) {
            if (bar == null) {
                bar = new ProgressBar(err, label, total, ProgressBar.Output.detect());
                this.total = total;
            }
            bar.update(done);
        }

        void finish(String modelName) {
            if (bar != null) {
                bar.finish(total + " lines, " + modelName);
            }
        }
    }
}
