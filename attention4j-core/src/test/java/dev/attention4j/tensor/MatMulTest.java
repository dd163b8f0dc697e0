package dev.attention4j.tensor;

import dev.attention4j.kernels.Parallel;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The products give the same bits at 1, 2 and 3 threads, whether they are split by columns ({@code m <= n}) or by
 * rows, with ragged block edges, and with the active kernels (SIMD when the Vector API is present).
 */
class MatMulTest {

    /** (m, k, n): column splits, row splits, ragged everywhere, a single row (decoding), and a tiny product. */
    private static final int[][] SHAPES = {{37, 300, 411}, {413, 129, 70}, {1, 1025, 1030}, {130, 64, 131}, {3, 5, 7},
            {200, 96, 200}}; // square: cut along the rows, or the columns for x W^T on W itself (see MatMul.cut)

    @Test
    void linearGivesTheSameBitsAtAnyThreadCount() {
        for (int[] s : SHAPES) {
            Tensor x = Tensor.randn(1, s[0], s[1]);          // (rows, inFeatures)
            Tensor w = Tensor.randn(2, s[2], s[1]);          // (outFeatures, inFeatures)
            Tensor b = Tensor.randn(3, s[2]);                // (outFeatures)
            assertSameBitsAtAnyThreadCount("linear " + java.util.Arrays.toString(s), () -> MatMul.linear(x, w, b));
            assertSameBitsAtAnyThreadCount("linear without bias " + java.util.Arrays.toString(s),
                    () -> MatMul.linear(x, w, null));
        }
    }

    /**
     * The fused epilogue is the activation applied afterwards, bit for bit, at 1, 2 and 3 threads: rows around the
     * few-rows path's bounds (1, 3, 7, 16, 17, 63, 64, 65, and 130 for the packed path), output widths that cut the
     * column blocks off a vector boundary, with and without bias.
     */
    @Test
    void linearWithAnEpilogueIsTheLinearMapThenTheActivation() {
        for (int rows : new int[] {1, 3, 7, 16, 17, 63, 64, 65, 130}) {
            for (int[] kn : new int[][] {{384, 1536}, {37, 203}, {700, 131}}) {
                int k = kn[0];
                int n = kn[1];
                Tensor x = Tensor.randn(11 + rows, rows, k);      // (rows, inFeatures)
                Tensor w = Tensor.randn(12, n, k);                // (outFeatures, inFeatures)
                Tensor b = Tensor.randn(13, n);                   // (outFeatures)
                for (Tensor bias : new Tensor[] {b, null}) {
                    String what = rows + " x " + k + " -> " + n + (bias == null ? " without bias" : "");
                    Tensor gelu = Activations.gelu(MatMul.linear(x, w, bias));
                    Tensor relu = Activations.relu(MatMul.linear(x, w, bias));
                    assertThat(relu.data()).as("relu is not the identity here, %s", what)
                            .isNotEqualTo(MatMul.linear(x, w, bias).data());
                    for (int threads : new int[] {1, 2, 3}) {
                        dev.attention4j.kernels.WithThreads.run(threads, () -> {
                            assertThat(MatMul.linear(x, w, bias, MatMul.Epilogue.GELU).bitEquals(gelu))
                                    .as("gelu epilogue, %s, %d threads", what, threads).isTrue();
                            assertThat(MatMul.linear(x, w, bias, MatMul.Epilogue.RELU).bitEquals(relu))
                                    .as("relu epilogue, %s, %d threads", what, threads).isTrue();
                            assertThat(MatMul.linear(x, w, bias, MatMul.Epilogue.NONE)
                                    .bitEquals(MatMul.linear(x, w, bias)))
                                    .as("no epilogue, %s, %d threads", what, threads).isTrue();
                        });
                    }
                }
            }
        }
    }

