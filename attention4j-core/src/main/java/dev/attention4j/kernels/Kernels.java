package dev.attention4j.kernels;

/**
 * The hot loops every model in attention4j runs on: plain {@code float[]} + offsets + explicit dims, no allocation,
 * no exceptions (callers validate shapes). Two implementations: {@link ScalarKernels}, the reference, and
 * {@code VectorKernels}, its SIMD twin on the Vector API, chosen at run time by {@link KernelChoice}.
 *
 * <p>Matrices are row-major with a leading dimension ({@code lda} = distance between rows), so a head's slice of a
 * {@code (seqLen, numHeads * headDim)} buffer is addressed without copying: offset {@code h * headDim}, leading
 * dimension {@code numHeads * headDim}. Outputs are overwritten unless the name says it accumulates.
 *
 * <p>Every method computes each output element by the same sequence of operations whatever the caller's thread
 * count; callers may split rows (and, for the three matrix products, columns) across threads and still get identical
 * bits. SIMD twins keep that promise only with
 * exactly rounded lane operations: {@code reduceLanes(ADD)} and transcendental {@code lanewise} ops (EXP, ...) give
 * different bits in the interpreter and in C2 code, so they are not used; see {@code VectorKernels}.
 *
 * <p>Matrix outputs must not alias their inputs.
 */
public interface Kernels {

    /** The implementation chosen for this JVM. */
    static Kernels active() {
        return KernelChoice.active();
    }

    /** A short name for reports, e.g. {@code scalar} or {@code vector(S_512_BIT)}. */
    String name();

    /** The SIMD species in use, e.g. {@code S_512_BIT (16 float lanes)}, or {@code none} for scalar code. */
    String species();

    /** {@code c[m x n] = a[m x k] . b[k x n]}. */
    void matmul(float[] c, int cOff, int ldc, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                int m, int n, int k);

    /** {@code c[m x n] = a[m x k] . b[n x k]^T} (a {@code Linear} layer's {@code x W^T}; attention's {@code Q K^T}). */
    void matmulTransB(float[] c, int cOff, int ldc, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                      int m, int n, int k);

    /**
     * {@link #matmulTransB} with {@code b} packed in {@link RowPanels}: {@code c[m x n] = a[m x k] . W[j0 .. j0 + n)^T}
     * where {@code W (n', k)} is packed in {@code packed} and columns {@code [j0, j0 + n)} begin at
     * {@code pOff = RowPanels.offset(j0, k)}, {@code j0} a multiple of {@link RowPanels#ROWS}. The same bits as
     * {@code matmulTransB} on {@code W} itself, for any {@code m}: the register blocks of the packed GEMM run on
     * {@code W} where it lies, with none of the packing of {@code W} that {@code matmulTransB} does at every call.
     */
    void matmulTransBPanels(float[] c, int cOff, int ldc, float[] a, int aOff, int lda, float[] packed, int pOff,
                            int m, int n, int k);

    /** {@code c[m x n] = a[k x m]^T . b[k x n]}. */
    void matmulTransA(float[] c, int cOff, int ldc, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                      int m, int n, int k);

    /** {@code sum_i a[i] * b[i]} over {@code n} elements. */
    float dot(float[] a, int aOff, float[] b, int bOff, int n);

    /** {@code y[i] += alpha * x[i]}. */
    void axpy(float[] y, int yOff, float alpha, float[] x, int xOff, int n);

    /** {@code out[i] = a[i] + b[i]}; {@code out} may alias either input. */
    void add(float[] out, int outOff, float[] a, int aOff, float[] b, int bOff, int n);

    /** {@code out[i] = alpha * x[i]}; {@code out} may alias {@code x}. */
    void scale(float[] out, int outOff, float[] x, int xOff, float alpha, int n);

    /** {@code x[r * cols + c] += bias[c]} for each of {@code rows} contiguous rows. */
    void addBiasRows(float[] x, int xOff, float[] bias, int biasOff, int rows, int cols);

    /**
     * Softmax in place over {@code x[off .. off+n)}: {@code exp(x_i - max) / sum_j exp(x_j - max)}. Entries of
     * {@code -inf} get weight 0; a row that is entirely {@code -inf} (fully masked) becomes all zeros.
     *
     * @return the row's log-sum-exp before normalising, {@code max + log(sum_j exp(x_j - max))} with the sum as
     *         computed here (so {@code log x_i = x_i - lse} of the input); {@code -inf} for a fully masked row
     */
    float softmax(float[] x, int off, int n);

    /**
     * Inverted dropout in place over {@code x[off .. off+n)}: element {@code i} becomes {@code x[off + i] * scale} if
     * {@link DropoutHash#kept}{@code (key, firstIndex + i, threshold)}, else 0.
     */
    void dropout(float[] x, int off, int n, long firstIndex, long key, long threshold, float scale);

