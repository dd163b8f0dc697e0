package dev.attention4j.viz;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

import java.awt.GraphicsEnvironment;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LineChartTest {

    /** The first palette colour (Tableau blue). */
    private static final int BLUE = 0x1f77b4;

    @TempDir
    Path dir;

    private static double[] range(int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = i;
        }
        return v;
    }

    @Test
    void pngDecodesToTheRequestedSizeAndLeavesNoTemporaryFile() throws IOException {
        Path file = dir.resolve("loss.png");
        LineChart.of("Training loss").xLabel("step").yLabel("loss")
                .series("train", range(50), range(50))
                .writePng(file, 640, 360);

        BufferedImage image = ImageIO.read(file.toFile());
        assertThat(image).isNotNull();
        assertThat(image.getWidth()).isEqualTo(640);
        assertThat(image.getHeight()).isEqualTo(360);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("loss.png");
        }
    }

    @Test
    void aRisingLineIsDrawnFromLowerLeftToUpperRight() {
        BufferedImage image = LineChart.of("").series("up", range(101), range(101)).toImage(800, 500);

        int lowerLeft = count(image, BLUE, 0, 400, 250, 500);
        int upperRight = count(image, BLUE, 400, 800, 0, 250);
        int upperLeft = count(image, BLUE, 0, 400, 0, 250);   // only the legend's short sample line may be here
        int lowerRight = count(image, BLUE, 400, 800, 250, 500);
        assertThat(lowerLeft).isGreaterThan(200);
        assertThat(upperRight).isGreaterThan(200);
        assertThat(upperLeft).isLessThan(lowerLeft / 5);
        assertThat(lowerRight).isLessThan(lowerLeft / 5);
    }

    @Test
    void theLegendGoesToTheCornerTheCurvesLeaveEmpty() {
        double[] falling = range(101);
        for (int i = 0; i < falling.length; i++) {
            falling[i] = 100 - i;
        }
        // A falling curve crosses the top-left and bottom-right corners; the legend's sample line lands top-right.
        BufferedImage image = LineChart.of("").series("down", range(101), falling).toImage(800, 500);
        assertThat(count(image, BLUE, 600, 800, 0, 120)).isGreaterThan(20);
        assertThat(count(image, BLUE, 600, 800, 380, 500)).isGreaterThan(20); // the curve itself
    }

    @Test
    void nanAndInfinityLeaveGapsInsteadOfFailing() {
        double[] y = range(101);
        for (int i = 35; i <= 65; i++) {
            y[i] = i % 2 == 0 ? Double.NaN : Double.POSITIVE_INFINITY;
        }
        BufferedImage image = LineChart.of("").series("gappy", range(101), y).toImage(800, 500);
        assertThat(count(image, BLUE, 380, 430, 0, 500)).isZero();
        assertThat(count(image, BLUE, 150, 300, 0, 500)).isGreaterThan(50);
        assertThat(count(image, BLUE, 550, 700, 0, 500)).isGreaterThan(50);
    }

    @Test
    void aLogAxisRejectsNonPositiveValuesNamingTheSeriesAndValue() {
        LineChart chart = LineChart.of("loss").logY()
                .series("train", range(3), new double[] {3, 2, 1})
                .series("val loss", range(3), new double[] {1, 0.5, -0.25});
        Path file = dir.resolve("never.png");

        assertThatThrownBy(() -> chart.writePng(file, 400, 300))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'val loss'")
                .hasMessageContaining("y[2] = -0.25")
                .hasMessageContaining("log");
        assertThatThrownBy(() -> chart.toSvg(400, 300)).isInstanceOf(IllegalArgumentException.class);
        assertThat(file).doesNotExist();
        // Zero is rejected too, but NaN is a gap like anywhere else.
        assertThatThrownBy(() -> LineChart.of("").yScale(Scale.LOG).series("z", range(2), new double[] {1, 0})
                .toImage(400, 300)).hasMessageContaining("y[1] = 0.0");
        assertThat(LineChart.of("").logY().series("nan", range(3), new double[] {1, Double.NaN, 0.1})
                .toImage(400, 300).getWidth()).isEqualTo(400);
    }

    @Test
    void svgIsWellFormedXmlAndNamesEverySeries() throws Exception {
        Path file = dir.resolve("loss.svg");
        LineChart.of("Loss <&> \"quotes\"").xLabel("step").yLabel("loss").logY()
                .series("train <b>&amp;</b>", range(200), decay(200))
                .series("validation", new double[] {0, 100, 199}, new double[] {1.2, 0.6, 0.5})
                .series("control\u0001char", range(2), new double[] {1, 1})
                .writeSvg(file, 900, 540);

        String svg = Files.readString(file, StandardCharsets.UTF_8);
        Document doc = SvgDocuments.parse(svg);
        assertThat(doc.getDocumentElement().getTagName()).isEqualTo("svg");
        assertThat(doc.getDocumentElement().getAttribute("width")).isEqualTo("900");
        assertThat(doc.getDocumentElement().getAttribute("height")).isEqualTo("540");
        String text = doc.getDocumentElement().getTextContent();
        assertThat(text).contains("train <b>&amp;</b>", "validation", "Loss <&> \"quotes\"", "step", "loss",
                "control\uFFFDchar");
        assertThat(doc.getElementsByTagName("polyline").getLength()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void anEmptyChartSaysSoInsteadOfFailing() throws Exception {
        String noSeries = LineChart.of("Nothing yet").toSvg(400, 300);
        assertThat(SvgDocuments.parse(noSeries).getDocumentElement().getTextContent())
                .contains("No data to plot", "the chart has no series");

        LineChart allNaN = LineChart.of("").series("loss", range(3), new double[] {Double.NaN, Double.NaN, 1})
                .series("empty", new double[0], new double[0]);
        String someData = allNaN.toSvg(400, 300);
        assertThat(someData).doesNotContain("No data to plot").contains("empty (no data)");

        String none = LineChart.of("").series("loss", range(2), new double[] {Double.NaN, Double.NaN})
                .toSvg(400, 300);
        assertThat(none).contains("No data to plot", "series &apos;loss&apos; has no finite points");

        BufferedImage image = LineChart.of("").toImage(400, 300);
        assertThat(image.getWidth()).isEqualTo(400);
    }

    @Test
    void aSinglePointOrASingleXValueGetsARangeAndADot() throws Exception {
        BufferedImage image = LineChart.of("").series("one", new double[] {1000}, new double[] {0.5})
                .toImage(400, 300);
        assertThat(count(image, BLUE, 0, 400, 0, 300)).isGreaterThan(10);

        String svg = LineChart.of("").series("one", new double[] {0}, new double[] {0}).toSvg(400, 300);
        assertThat(SvgDocuments.parse(svg).getElementsByTagName("circle").getLength()).isEqualTo(1);

        String sameStep = LineChart.of("").series("v", new double[] {5, 5}, new double[] {1, 2}).toSvg(400, 300);
        assertThat(SvgDocuments.parse(sameStep).getElementsByTagName("polyline").getLength())
                .isGreaterThanOrEqualTo(1);
    }

    @Test
    void renderingIsHeadless() {
        LineChart.of("").toImage(200, 150);
        assertThat(System.getProperty("java.awt.headless")).isEqualTo("true");
        assertThat(GraphicsEnvironment.isHeadless()).isTrue();
    }

    @Test
    void writingReplacesAnExistingFile() throws IOException {
        Path file = dir.resolve("curve.png");
        Files.writeString(file, "old");
        LineChart.of("").series("a", range(3), range(3)).writePng(file, 200, 150);
        assertThat(ImageIO.read(file.toFile()).getWidth()).isEqualTo(200);
    }

    @Test
    void badArgumentsAreNamed() {
        assertThatThrownBy(() -> LineChart.of("").toImage(100, 300))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("width").hasMessageContaining("100");
        assertThatThrownBy(() -> LineChart.of("").toImage(400, 100_000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("height").hasMessageContaining("100000");
        assertThatThrownBy(() -> new LineChart.Series("loss", new double[3], new double[2]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'loss'").hasMessageContaining("3").hasMessageContaining("2");
    }

    @Test
    void seriesCopiesItsArraysAndComparesByContent() {
        double[] y = {1, 2, 3};
        LineChart.Series s = LineChart.Series.of("s", y);
        y[0] = 99;
        assertThat(s.y()).containsExactly(1, 2, 3);
        assertThat(s.x()).containsExactly(0, 1, 2);
        assertThat(s).isEqualTo(LineChart.Series.of("s", new double[] {1, 2, 3}));
    }

    @Test
    void manyNoisyPointsAreThinnedButKeepTheirExtremes() {
        int n = 200_000;
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            y[i] = (i * 2654435761L % 1000) / 1000.0; // deterministic noise in [0, 1)
        }
        String svg = LineChart.of("").series("noise", range(n), y).toSvg(800, 500);
        assertThat(svg.length()).isLessThan(200_000);
    }

    private static double[] decay(int n) {
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            y[i] = 0.5 + 3 * Math.exp(-i / 30.0);
        }
        return y;
    }


    /** Pixels in {@code [x0, x1) x [y0, y1)} within a small distance of {@code rgb} (anti-aliased edges excluded). */
    private static int count(BufferedImage image, int rgb, int x0, int x1, int y0, int y1) {
        int n = 0;
        for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) {
                int p = image.getRGB(x, y);
                int dr = ((p >> 16) & 0xff) - ((rgb >> 16) & 0xff);
                int dg = ((p >> 8) & 0xff) - ((rgb >> 8) & 0xff);
                int db = (p & 0xff) - (rgb & 0xff);
                if (dr * dr + dg * dg + db * db < 30 * 30) {
                    n++;
                }
            }
        }
        return n;
    }
}