    /**
     * A linear map given a {@link PanelWeight} gives the bits of the map on the weight itself at 1, 2 and 3 threads,
     * at few rows (one stream of panels) and many (the register-blocked GEMM on the panels, columns split across
     * threads), with an epilogue and without bias; 203 and 384 rows make square products with two of the weights,
     * which are cut along their rows, not their columns (their column blocks would not start on a panel).
     */
    @Test
    void linearOnPanelsGivesTheBitsOfLinearOnTheWeight() {
        for (int rows : new int[] {1, 3, 7, 15, 16, 17, 40, 128, 203, 384}) {
            for (int[] kn : new int[][] {{384, 1152}, {37, 203}, {1536, 384}}) {
                Tensor x = Tensor.randn(31 + rows, 1, rows, kn[0]);       // (batchSize, seqLen, inFeatures)
                Tensor w = Tensor.randn(32, kn[1], kn[0]);                // (outFeatures, inFeatures)
                Tensor b = Tensor.randn(33, kn[1]);                       // (outFeatures)
                PanelWeight panels = new PanelWeight(w);
                for (MatMul.Epilogue then : MatMul.Epilogue.values()) {
                    for (Tensor bias : new Tensor[] {b, null}) {
                        Tensor expected = MatMul.linear(x, w, bias, then);
                        for (int threads : new int[] {1, 2, 3}) {
                            dev.attention4j.kernels.WithThreads.run(threads, () ->
                                    assertThat(MatMul.linear(x, panels, bias, then).bitEquals(expected))
                                            .as("%d rows, %s, %s, %s, %d threads", rows, java.util.Arrays.toString(kn),
                                                    then, bias == null ? "no bias" : "bias", threads).isTrue());
                        }
                        float[] y = new float[rows * kn[1]];
                        MatMul.linearInto(y, 0, x.data(), 0, panels, bias == null ? null : bias.data(), 0, rows);
                        if (then == MatMul.Epilogue.NONE) {
                            assertThat(y).as("linearInto, %d rows", rows).isEqualTo(expected.data());
                        }
                    }
                }
            }
        }
    }

    /**
     * The map on the leading columns of wider rows, read in place, gives the bits of the map on a contiguous copy of
     * those columns, on the kept panels and on the weight itself, at 1, 2 and 3 threads: few rows (one panel stream)
     * and many (split by rows and by columns), columns that are a third of the row (the heads' output over the queries)
     * and all of it, with and without bias.
     */
    @Test
    void linearOnLeadingColumnsGivesTheBitsOfLinearOnACopyOfThem() {
        for (int rows : new int[] {1, 5, 17, 130, 413}) {
            for (int[] kwn : new int[][] {{96, 288, 96}, {37, 40, 203}, {384, 384, 384}}) {
                int k = kwn[0];
                int width = kwn[1];
                int n = kwn[2];
                Tensor wide = Tensor.randn(61 + rows, 1, rows, width);   // (batchSize, seqLen, width)
                Tensor leading = Tensor.zeros(1, rows, k);              // its first k columns, copied
                for (int r = 0; r < rows; r++) {
                    System.arraycopy(wide.data(), r * width, leading.data(), r * k, k);
                }
                Tensor w = Tensor.randn(62, n, k);                       // (outFeatures, inFeatures)
                Tensor b = Tensor.randn(63, n);
                PanelWeight panels = new PanelWeight(w);
                for (Tensor bias : new Tensor[] {b, null}) {
                    Tensor expected = MatMul.linear(leading, w, bias);
                    for (int threads : new int[] {1, 2, 3}) {
                        dev.attention4j.kernels.WithThreads.run(threads, () -> {
                            String what = rows + " rows of " + width + ", first " + k + " -> " + n
                                    + (bias == null ? ", no bias" : "") + ", threads " + threads;
                            Tensor onPanels = MatMul.linearOnLeadingColumns(wide, panels, bias);
                            assertThat(onPanels.shape()).isEqualTo(Shape.of(1, rows, n));
                            assertThat(onPanels.bitEquals(expected)).as("panels, %s", what).isTrue();
                            assertThat(MatMul.linearOnLeadingColumns(wide, w, bias).bitEquals(expected))
                                    .as("weight, %s", what).isTrue();
                        });
                    }
                }
            }
        }
    }

