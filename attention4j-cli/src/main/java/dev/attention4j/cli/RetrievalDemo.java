package dev.attention4j.cli;

import dev.attention4j.models.embeddings.EmbeddingProgress;
import dev.attention4j.models.pretrained.EmbeddingModel;
import dev.attention4j.models.pretrained.EmbeddingModels;
import dev.attention4j.models.retrieval.CorpusIndex;
import dev.attention4j.models.retrieval.Hit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * The demo's last chapter: the retrieval step of retrieval-augmented generation with the built-in all-MiniLM-L6-v2
 * (a pretrained BERT encoder run by attention4j): twenty short passages embedded, three questions embedded, the three
 * closest passages of each by cosine similarity. Checks that each question's best passage is the one written to
 * answer it, and that the scores are cosines of unit vectors.
 */
final class RetrievalDemo {

    /** The corpus, beside this class in the jar: one passage per line. */
    static final String PASSAGES = "retrieval/passages.txt";
    /** Questions and the line of the passage that answers each. */
    static final List<String> QUERIES = List.of(
            "How is a language model prevented from peeking at future tokens?",
            "What is the tallest mountain?",
            "How do I stop my herbs from wilting?");
    static final int[] ANSWERS = {3, 11, 9};
    static final int TOP = 3;

    private RetrievalDemo() {
    }

    /** Runs the chapter; returns the model it loaded (for the explorer chapter), or {@code null} if it could not. */
    static EmbeddingModel run(DemoReport report) {
        report.line("");
        report.line("[RAG] Retrieval with a pretrained encoder: the first step of retrieval-augmented generation");
        report.line("  all-MiniLM-L6-v2 (6 BERT layers of multi-head self-attention, 384 wide; built in) turns each"
                + " text");
        report.line("  into one unit vector: mean of its tokens' last hidden states, L2-normalised. A question's"
                + " closest");
        report.line("  passages (cosine similarity) are what a generator would be given to answer from.");
        List<String> passages;
        EmbeddingModel model;
        try {
            passages = passages();
            model = EmbeddingModels.load(EmbeddingModels.DEFAULT);
        } catch (IOException e) {
            report.check("load the built-in model and passages (" + e.getMessage() + ")", false);
            return null;
        }
        CorpusIndex index = CorpusIndex.build(passages, model, EmbeddingProgress.NONE);
        report.line("  corpus: " + index.size() + " passages (attention, cooking, geography, sport, nature,"
                + " software, drinks)");
        List<List<Hit>> results = index.search(QUERIES, TOP);
        boolean allAnswered = true;
        boolean cosines = true;
        for (int q = 0; q < QUERIES.size(); q++) {
            report.line("  query: " + QUERIES.get(q));
            float[] query = model.embedder().embed(QUERIES.get(q));
            for (int k = 0; k < results.get(q).size(); k++) {
                Hit h = results.get(q).get(k);
                report.line(String.format(Locale.ROOT, "    %d. %.3f  [%d] %s", k + 1, h.score(), h.lineNumber(),
                        shorten(h.text(), 76)));
                double dot = 0;
                float[] passage = index.embedding(h.lineNumber()).orElseThrow();
                for (int i = 0; i < passage.length; i++) {
                    dot += (double) query[i] * passage[i];
                }
                cosines &= Math.abs(dot - h.score()) <= 1e-6;
            }
            allAnswered &= results.get(q).get(0).lineNumber() == ANSWERS[q];
        }
        report.check("each question's best passage is the one written to answer it", allAnswered);
        report.check("the scores are cosines: the dot products of unit vectors", cosines);
        report.line("  Try it on your own text: attention4j search --corpus FILE \"question\"");
        return model;
    }

    static List<String> passages() throws IOException {
        try (InputStream in = RetrievalDemo.class.getResourceAsStream(PASSAGES)) {
            if (in == null) {
                throw new IOException("the demo's passages (" + PASSAGES + ") are missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
    }

    private static String shorten(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 3) + "...";
    }
}
