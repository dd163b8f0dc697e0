/**
 * {@link dev.attention4j.tensor.Shape}, {@link dev.attention4j.tensor.Tensor} (small: creation, access, reshape),
 * the user-facing shape checks in {@link dev.attention4j.tensor.Shapes}, and focused op classes that validate
 * shapes and hand the arrays to the active kernels: {@link dev.attention4j.tensor.MatMul},
 * {@link dev.attention4j.tensor.Elementwise}, {@link dev.attention4j.tensor.Activations},
 * {@link dev.attention4j.tensor.Normalization}. Their {@code ...Into} forms take plain arrays from callers that
 * checked the sizes and allocate nothing unless the work is split across threads.
 *
 * <p>Dim legend: {@code rows} — all leading dims flattened; {@code inFeatures, outFeatures} — a linear map's widths;
 * {@code (..., d)} — any leading dims, last dim {@code d}.
 *
 * <p>May import: {@code kernels} and the JDK only.
 */
package dev.attention4j.tensor;