    /** The map on leading columns says what it expected of rows too narrow and of a bias of the wrong size. */
    @Test
    void linearOnLeadingColumnsRejectsRowsNarrowerThanTheWeight() {
        Tensor w = Tensor.randn(71, 40, 24);                             // (outFeatures, inFeatures)
        PanelWeight panels = new PanelWeight(w);
        Tensor narrow = Tensor.randn(72, 3, 23);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> MatMul.linearOnLeadingColumns(narrow, panels, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("width >= inFeatures = 24").hasMessageContaining("[3, 23]");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> MatMul.linearOnLeadingColumns(narrow, w, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("width >= inFeatures = 24");
        org.assertj.core.api.Assertions.assertThatThrownBy(() ->
                        MatMul.linearOnLeadingColumns(Tensor.randn(73, 3, 72), panels, Tensor.randn(74, 39)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bias");
    }

    /**
     * Rows on kept panels run in as few chunks of at most 264 rows as cover them, of whole 12-row slivers and equal
     * but for the last: no chunk of a few rows that re-reads the whole weight for little work.
     */
    @Test
    void panelChunksAreFewAndEqual() {
        assertThat(MatMul.panelChunk(128)).as("128 rows in one chunk").isGreaterThanOrEqualTo(128);
        assertThat(MatMul.panelChunk(988)).isEqualTo(252);   // 4 x 252 - 20, where 240-row chunks left 28 rows
        assertThat(MatMul.panelChunk(2048)).isEqualTo(264);  // 8 chunks, as 8 x 256 would be
        for (int rows = 1; rows <= 3000; rows++) {
            int chunk = MatMul.panelChunk(rows);
            int chunks = (rows + chunk - 1) / chunk;
            assertThat(chunk % 12).as("whole slivers, %d rows", rows).isZero();
            assertThat(chunks).as("fewest chunks of <= 264 rows, %d rows", rows).isEqualTo((rows + 263) / 264);
            assertThat(rows - (chunks - 1) * chunk).as("the last chunk, %d rows", rows)
                    .isGreaterThanOrEqualTo(chunk - 12 * chunks);
        }
    }

    /** linearInto on panels checks its buffers as linearTransposedInto does, naming what it expected. */
    @Test
    void linearIntoOnPanelsRejectsBuffersTooShort() {
        PanelWeight panels = new PanelWeight(Tensor.randn(51, 40, 24));  // (outFeatures, inFeatures)
        float[] x = new float[30 * 24];
        org.assertj.core.api.Assertions.assertThatThrownBy(() ->
                        MatMul.linearInto(new float[30 * 40 - 1], 0, x, 0, panels, null, 0, 30))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("y holding (30, 40)");
        org.assertj.core.api.Assertions.assertThatThrownBy(() ->
                        MatMul.linearInto(new float[30 * 40], 0, x, 1, panels, null, 0, 30))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("x (30, 24) from 1");
        org.assertj.core.api.Assertions.assertThatThrownBy(() ->
                        MatMul.linearInto(new float[30 * 40], 0, x, 0, panels, new float[39], 0, 30))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bias (if any) 40");
    }

    /** The kept panels follow the weight: a change marked on it (as loading and optimizers do) is seen at once. */
    @Test
    void panelsAreMadeAgainWhenTheWeightChanges() {
        Tensor x = Tensor.randn(41, 16, 64);
        Tensor w = Tensor.randn(42, 48, 64);
        PanelWeight panels = new PanelWeight(w);
        Tensor before = MatMul.linear(x, panels, null, MatMul.Epilogue.NONE);
        assertThat(before.bitEquals(MatMul.linear(x, w, null))).isTrue();
        w.set(w.get(5, 7) + 1f, 5, 7);                      // through the library: marks the change
        Tensor after = MatMul.linear(x, panels, null, MatMul.Epilogue.NONE);
        assertThat(after.bitEquals(before)).as("the output moved with the weight").isFalse();
        assertThat(after.bitEquals(MatMul.linear(x, w, null))).isTrue();
        float[] data = w.data();
        data[3] = -data[3];                                 // written directly, then marked, as documented
        w.markModified();
        assertThat(MatMul.linear(x, panels, null, MatMul.Epilogue.NONE).bitEquals(MatMul.linear(x, w, null))).isTrue();
    }

    /** The kept-transpose path (decoding) applies the epilogue the same way. */
    @Test
    void linearTransposedIntoWithAnEpilogueIsTheLinearMapThenTheActivation() {
        for (int rows : new int[] {1, 3, 16, 32, 33}) {
            Tensor x = Tensor.randn(21, rows, 96);               // (rows, inFeatures)
            Tensor w = Tensor.randn(22, 200, 96);                // (outFeatures, inFeatures)
            Tensor b = Tensor.randn(23, 200);                    // (outFeatures)
            Tensor expected = Activations.gelu(MatMul.linear(x, w, b));
            float[] y = new float[rows * 200];
            MatMul.linearTransposedInto(y, 0, x.data(), 0, new TransposedWeight(w), b.data(), 0, rows,
                    MatMul.Epilogue.GELU);
            assertThat(y).as("%d rows", rows).isEqualTo(expected.data());
        }
    }

    @Test
    void matmulGivesTheSameBitsAtAnyThreadCount() {
        for (int[] s : SHAPES) {
            Tensor a = Tensor.randn(4, s[0], s[1]);          // (m, k)
            Tensor b = Tensor.randn(5, s[1], s[2]);          // (k, n)
            assertSameBitsAtAnyThreadCount("matmul " + java.util.Arrays.toString(s), () -> MatMul.matmul(a, b));
        }
    }

    @Test
    void transposedTimesGivesTheSameBitsAtAnyThreadCount() {
        for (int[] s : SHAPES) {
            Tensor a = Tensor.randn(6, s[1], s[0]);          // (k, m)
            Tensor b = Tensor.randn(7, s[1], s[2]);          // (k, n)
            assertSameBitsAtAnyThreadCount("transposedTimes " + java.util.Arrays.toString(s),
                    () -> MatMul.transposedTimes(a, b));
        }
    }

    @Test
    void linearMatchesAPlainDoubleSum() {
        Tensor x = Tensor.randn(1, 37, 300);
        Tensor w = Tensor.randn(2, 411, 300);
        Tensor b = Tensor.randn(3, 411);
        Tensor y = MatMul.linear(x, w, b);
        for (int i = 0; i < 37; i++) {
            for (int j = 0; j < 411; j++) {
                double s = b.data()[j];
                for (int p = 0; p < 300; p++) {
                    s += (double) x.data()[i * 300 + p] * w.data()[j * 300 + p];
                }
                assertThat((double) y.data()[i * 411 + j]).as("y[%d, %d]", i, j).isCloseTo(s,
                        org.assertj.core.data.Offset.offset(1e-4 + 1e-5 * Math.abs(s)));
            }
        }
    }

    private static void assertSameBitsAtAnyThreadCount(String what, Supplier<Tensor> product) {
        int saved = Parallel.threads();
        try {
            List<Tensor> results = new ArrayList<>();
            for (int threads : new int[] {1, 2, 3}) {
                Parallel.setThreads(threads);
                results.add(product.get());
            }
            assertThat(results.get(1).bitEquals(results.get(0))).as("%s at 2 threads vs 1", what).isTrue();
            assertThat(results.get(2).bitEquals(results.get(0))).as("%s at 3 threads vs 1", what).isTrue();
        } finally {
            Parallel.setThreads(saved);
        }
    }
}
