package dev.attention4j.viz.explorer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes the README's screenshot of the explorer: {@code ExplorerScreenshot OUT.png [MODE]} renders the demo
 * translation's pages in headless chromium and captures the page (run from the repository root, it is
 * {@code docs/explorer.png}).
 */
final class ExplorerScreenshot {

    private ExplorerScreenshot() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "docs/explorer.png");
        String script = args.length > 1 ? args[1] : "explorer.setHeads([0, 1, 2, 3]); explorer.focusToken('q', 1)";
        Path html = Files.createTempFile("explorer-", ".html");
        try (HeadlessChromium browser = new HeadlessChromium(1000, 560)) {
            ExplorerDemo.translation().writeHtml(html);
            browser.open(html);
            browser.eval(script);
            List<String> problems = browser.problems();
            if (!problems.isEmpty()) {
                throw new IllegalStateException("the page reported problems: " + problems);
            }
            Files.write(out, browser.screenshot());
        } finally {
            Files.deleteIfExists(html);
        }
    }
}
