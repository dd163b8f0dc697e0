/**
 * Hot loops on {@code float[]} + offsets + explicit dims: {@link dev.attention4j.kernels.Kernels} is the contract,
 * {@link dev.attention4j.kernels.ScalarKernels} the reference, {@code VectorKernels} the SIMD twin (Vector API),
 * {@link dev.attention4j.kernels.KernelChoice} picks one at run time, {@link dev.attention4j.kernels.Parallel}
 * splits rows (or a product's columns) across threads without changing a bit of the result. {@code PackedGemm} is the
 * SIMD twin's packed, register-blocked matrix product, shared by its three matmuls.
 *
 * <p>Dim legend: {@code m, n, k} — a matmul's output rows, output columns and reduction length; {@code ld*} — a
 * row-major matrix's leading dimension (elements between consecutive rows); {@code rows, cols} — a row-wise op's
 * extent.
 *
 * <p>May import: the JDK (and {@code jdk.incubator.vector} in {@code VectorKernels} and {@code PackedGemm} only). Never {@code tensor},
 * {@code nn} or anything above.
 */
package dev.attention4j.kernels;