    /**
     * Layer normalisation of {@code rows} contiguous rows of {@code cols}:
     * {@code out = (x - mean) / sqrt(var + eps) * gamma + beta}, with the biased variance (as PyTorch).
     * {@code out} may alias {@code x}.
     */
    void layerNorm(float[] out, int outOff, float[] x, int xOff, float[] gamma, float[] beta,
                   int rows, int cols, float eps);

    /** {@code out[i] = max(0, x[i])}; {@code out} may alias {@code x}. */
    void relu(float[] out, int outOff, float[] x, int xOff, int n);

    /** {@code out[i] = x[i] / 2 * (1 + erf(x[i] / sqrt 2))} (PyTorch's exact GELU); {@code out} may alias {@code x}. */
    void gelu(float[] out, int outOff, float[] x, int xOff, int n);

    // Tiled attention: products of L1-sized tiles and the column-wise steps of an online softmax. Scores are held
    // transposed, keys down and queries across ({@code (keys, queries)}), so every per-query quantity (running max,
    // sum, log-sum-exp) is a vector across the columns and no step needs a sum across lanes.

    /**
     * {@code c[m x n] = A B} on tiles, without packing: {@code A[i, p] = a[aOff + i * ars + p * aps]} (any strides,
     * e.g. {@code ars = 1} for a transposed A), {@code B[p, j] = b[bOff + p * ldb + j]}. Each element is one in-order
     * chain over {@code p}.
     */
    void tileMatmul(float[] c, int cOff, int ldc, float[] a, int aOff, int ars, int aps, float[] b, int bOff, int ldb,
                    int m, int n, int k);

    /**
     * {@code c[m x n] += A B}, addressed as {@link #tileMatmul}; each element's chain continues from its value in
     * {@code c}, so accumulating the k-tiles of a product in order gives the bits of one call over the whole k.
     */
    void tileMatmulAdd(float[] c, int cOff, int ldc, float[] a, int aOff, int ars, int aps, float[] b, int bOff,
                       int ldb, int m, int n, int k);

    /**
     * A block transposed and scaled, its columns zero-padded: {@code out[outOff + c * ldo + r] = scale *
     * src[srcOff + r * srcRowStride + c]} for {@code r < rows}, and {@code 0} for {@code rows <= r < paddedRows}, for
     * {@code c < cols}. Tiled attention's query tile, {@code (scale Q)^T}.
     */
    void transposeScaled(float[] out, int outOff, int ldo, float[] src, int srcOff, int srcRowStride, int rows,
                         int paddedRows, int cols, float scale);

    /**
     * A band mask on a transposed score tile: {@code x[xOff + r * ldx + j] = -inf} wherever row {@code r}'s key,
     * {@code firstKey + r}, lies outside column {@code j}'s visible keys {@code [from[j], to[j])}, for {@code r < rows},
     * {@code j < cols}; every other entry keeps its bits.
     */
    void maskColumnsOutside(float[] x, int xOff, int ldx, int[] from, int[] to, int firstKey, int rows, int cols);

    /**
     * {@code max[j] = max[j] < x ? x : max[j]} for {@code x = x[xOff + r * ldx + j]}, rows in order, for
     * {@code j < cols}: the largest value, except that a NaN entry is passed over (a NaN {@code max[j]} stays) and of
     * equal entries the first stays ({@code -0} or {@code +0} as they come). The online softmax uses it only as a
     * shift: a NaN score still makes its row NaN through the exponentials, and a zero's sign changes no bit there.
     */
    void maxColumns(float[] max, float[] x, int xOff, int ldx, int rows, int cols);

    /**
     * {@code x[r, j] = exp(x[r, j] - shift[j])} in place, over {@code rows x cols} at {@code x[xOff]} (rows {@code ldx}
     * apart), and {@code sum[j] += x[r, j]} in row order. {@code -inf} entries become 0; a {@code shift[j]} of
     * {@code +inf} makes the whole column 0 (the caller's convention for a query that sees no key yet). Requires
     * {@code x[r, j] <= shift[j]} (a shift of at least the column's max, as the online softmax and the log-sum-exp
     * give), so that every exponent is {@code <= 0}: the SIMD twin skips the overflow clamp, and its value for a
     * larger entry is unspecified.
     */
    void expColumnsSum(float[] x, int xOff, int ldx, float[] shift, float[] sum, int rows, int cols);

    /**
     * {@link #expColumnsSum} without the sums: {@code x[r, j] = exp(x[r, j] - shift[j])}, same conventions and the
     * same requirement {@code x[r, j] <= shift[j]}.
     */
    void expColumns(float[] x, int xOff, int ldx, float[] shift, int rows, int cols);

    /**
     * The softmax backward on transposed tiles, in place of {@code dp}: {@code dp[r, j] = p[r, j] * (dp[r, j] -
     * rowDot[j])}, with {@code rowDot[j] = sum_k p[k, j] dp[k, j]} over the whole row of query {@code j}, given.
     * Both tiles are {@code rows x cols} with rows {@code ld} apart.
     */
    void softmaxBackwardColumns(float[] dp, int dpOff, float[] p, int pOff, int ld, float[] rowDot, int rows,
                                int cols);
}
