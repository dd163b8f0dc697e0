package dev.attention4j.cli;

import dev.attention4j.viz.explorer.HeadlessChromium;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes the README's picture of the explorer from real output: {@code ReadmeScreenshot [OUT.png]} (default
 * {@code docs/explorer.png}, run from the repository root with the cli module's test classpath) runs the demo into a
 * temporary directory, opens the pages it wrote in headless chromium and stacks two captures: all-MiniLM-L6-v2's head
 * view of one layer, every head, with a token hovered, and the numbers model's cross-attention alignment of its first translation.
 */
final class ReadmeScreenshot {

    private static final int WIDTH = 1000;
    private static final int HEIGHT = 480;

    private ReadmeScreenshot() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "docs/explorer.png");
        Path dir = Files.createTempDirectory("attention4j-demo-");
        CliRun demo = CliRun.of("demo", "--out", dir.toString());
        if (demo.exitCode() != 0) {
            throw new IllegalStateException("the demo failed: " + demo.err());
        }
        record Shot(Path page, String state) {
        }
        List<Shot> shots = List.of(
                new Shot(dir.resolve(ExplorerDemo.ENCODER), "explorer.selectLayer(3);"
                        + " explorer.setHeads([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]); explorer.focusToken('q', 8)"),
                new Shot(dir.resolve(ExplorerDemo.TRANSLATIONS), "explorer.selectView(0); explorer.selectLayer(1);"
                        + " explorer.setHeads([0, 1, 2, 3]); explorer.selectMode('heatmap')"));
        List<BufferedImage> images = new ArrayList<>();
        try (HeadlessChromium browser = new HeadlessChromium(WIDTH, HEIGHT)) {
            for (Shot shot : shots) {
                browser.open(shot.page());
                browser.eval(shot.state());
                if (!browser.problems().isEmpty()) {
                    throw new IllegalStateException(shot.page() + ": the page reported " + browser.problems());
                }
                images.add(ImageIO.read(new ByteArrayInputStream(browser.screenshot())));
            }
        }
        BufferedImage stacked = new BufferedImage(WIDTH, HEIGHT * images.size() + 2, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = stacked.createGraphics();
        g.setColor(new Color(0xb8c0ca));
        g.fillRect(0, 0, stacked.getWidth(), stacked.getHeight());
        for (int i = 0; i < images.size(); i++) {
            g.drawImage(images.get(i), 0, i * (HEIGHT + 2), null);
        }
        g.dispose();
        ImageIO.write(stacked, "png", out.toFile());
        System.out.println("wrote " + out.toAbsolutePath());
    }
}
