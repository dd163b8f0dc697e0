package dev.attention4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The reference kernels against plain double-precision formulas written independently here (the erf behind GELU is
 * computed by numerical integration, itself checked against tabulated values).
 */
class ScalarKernelsTest {

    private static final ScalarKernels K = ScalarKernels.INSTANCE;

    private static float[] random(Random rnd, int n, float scale) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (rnd.nextFloat() * 2f - 1f) * scale;
        }
        return x;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Matmuls, with offsets and leading dims wider than the rows

    @Test
    void matmulsMatchNaiveDoubleSums() {
        Random rnd = new Random(21);
        int[][] shapes = {{1, 1, 1}, {3, 5, 7}, {8, 3, 67}, {17, 19, 2}, {4, 131, 33}, {2, 2, 0}};
        for (int[] s : shapes) {
            int m = s[0];
            int n = s[1];
            int k = s[2];
            String what = "m=" + m + " n=" + n + " k=" + k;
            int aOff = 3;
            int bOff = 5;
            int cOff = 2;
            int ldc = n + 4;
            // matmul: a (m, k) ld k+2; b (k, n) ld n+1
            int lda = k + 2;
            int ldb = n + 1;
            float[] a = random(rnd, aOff + m * lda, 1f);
            float[] b = random(rnd, bOff + k * ldb, 1f);
            float[] c = new float[cOff + m * ldc];
            K.matmul(c, cOff, ldc, a, aOff, lda, b, bOff, ldb, m, n, k);
            double[] want = new double[m * n];
            float[] got = new float[m * n];
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double sum = 0;
                    for (int p = 0; p < k; p++) {
                        sum += (double) a[aOff + i * lda + p] * b[bOff + p * ldb + j];
                    }
                    want[i * n + j] = sum;
                    got[i * n + j] = c[cOff + i * ldc + j];
                }
            }
            Tolerances.REFERENCE_MATMUL.assertClose("matmul " + what, want, got);

            // matmulTransA: a (k, m) ld m+3
            lda = m + 3;
            a = random(rnd, aOff + k * lda, 1f);
            K.matmulTransA(c, cOff, ldc, a, aOff, lda, b, bOff, ldb, m, n, k);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double sum = 0;
                    for (int p = 0; p < k; p++) {
                        sum += (double) a[aOff + p * lda + i] * b[bOff + p * ldb + j];
                    }
                    want[i * n + j] = sum;
                    got[i * n + j] = c[cOff + i * ldc + j];
                }
            }
            Tolerances.REFERENCE_MATMUL.assertClose("matmulTransA " + what, want, got);

            // matmulTransB: a (m, k) ld k+2; b (n, k) ld k+1
            lda = k + 2;
            ldb = k + 1;
            a = random(rnd, aOff + m * lda, 1f);
            b = random(rnd, bOff + n * ldb, 1f);
            K.matmulTransB(c, cOff, ldc, a, aOff, lda, b, bOff, ldb, m, n, k);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double sum = 0;
                    for (int p = 0; p < k; p++) {
                        sum += (double) a[aOff + i * lda + p] * b[bOff + j * ldb + p];
                    }
                    want[i * n + j] = sum;
                    got[i * n + j] = c[cOff + i * ldc + j];
                }
            }
            Tolerances.REFERENCE_MATMUL.assertClose("matmulTransB " + what, want, got);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Vector ops

    @Test
    void vectorOpsMatchDoubleFormulas() {
        Random rnd = new Random(22);
        for (int n : new int[] {0, 1, 7, 100, 1031}) {
            float[] a = random(rnd, n + 2, 1f);
            float[] b = random(rnd, n + 3, 1f);
            double dot = 0;
            for (int i = 0; i < n; i++) {
                dot += (double) a[2 + i] * b[3 + i];
            }
            Tolerances.REFERENCE_DOT.assertClose("dot n=" + n, dot, K.dot(a, 2, b, 3, n));

            float[] y = random(rnd, n + 1, 1f);
            double[] want = new double[n];
            for (int i = 0; i < n; i++) {
                want[i] = y[1 + i] + (double) 0.37f * a[2 + i];
            }
            K.axpy(y, 1, 0.37f, a, 2, n);
            Tolerances.REFERENCE_AXPY.assertClose("axpy n=" + n, want, java.util.Arrays.copyOfRange(y, 1, 1 + n));

            float[] out = new float[n + 4];
            for (int i = 0; i < n; i++) {
                want[i] = (double) a[2 + i] + b[3 + i];
            }
            K.add(out, 4, a, 2, b, 3, n);
            Tolerances.REFERENCE_ROUNDED.assertClose("add n=" + n, want, java.util.Arrays.copyOfRange(out, 4, 4 + n));

            for (int i = 0; i < n; i++) {
                want[i] = (double) -1.7f * a[2 + i];
            }
            K.scale(out, 4, a, 2, -1.7f, n);
            Tolerances.REFERENCE_ROUNDED.assertClose("scale n=" + n, want,
                    java.util.Arrays.copyOfRange(out, 4, 4 + n));

            for (int i = 0; i < n; i++) {
                want[i] = Math.max(0.0, a[2 + i]);
            }
            K.relu(out, 4, a, 2, n);
            Tolerances.REFERENCE_ROUNDED.assertClose("relu n=" + n, want, java.util.Arrays.copyOfRange(out, 4, 4 + n));
        }
    }

    @Test
    void addBiasRowsAddsTheBiasToEveryRow() {
        Random rnd = new Random(23);
        int rows = 3;
        int cols = 5;
        float[] x = random(rnd, 2 + rows * cols, 1f);
        float[] bias = random(rnd, 1 + cols, 1f);
        float[] before = x.clone();
        K.addBiasRows(x, 2, bias, 1, rows, cols);
        double[] want = new double[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                want[r * cols + c] = (double) before[2 + r * cols + c] + bias[1 + c];
            }
        }
        Tolerances.REFERENCE_ROUNDED.assertClose("addBiasRows", want, java.util.Arrays.copyOfRange(x, 2, x.length));
        assertEquals(before[0], x[0]);
        assertEquals(before[1], x[1]);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Softmax

    /**
     * Dropout at rate p over 200,000 elements: the kept fraction within 4.5 standard deviations of {@code 1 - p}, kept
     * elements exactly {@code x * scale}, the rest 0, and the kept set exactly {@link DropoutHash#kept}'s.
     */
    @Test
    void dropoutKeepsAboutOneMinusPAndScalesWhatItKeeps() {
        int n = 200_000;
        Random rnd = new Random(31);
        for (float p : new float[] {0.1f, 0.5f, 0.9f}) {
            float[] x = random(rnd, n, 2f);
            float[] y = x.clone();
            float scale = 1f / (1f - p);
            long key = DropoutHash.mix(77L);
            long threshold = DropoutHash.threshold(p);
            K.dropout(y, 0, n, 1000L, key, threshold, scale);
            int kept = 0;
            for (int i = 0; i < n; i++) {
                boolean keep = DropoutHash.kept(key, 1000L + i, threshold);
                assertEquals(keep ? x[i] * scale : 0f, y[i], "p=" + p + " element " + i);
                kept += keep ? 1 : 0;
            }
            double sd = Math.sqrt(n * p * (1.0 - p));
            assertTrue(Math.abs(kept - n * (1.0 - p)) <= 4.5 * sd, "p=" + p + ": kept " + kept + " of " + n);
        }
    }

    @Test
    void softmaxMatchesExpOverSumAndSumsToOne() {
        Random rnd = new Random(24);
        for (int n : new int[] {1, 2, 9, 100, 1031}) {
            for (float scale : new float[] {1f, 30f}) {
                float[] x = random(rnd, n + 3, scale);
                double max = Double.NEGATIVE_INFINITY;
                for (int i = 0; i < n; i++) {
                    max = Math.max(max, x[3 + i]);
                }
                double[] want = new double[n];
                double sum = 0;
                for (int i = 0; i < n; i++) {
                    want[i] = Math.exp(x[3 + i] - max);
                    sum += want[i];
                }
                for (int i = 0; i < n; i++) {
                    want[i] /= sum;
                }
                float lse = K.softmax(x, 3, n);
                float[] got = java.util.Arrays.copyOfRange(x, 3, 3 + n);
                String what = "n=" + n + " scale " + scale;
                Tolerances.REFERENCE_SOFTMAX.assertClose(what, want, got);
                Tolerances.REFERENCE_LOG_SUM_EXP.assertClose(what + ": the returned log-sum-exp", max + Math.log(sum),
                        lse);
                double total = 0;
                for (float v : got) {
                    total += v;
                    assertTrue(v >= 0f && v <= 1f, what + ": weight " + v);
                }
                Tolerances.REFERENCE_SOFTMAX.assertClose(what + ": sum of weights", 1.0, (float) total);
            }
        }
    }

    @Test
    void softmaxGivesMaskedEntriesZeroAndAFullyMaskedRowZeros() {
        float inf = Float.NEGATIVE_INFINITY;
        float[] partly = {9f, 1f, inf, 2f, inf};
        K.softmax(partly, 1, 4);
        assertEquals(9f, partly[0], "before the row: untouched");
        assertEquals(0f, partly[2], "a -inf entry gets weight 0");
        assertEquals(0f, partly[4], "a -inf entry gets weight 0");
        double e = Math.exp(1.0 - 2.0);
        Tolerances.REFERENCE_SOFTMAX.assertClose("partly masked", new double[] {e / (1 + e), 1 / (1 + e)},
                new float[] {partly[1], partly[3]});

        float[] full = {5f, inf, inf, inf, 7f};
        K.softmax(full, 1, 3);
        assertEquals(0f, full[1]);
        assertEquals(0f, full[2]);
        assertEquals(0f, full[3]);
        assertEquals(5f, full[0], "outside the row: untouched");
        assertEquals(7f, full[4], "outside the row: untouched");

        float[] huge = {1000f, 1000f, -1000f};
        K.softmax(huge, 0, 3);
        Tolerances.REFERENCE_SOFTMAX.assertClose("no overflow", new double[] {0.5, 0.5, 0}, huge);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // LayerNorm

    @Test
    void layerNormWithUnitGammaAndZeroBetaHasMeanZeroAndVarianceOne() {
        Random rnd = new Random(25);
        int rows = 4;
        int cols = 257;
        float[] x = random(rnd, 1 + rows * cols, 3f);
        for (int i = 1; i < x.length; i++) {
            x[i] += 5f;
        }
        float[] gamma = new float[cols];
        java.util.Arrays.fill(gamma, 1f);
        float[] beta = new float[cols];
        float[] out = new float[2 + rows * cols];
        K.layerNorm(out, 2, x, 1, gamma, beta, rows, cols, 0f);
        for (int r = 0; r < rows; r++) {
            double mean = 0;
            for (int c = 0; c < cols; c++) {
                mean += out[2 + r * cols + c];
            }
            mean /= cols;
            double var = 0;
            for (int c = 0; c < cols; c++) {
                double d = out[2 + r * cols + c] - mean;
                var += d * d;
            }
            var /= cols;
            Tolerances.REFERENCE_LAYER_NORM.assertClose("row " + r + " mean", 0.0, (float) mean);
            Tolerances.REFERENCE_LAYER_NORM.assertClose("row " + r + " variance", 1.0, (float) var);
        }
    }

    @Test
    void layerNormMatchesTheFormulaInDouble() {
        Random rnd = new Random(26);
        for (int cols : new int[] {1, 2, 31, 1031}) {
            int rows = 3;
            float eps = 1e-5f;
            float[] x = random(rnd, 3 + rows * cols, 2f);
            float[] gamma = random(rnd, cols, 1f);
            float[] beta = random(rnd, cols, 1f);
            float[] out = new float[rows * cols];
            K.layerNorm(out, 0, x, 3, gamma, beta, rows, cols, eps);
            double[] want = new double[rows * cols];
            for (int r = 0; r < rows; r++) {
                double mean = 0;
                for (int c = 0; c < cols; c++) {
                    mean += x[3 + r * cols + c];
                }
                mean /= cols;
                double var = 0;
                for (int c = 0; c < cols; c++) {
                    double d = x[3 + r * cols + c] - mean;
                    var += d * d;
                }
                var /= cols;
                for (int c = 0; c < cols; c++) {
                    want[r * cols + c] = (x[3 + r * cols + c] - mean) / Math.sqrt(var + eps) * gamma[c] + beta[c];
                }
            }
            Tolerances.REFERENCE_LAYER_NORM.assertClose("cols=" + cols, want, out);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // GELU and erf

    /** erf(x) = 2/sqrt(pi) * integral_0^x exp(-t^2) dt, by composite Simpson in double (error far below 1e-12). */
    static double erfByIntegration(double x) {
        int intervals = 4096;
        double h = x / intervals;
        double sum = 1 + Math.exp(-x * x);
        for (int i = 1; i < intervals; i++) {
            double t = i * h;
            sum += (i % 2 == 1 ? 4 : 2) * Math.exp(-t * t);
        }
        return 2 / Math.sqrt(Math.PI) * sum * h / 3;
    }

    @Test
    void theIntegratedErfMatchesTabulatedValues() {
        // Abramowitz and Stegun, table 7.1 (and erf(3) to 16 digits)
        double[][] table = {{0.1, 0.1124629160182849}, {0.5, 0.5204998778130465}, {1.0, 0.8427007929497149},
            {1.5, 0.9661051464753108}, {2.0, 0.9953222650189527}, {3.0, 0.9999779095030014}};
        for (double[] row : table) {
            assertEquals(row[1], erfByIntegration(row[0]), 1e-13, "erf(" + row[0] + ")");
            assertEquals(-row[1], erfByIntegration(-row[0]), 1e-13, "erf(" + -row[0] + ")");
        }
        assertEquals(0.0, erfByIntegration(0.0));
    }

    @Test
    void erfIsWithinAbramowitzAndStegunsBound() {
        int n = 2001;
        double[] want = new double[n];
        float[] got = new float[n];
        for (int i = 0; i < n; i++) {
            float x = -5f + 10f * i / (n - 1);
            want[i] = erfByIntegration(x);
            got[i] = Erf.erf(x);
        }
        Tolerances.REFERENCE_ERF.assertClose("erf on [-5, 5]", want, got);
        assertEquals(1f, Erf.erf(Float.POSITIVE_INFINITY));
        assertEquals(-1f, Erf.erf(Float.NEGATIVE_INFINITY));
    }

    /**
     * {@link Erf#erf} caps the argument of its tail term at {@link Erf#TAIL} (no subnormal floats); the bits must be
     * those of the uncapped formula, recomputed here, over every 1009th float in [-40, 40] and the extremes.
     */
    @Test
    void erfWithTheCappedTailGivesTheBitsOfTheUncappedFormula() {
        List<Float> xs = new ArrayList<>(List.of(Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_VALUE,
                -Float.MIN_VALUE, 0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY));
        for (int bits = Float.floatToRawIntBits(40f); bits > 0; bits -= 1009) {
            xs.add(Float.intBitsToFloat(bits));
            xs.add(-Float.intBitsToFloat(bits));
        }
        for (float x : xs) {
            float ax = Math.abs(x);
            float t = 1f / (1f + Erf.P * ax);
            float poly = ((((Erf.A5 * t + Erf.A4) * t + Erf.A3) * t + Erf.A2) * t + Erf.A1) * t;
            float want = Math.copySign(1f - poly * (float) Math.exp(-ax * ax), x);
            assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(Erf.erf(x)), "erf(" + x + ")");
        }
    }

    @Test
    void geluMatchesTheExactFormulaWithAnIntegratedErf() {
        int n = 1201;
        float[] x = new float[n + 2];
        double[] want = new double[n];
        for (int i = 0; i < n; i++) {
            float v = -6f + 12f * i / (n - 1);
            x[2 + i] = v;
            want[i] = v / 2.0 * (1 + erfByIntegration(v / Math.sqrt(2)));
        }
        float[] out = new float[n];
        K.gelu(out, 0, x, 2, n);
        Tolerances.REFERENCE_GELU.assertClose("gelu on [-6, 6]", want, out);
        // PyTorch: gelu(1) = 0.8413447, gelu(-1) = -0.1586553
        float[] ones = {1f, -1f};
        K.gelu(ones, 0, ones, 0, 2);
        Tolerances.REFERENCE_GELU.assertClose("gelu(+-1)", new double[] {0.8413447460685429, -0.15865525393145707},
                ones);
    }
}
