package dev.attention4j.viz.explorer;

import dev.attention4j.viz.AtomicFiles;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What the attention explorer shows: a title and one or more views (self-attention maps, cross-attention alignments),
 * written as one self-contained HTML file that opens in a browser with no network.
 *
 * <pre>{@code
 * ExplorerDocument.builder("the cat sat on the mat")
 *         .add(SelfAttentionView.of("Encoder self-attention", tokens, encoderWeights))   // [layer][head] n x n
 *         .add(CrossAttentionView.of("Cross-attention", srcTokens, tgtTokens, crossWeights)) // tgt x src
 *         .build()
 *         .writeHtml(Path.of("explorer.html"));
 * }</pre>
 *
 * <p>The page has, for the selected view: a <b>head view</b> (queries in the left column, keys in the right, a line
 * from a query to each key it attends with opacity = weight, one colour per head, a layer selector and head
 * checkboxes; hover a token to see only its lines, click to pin it), a <b>model view</b> (every layer x head as a
 * small heatmap; click one to open it), a <b>heatmap</b> (queries x keys drawn on a canvas pixel by pixel, with the
 * row, column and weight under the mouse; the mean of the selected heads when several are selected; for a
 * cross-attention view this is the source x target alignment) and an <b>entropy</b> table (layer x head, the
 * normalised entropy of {@link ExplorerView#entropy} with its value). Views with more than {@value #LONG_SEQUENCE}
 * queries or keys open on the heatmap, since one line per pair no longer reads.
 *
 * <p>The file holds its CSS, script and data inline and refers to no URL. Weights are embedded as base64 of the
 * views' one-byte quantised weights (see {@link ExplorerView}): about {@code 4/3} byte per weight, so a BERT-base-like
 * encoder of 6 layers x 12 heads at 512 tokens (18.9 M weights) makes a 25.2 MB file; 6 x 12 at 128 tokens makes
 * 1.6 MB. Every token and title reaches the page as JSON data and is shown as text, never parsed as markup.
 */
public final class ExplorerDocument {

    /** Above this many query or key tokens a view opens on the canvas heatmap rather than the head view. */
    public static final int LONG_SEQUENCE = 128;

    private final String title;
    private final List<ExplorerView> views;

    private ExplorerDocument(String title, List<ExplorerView> views) {
        this.title = title;
        this.views = List.copyOf(views);
    }

    /** A builder for a document with this title (shown at the top of the page and as the window title). */
    public static Builder builder(String title) {
        return new Builder(Objects.requireNonNull(title, "title"));
    }

    /** A document with one view, titled as the view. */
    public static ExplorerDocument of(ExplorerView view) {
        return builder(Objects.requireNonNull(view, "view").title()).add(view).build();
    }

    public String title() {
        return title;
    }

    /** The views in the order the page's view selector lists them; the first is shown first. */
    public List<ExplorerView> views() {
        return views;
    }

    /** The whole page as a string (the same bytes {@link #writeHtml} writes, in UTF-8). */
    public String toHtml() {
        StringBuilder out = new StringBuilder(ExplorerHtml.estimatedSize(this));
        try {
            ExplorerHtml.write(this, out);
        } catch (IOException e) {
            throw new AssertionError("a StringBuilder does not throw", e);
        }
        return out.toString();
    }

    /**
     * Writes the page to {@code file} in UTF-8, atomically (a temporary file beside it, then a move). The parent
     * directory must exist.
     */
    public void writeHtml(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        AtomicFiles.write(file, out -> {
            Writer writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
            ExplorerHtml.write(this, writer);
            writer.flush();
        });
    }

    /** Collects views; {@link #build()} needs at least one. */
    public static final class Builder {

        private final String title;
        private final List<ExplorerView> views = new ArrayList<>();

        private Builder(String title) {
            this.title = title;
        }

        public Builder add(ExplorerView view) {
            views.add(Objects.requireNonNull(view, "view"));
            return this;
        }

        /** @throws IllegalArgumentException when no view was added */
        public ExplorerDocument build() {
            if (views.isEmpty()) {
                throw new IllegalArgumentException("an explorer document needs at least one view; add a "
                        + "SelfAttentionView or a CrossAttentionView before build()");
            }
            return new ExplorerDocument(title, views);
        }
    }
}
