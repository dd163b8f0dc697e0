package dev.attention4j.viz.explorer;

import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Writes the README's picture of the explorer: {@code ExplorerScreenshot [OUT.png]} (default
 * {@code docs/explorer.png}, run from the repository root) opens the demo translation's page in headless chromium
 * and stacks two captures: the encoder's head view with every head and one token hovered, and the cross-attention
 * alignment of the last layer.
 */
final class ExplorerScreenshot {

    private static final int WIDTH = 1000;
    private static final int HEIGHT = 420;

    private ExplorerScreenshot() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "docs/explorer.png");
        List<String> states = List.of(
                "explorer.setHeads([0, 1, 2, 3]); explorer.focusToken('q', 1)",
                "explorer.selectView(2); explorer.selectLayer(1); explorer.setHeads([0, 1, 2, 3]);"
                        + " explorer.selectMode('heatmap')");
        Path html = Files.createTempFile("explorer-", ".html");
        List<BufferedImage> shots = new ArrayList<>();
        try (HeadlessChromium browser = new HeadlessChromium(WIDTH, HEIGHT)) {
            ExplorerDemo.translation().writeHtml(html);
            for (String state : states) {
                browser.open(html);
                browser.eval(state);
                if (!browser.problems().isEmpty()) {
                    throw new IllegalStateException("the page reported problems: " + browser.problems());
                }
                shots.add(ImageIO.read(new ByteArrayInputStream(browser.screenshot())));
            }
        } finally {
            Files.deleteIfExists(html);
        }
        BufferedImage stacked = new BufferedImage(WIDTH, HEIGHT * shots.size() + 2, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = stacked.createGraphics();
        g.setColor(new java.awt.Color(0xb8c0ca));
        g.fillRect(0, 0, stacked.getWidth(), stacked.getHeight());
        for (int i = 0; i < shots.size(); i++) {
            g.drawImage(shots.get(i), 0, i * (HEIGHT + 2), null);
        }
        g.dispose();
        ImageIO.write(stacked, "png", out.toFile());
    }
}
