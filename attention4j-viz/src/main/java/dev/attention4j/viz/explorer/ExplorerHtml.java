package dev.attention4j.viz.explorer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * Renders an {@link ExplorerDocument} as one HTML page: the stylesheet, body and script kept as resources beside this
 * class, inlined, with the document as a JSON block the script reads.
 */
final class ExplorerHtml {

    private static final String CSS = resource("explorer.css");
    private static final String BODY = resource("explorer-body.html");
    private static final String SCRIPT = resource("explorer.js");

    private ExplorerHtml() {
    }

    static int estimatedSize(ExplorerDocument document) {
        long bytes = CSS.length() + BODY.length() + SCRIPT.length() + 4096;
        for (ExplorerView view : document.views()) {
            bytes += view.quantizedWeights().length / 3L * 4 + 64L * (view.queryTokens().size()
                    + view.keyTokens().size() + view.numLayers() * view.numHeads());
        }
        return (int) Math.min(Integer.MAX_VALUE - 16, bytes);
    }

    static void write(ExplorerDocument document, Appendable out) throws IOException {
        out.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>Attention explorer</title>\n<style>\n").append(CSS).append("</style>\n</head>\n")
                .append("<body>\n").append(BODY)
                .append("<script type=\"application/json\" id=\"explorer-data\">");
        writeData(document, out);
        out.append("</script>\n<script>\n").append(SCRIPT).append("</script>\n</body>\n</html>\n");
    }

    /**
     * {@code {"title": ..., "views": [{"kind", "title", "queries", "keys", "layers", "heads", "entropy",
     * "weights"}]}}, weights as base64 of the quantised bytes {@code (layers, heads, queries, keys)}.
     */
    private static void writeData(ExplorerDocument document, Appendable out) throws IOException {
        out.append("{\"title\":");
        string(document.title(), out);
        out.append(",\"views\":[");
        List<ExplorerView> views = document.views();
        for (int v = 0; v < views.size(); v++) {
            ExplorerView view = views.get(v);
            out.append(v == 0 ? "\n{" : ",\n{").append("\"kind\":\"").append(view.kind()).append("\",\"title\":");
            string(view.title(), out);
            out.append(",\"layers\":").append(Integer.toString(view.numLayers()))
                    .append(",\"heads\":").append(Integer.toString(view.numHeads()))
                    .append(",\n\"queries\":");
            strings(view.queryTokens(), out);
            out.append(",\n\"keys\":");
            strings(view.keyTokens(), out);
            out.append(",\n\"entropy\":[");
            for (int layer = 0; layer < view.numLayers(); layer++) {
                out.append(layer == 0 ? "[" : ",[");
                for (int head = 0; head < view.numHeads(); head++) {
                    float e = view.entropy(layer, head);
                    out.append(head == 0 ? "" : ",")
                            .append(Float.isNaN(e) ? "null" : String.format(Locale.ROOT, "%.5f", e));
                }
                out.append(']');
            }
            out.append("],\n\"weights\":\"");
            byte[] weights = view.quantizedWeights();
            Base64.Encoder base64 = Base64.getEncoder();
            int chunk = 3 << 16;                         // a multiple of 3: no padding inside the stream
            for (int at = 0; at < weights.length; at += chunk) {
                int end = Math.min(weights.length, at + chunk);
                byte[] part = java.util.Arrays.copyOfRange(weights, at, end);
                out.append(new String(base64.encode(part), StandardCharsets.ISO_8859_1));
            }
            out.append("\"}");
        }
        out.append("]}");
    }

    private static void strings(List<String> values, Appendable out) throws IOException {
        out.append('[');
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            string(values.get(i), out);
        }
        out.append(']');
    }

    /**
     * A JSON string safe inside an HTML {@code <script>} block: besides JSON's own escapes, {@code <}, {@code >} and
     * {@code &} become {@code \\u003c} etc. (so no {@code </script>} or {@code <!--} can appear), U+2028/U+2029 are
     * escaped, and unpaired surrogates (which UTF-8 cannot carry) become U+FFFD.
     */
    static void string(String s, Appendable out) throws IOException {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '<', '>', '&', '\u2028', '\u2029' -> out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                default -> {
                    if (c < 0x20) {
                        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else if (Character.isHighSurrogate(c) && i + 1 < s.length()
                            && Character.isLowSurrogate(s.charAt(i + 1))) {
                        out.append(c).append(s.charAt(++i));
                    } else if (Character.isSurrogate(c)) {
                        out.append('\uFFFD');
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static String resource(String name) {
        try (InputStream in = ExplorerHtml.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("resource " + name + " is missing beside " + ExplorerHtml.class);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read resource " + name, e);
        }
    }
}
