/**
 * Weight file formats: bytes on disk to named {@link dev.attention4j.tensor.Tensor}s and back. Safetensors:
 * {@link dev.attention4j.models.formats.SafetensorsFile} opens a file, validates its header and reads tensors on
 * demand from a memory map, converting any supported {@link dev.attention4j.models.formats.DType} to float32;
 * {@link dev.attention4j.models.formats.Safetensors} writes a map of tensors atomically and reads a whole file back.
 *
 * <p>Malformed files raise the checked {@link dev.attention4j.models.formats.WeightFormatException}, naming the file,
 * the byte offset and a hint; nothing read from a file is trusted for a size until it is bounded by the file's size.
 * The model families, not this package, map checkpoint names to attention4j's parameters.
 *
 * <p>Shapes are listed outermost dim first (row-major), as in {@link dev.attention4j.tensor.Shape}.
 *
 * <p>May import: {@code dev.attention4j.tensor}, Jackson and the JDK only.
 */
package dev.attention4j.models.formats;
