package dev.attention4j.kernels;

/**
 * The reference kernels: plain loops, written to be obviously right. {@code VectorKernels} is tested against these.
 */
public final class ScalarKernels implements Kernels {

    public static final ScalarKernels INSTANCE = new ScalarKernels();

    private ScalarKernels() {
    }

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public String species() {
        return "none";
    }

    @Override
    public void matmul(float[] c, int cOff, int ldc, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                       int m, int n, int k) {
        for (int i = 0; i < m; i++) {
            int ci = cOff + i * ldc;
            for (int j = 0; j < n; j++) {
                c[ci + j] = 0f;
            }
            for (int p = 0; p < k; p++) {
                float aip = a[aOff + i * lda + p];
                int bp = bOff + p * ldb;
                for (int j = 0; j < n; j++) {
                    c[ci + j] += aip * b[bp + j];
                }
            }
        }
    }

    @Override
    public void matmulTransB(float[] c, int cOff, int ldc, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             int m, int n, int k) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                c[cOff + i * ldc + j] = dot(a, aOff + i * lda, b, bOff + j * ldb, k);
            }
        }
    }

    /** As {@link #matmulTransB}, element by element: the same sum in the same order, so the same bits. */
    @Override
    public void matmulTransBPanels(float[] c, int cOff, int ldc, float[] a, int aOff, int lda, float[] packed,
                                   int pOff, int m, int n, int k) {
        int rows = RowPanels.ROWS;
        for (int i = 0; i < m; i++) {
            int ai = aOff + i * lda;
            for (int j = 0; j < n; j++) {
                int w0 = pOff + (j / rows) * rows * k + j % rows; // W[j0 + j, p] = packed[w0 + p * rows]
                float sum = 0f;
                for (int p = 0; p < k; p++) {
                    sum += a[ai + p] * packed[w0 + p * rows];
                }
                c[cOff + i * ldc + j] = sum;
            }
        }
    }

    @Override
    public void matmulTransA(float[] c, int cOff, int ldc, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             int m, int n, int k) {
        for (int i = 0; i < m; i++) {
            int ci = cOff + i * ldc;
            for (int j = 0; j < n; j++) {
                c[ci + j] = 0f;
            }
            for (int p = 0; p < k; p++) {
                float api = a[aOff + p * lda + i];
                int bp = bOff + p * ldb;
                for (int j = 0; j < n; j++) {
                    c[ci + j] += api * b[bp + j];
                }
            }
        }
    }

    @Override
    public float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        float sum = 0f;
        for (int i = 0; i < n; i++) {
            sum += a[aOff + i] * b[bOff + i];
        }
        return sum;
    }

    @Override
    public void axpy(float[] y, int yOff, float alpha, float[] x, int xOff, int n) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] += alpha * x[xOff + i];
        }
    }

    @Override
    public void add(float[] out, int outOff, float[] a, int aOff, float[] b, int bOff, int n) {
        for (int i = 0; i < n; i++) {
            out[outOff + i] = a[aOff + i] + b[bOff + i];
        }
    }

    @Override
    public void scale(float[] out, int outOff, float[] x, int xOff, float alpha, int n) {
        for (int i = 0; i < n; i++) {
            out[outOff + i] = alpha * x[xOff + i];
        }
    }

    @Override
    public void addBiasRows(float[] x, int xOff, float[] bias, int biasOff, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            int row = xOff + r * cols;
            for (int c = 0; c < cols; c++) {
                x[row + c] += bias[biasOff + c];
            }
        }
    }

    @Override
    public void dropout(float[] x, int off, int n, long firstIndex, long key, long threshold, float scale) {
        for (int i = 0; i < n; i++) {
            x[off + i] = DropoutHash.kept(key, firstIndex + i, threshold) ? x[off + i] * scale : 0f;
        }
    }

    @Override
    public float softmax(float[] x, int off, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, x[off + i]);
        }
        if (max == Float.NEGATIVE_INFINITY) {
            for (int i = 0; i < n; i++) {
                x[off + i] = 0f;
            }
            return Float.NEGATIVE_INFINITY;
        }
        float sum = 0f;
        for (int i = 0; i < n; i++) {
            float e = (float) Math.exp(x[off + i] - max);
            x[off + i] = e;
            sum += e;
        }
        float inv = 1f / sum;
        for (int i = 0; i < n; i++) {
            x[off + i] *= inv;
        }
        return max + (float) Math.log(sum);
    }

    @Override
    public void layerNorm(float[] out, int outOff, float[] x, int xOff, float[] gamma, float[] beta,
                          int rows, int cols, float eps) {
        for (int r = 0; r < rows; r++) {
            int in = xOff + r * cols;
            int o = outOff + r * cols;
            float mean = 0f;
            for (int c = 0; c < cols; c++) {
                mean += x[in + c];
            }
            mean /= cols;
            float var = 0f;
            for (int c = 0; c < cols; c++) {
                float d = x[in + c] - mean;
                var += d * d;
            }
            var /= cols;
            float inv = (float) (1.0 / Math.sqrt(var + eps));
            for (int c = 0; c < cols; c++) {
                out[o + c] = (x[in + c] - mean) * inv * gamma[c] + beta[c];
            }
        }
    }

    @Override
    public void relu(float[] out, int outOff, float[] x, int xOff, int n) {
        for (int i = 0; i < n; i++) {
            out[outOff + i] = Math.max(0f, x[xOff + i]);
        }
    }

    @Override
    public void gelu(float[] out, int outOff, float[] x, int xOff, int n) {
        for (int i = 0; i < n; i++) {
            float v = x[xOff + i];
            out[outOff + i] = 0.5f * v * (1f + Erf.erf(v * Erf.INV_SQRT2));
        }
    }

    @Override
    public void tileMatmul(float[] c, int cOff, int ldc, float[] a, int aOff, int ars, int aps, float[] b, int bOff,
                           int ldb, int m, int n, int k) {
        for (int i = 0; i < m; i++) {
            int ci = cOff + i * ldc;
            for (int j = 0; j < n; j++) {
                c[ci + j] = 0f;
            }
        }
        tileMatmulAdd(c, cOff, ldc, a, aOff, ars, aps, b, bOff, ldb, m, n, k);
    }

    @Override
    public void tileMatmulAdd(float[] c, int cOff, int ldc, float[] a, int aOff, int ars, int aps, float[] b,
                              int bOff, int ldb, int m, int n, int k) {
        for (int i = 0; i < m; i++) {
            int ci = cOff + i * ldc;
            for (int p = 0; p < k; p++) {
                float aip = a[aOff + i * ars + p * aps];
                int bp = bOff + p * ldb;
                for (int j = 0; j < n; j++) {
                    c[ci + j] += aip * b[bp + j];
                }
            }
        }
    }

    @Override
    public void transposeScaled(float[] out, int outOff, int ldo, float[] src, int srcOff, int srcRowStride, int rows,
                                int paddedRows, int cols, float scale) {
        for (int c = 0; c < cols; c++) {
            int o = outOff + c * ldo;
            for (int r = 0; r < rows; r++) {
                out[o + r] = scale * src[srcOff + r * srcRowStride + c];
            }
            java.util.Arrays.fill(out, o + rows, o + Math.max(rows, paddedRows), 0f);
        }
    }

    @Override
    public void maskColumnsOutside(float[] x, int xOff, int ldx, int[] from, int[] to, int firstKey, int rows,
                                   int cols) {
        for (int r = 0; r < rows; r++) {
            int key = firstKey + r;
            int row = xOff + r * ldx;
            for (int j = 0; j < cols; j++) {
                if (key < from[j] || key >= to[j]) {
                    x[row + j] = Float.NEGATIVE_INFINITY;
                }
            }
        }
    }

    @Override
    public void maxColumns(float[] max, float[] x, int xOff, int ldx, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            int row = xOff + r * ldx;
            for (int j = 0; j < cols; j++) {
                float v = x[row + j];
                max[j] = max[j] < v ? v : max[j];
            }
        }
    }

    @Override
    public void expColumnsSum(float[] x, int xOff, int ldx, float[] shift, float[] sum, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            int row = xOff + r * ldx;
            for (int j = 0; j < cols; j++) {
                float e = (float) Math.exp(x[row + j] - shift[j]);
                x[row + j] = e;
                sum[j] += e;
            }
        }
    }

    @Override
    public void expColumns(float[] x, int xOff, int ldx, float[] shift, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            int row = xOff + r * ldx;
            for (int j = 0; j < cols; j++) {
                x[row + j] = (float) Math.exp(x[row + j] - shift[j]);
            }
        }
    }

    @Override
    public void softmaxBackwardColumns(float[] dp, int dpOff, float[] p, int pOff, int ld, float[] rowDot, int rows,
                                       int cols) {
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                int d = dpOff + r * ld + j;
                dp[d] = p[pOff + r * ld + j] * (dp[d] - rowDot[j]);
            }
        }
    }
}
