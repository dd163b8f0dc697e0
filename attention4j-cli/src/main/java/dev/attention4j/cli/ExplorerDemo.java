package dev.attention4j.cli;

import dev.attention4j.models.pretrained.EmbeddingModel;
import dev.attention4j.viz.AttentionHeatmap;
import dev.attention4j.viz.AttentionMatrix;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The demo's last chapter: writes what the translation and retrieval chapters computed as files to open — the
 * attention explorer for the translations and for the pretrained encoder reading the first question, and the first
 * translation's alignment as a PNG heatmap — and prints their paths.
 */
final class ExplorerDemo {

    static final String TRANSLATIONS = "translation.html";
    static final String ALIGNMENT = "alignment.png";
    static final String ENCODER = "minilm.html";

    private ExplorerDemo() {
    }

    /**
     * Writes into {@code dir} (created if missing) what it can of the two chapters' results ({@code null} when a
     * chapter could not load its model); a file that cannot be written is a failed check.
     */
    static void run(DemoReport report, Path dir, TranslationDemo.Result translations, EmbeddingModel encoder) {
        report.line("");
        report.line("[Explorer] Look inside: attention maps to open in a browser (offline, one file each)");
        List<Path> written = new ArrayList<>();
        try {
            Files.createDirectories(dir);
            if (translations != null) {
                Path page = dir.resolve(TRANSLATIONS);
                ExplorerPages.translations("attention4j demo: the numbers model", translations.inputs(),
                        translations.outputs(), translations.attention()).writeHtml(page);
                written.add(page);
                TranslationAttention first = translations.attention().get(0);
                int last = first.cross().layers() - 1;
                Path png = dir.resolve(ALIGNMENT);
                AttentionHeatmap.of(AttentionMatrix.of("decoder layer " + last + ", mean of " + first.cross().heads()
                                + " heads", first.cross().headAverage(last), first.produced(), first.source()))
                        .title(translations.inputs().get(0) + " → " + translations.outputs().get(0))
                        .writePng(png);
                written.add(png);
            }
            if (encoder != null) {
                String question = RetrievalDemo.QUERIES.get(0);
                Path page = dir.resolve(ENCODER);
                ExplorerPages.encoder(encoder.name(), question, EncoderAttention.of(encoder, question))
                        .writeHtml(page);
                written.add(page);
            }
        } catch (IOException | UserError e) {
            report.check("write the explorer files into " + dir.toAbsolutePath() + " (" + e.getMessage() + ")", false);
        }
        for (Path file : written) {
            report.line("  wrote " + file.toAbsolutePath());
        }
        report.line("  " + TRANSLATIONS + ": each translation's cross-attention alignment, encoder and decoder"
                + " self-attention;");
        report.line("  " + ENCODER + ": all-MiniLM-L6-v2's 6 x 12 heads reading a question. Your own: attention4j"
                + " explain TEXT,");
        report.line("  attention4j translate --explain FILE.html TEXT.");
    }
}
