package dev.attention4j.autograd;

import dev.attention4j.kernels.Parallel;
import dev.attention4j.tensor.Normalization;
import dev.attention4j.tensor.Tensor;

/**
 * Layer normalisation over the last dim, as {@code nn.LayerNorm}: {@code y = xhat * gamma + beta} with
 * {@code xhat = (x - mean) * rstd}, {@code rstd = 1 / sqrt(var + eps)} (biased variance) per row. Forward keeps each
 * row's {@code mean} and {@code rstd}; the fused backward, with {@code g = dy * gamma}:
 * <pre>
 *   dx     = rstd * (g - mean(g) - xhat * mean(g * xhat))     (means over the row)
 *   dgamma = sum over rows of dy * xhat
 *   dbeta  = sum over rows of dy
 * </pre>
 * {@code dx} is split over rows, {@code dgamma} and {@code dbeta} over columns, each column summing its rows in order:
 * the same bits at any thread count.
 */
public final class LayerNormOp {

    /** Target elements per parallel chunk. */
    private static final int WORK_PER_CHUNK = 16384;
    /** The narrowest column chunk of the parameter gradients: whole cache lines of each row. */
    private static final int MIN_COLUMNS_PER_CHUNK = 64;

    private LayerNormOp() {
    }

    /**
     * @param tape  where to record the backward pass, or null at inference
     * @param x     {@code (..., d)}
     * @param gamma {@code (d)}
     * @param beta  {@code (d)}
     * @param eps   added to the variance
     * @return {@code (..., d)}
     */
    public static Tensor apply(Tape tape, Tensor x, Tensor gamma, Tensor beta, float eps) {
        Tensor y = Normalization.layerNorm(x, gamma, beta, eps); // validates the shapes
        if (tape != null) {
            int d = gamma.size();
            int rows = d == 0 ? 0 : x.size() / d;
            float[] mean = new float[rows];                       // (rows)
            float[] rstd = new float[rows];                       // (rows)
            rowStatistics(mean, rstd, x.data(), rows, d, eps);
            tape.record(grads -> backward(grads, y, x, gamma, beta, mean, rstd));
        }
        return y;
    }

    /** Each row's mean and {@code 1 / sqrt(var + eps)}, computed as the scalar layer-norm kernel does. */
    private static void rowStatistics(float[] mean, float[] rstd, float[] x, int rows, int d, float eps) {
        Parallel.forRange(rows, rowGrain(d), (start, end) -> {
            for (int r = start; r < end; r++) {
                int off = r * d;
                float m = 0f;
                for (int c = 0; c < d; c++) {
                    m += x[off + c];
                }
                m /= d;
                float var = 0f;
                for (int c = 0; c < d; c++) {
                    float dev = x[off + c] - m;
                    var += dev * dev;
                }
                var /= d;
                mean[r] = m;
                rstd[r] = (float) (1.0 / Math.sqrt(var + eps));
            }
        });
    }

    private static void backward(Gradients grads, Tensor y, Tensor x, Tensor gamma, Tensor beta, float[] mean,
                                 float[] rstd) {
        Tensor dyT = grads.get(y);
        if (dyT == null) {
            return;
        }
        int d = gamma.size();
        int rows = mean.length;
        float[] dy = dyT.data();                                  // (rows, d)
        float[] xs = x.data();                                    // (rows, d)
        float[] g = gamma.data();                                 // (d)
        Tensor dxT = Tensor.zeros(x.shape());
        float[] dx = dxT.data();                                  // (rows, d)
        Parallel.forRange(rows, rowGrain(d), (start, end) -> {
            for (int r = start; r < end; r++) {
                int off = r * d;
                float m = mean[r];
                float s = rstd[r];
                float sumG = 0f;
                float sumGXhat = 0f;
                for (int c = 0; c < d; c++) {
                    float gc = dy[off + c] * g[c];
                    sumG += gc;
                    sumGXhat += gc * ((xs[off + c] - m) * s);
                }
                float meanG = sumG / d;
                float meanGXhat = sumGXhat / d;
                for (int c = 0; c < d; c++) {
                    float xhat = (xs[off + c] - m) * s;
                    dx[off + c] = s * (dy[off + c] * g[c] - meanG - xhat * meanGXhat);
                }
            }
        });
        Tensor dGammaT = Tensor.zeros(gamma.shape());
        Tensor dBetaT = Tensor.zeros(beta.shape());
        float[] dGamma = dGammaT.data();                          // (d)
        float[] dBeta = dBetaT.data();                            // (d)
        int columnGrain = Math.max(MIN_COLUMNS_PER_CHUNK, WORK_PER_CHUNK / Math.max(1, rows));
        Parallel.forRange(d, columnGrain, (start, end) -> {
            for (int r = 0; r < rows; r++) {
                int off = r * d;
                float m = mean[r];
                float s = rstd[r];
                for (int c = start; c < end; c++) {
                    float dyc = dy[off + c];
                    dGamma[c] += dyc * ((xs[off + c] - m) * s);
                    dBeta[c] += dyc;
                }
            }
        });
        grads.add(x, dxT);
        grads.add(gamma, dGammaT);
        grads.add(beta, dBetaT);
    }

    private static int rowGrain(int d) {
        return Math.max(1, WORK_PER_CHUNK / Math.max(1, d));
    }
}
