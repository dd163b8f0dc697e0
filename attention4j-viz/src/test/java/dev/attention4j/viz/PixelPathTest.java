package dev.attention4j.viz;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PixelPathTest {

    @Test
    void keepsFirstLowestHighestAndLastOfEachColumn() {
        // 1000 points over 10 pixels: 20 half-pixel columns of 50 points each.
        int n = 1000;
        double[] x = new double[n];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = i;
            y[i] = Math.sin(i * 0.7) + (i == 123 ? 5 : 0) - (i == 777 ? 5 : 0);
        }
        double[][] path = PixelPath.thin(x, y, 0, n, v -> v / 100, v -> -v);

        assertThat(path[0].length).isLessThanOrEqualTo(20 * 4).isGreaterThanOrEqualTo(40);
        assertThat(path[0][0]).isEqualTo(0);
        assertThat(path[0][path[0].length - 1]).isEqualTo(9.99);
        assertThat(path[1]).contains(-y[123], -y[777]);
        for (int i = 1; i < path[0].length; i++) {
            assertThat(path[0][i]).isGreaterThan(path[0][i - 1]); // order kept
        }
    }

    @Test
    void sparsePointsAreAllKept() {
        double[] x = {0, 10, 20, 30};
        double[] y = {1, 2, 3, 4};
        assertThat(PixelPath.thin(x, y, 1, 4, v -> v, v -> v)[0]).containsExactly(10, 20, 30);
    }
}
