/**
 * Weight file formats: bytes on disk to named {@link dev.attention4j.tensor.Tensor}s and back.
 * <ul>
 *   <li>Safetensors: {@link dev.attention4j.models.formats.SafetensorsFile} opens a file, validates its header and
 *       reads tensors on demand from a memory map, converting any supported
 *       {@link dev.attention4j.models.formats.DType} to float32; {@link dev.attention4j.models.formats.Safetensors}
 *       writes a map of tensors atomically (F32, F16 or BF16) and reads a whole file back.
 *   <li>ONNX: {@link dev.attention4j.models.formats.OnnxFile} reads a model's initializers
 *       ({@link dev.attention4j.models.formats.OnnxTensor}) and its graph
 *       ({@link dev.attention4j.models.formats.OnnxNode}), so a model family can follow the graph to weights an
 *       exporter left unnamed. The protobuf schema is a subset of {@code onnx.proto} compiled at build time into
 *       {@code dev.attention4j.models.formats.onnxschema}, which nothing outside this package uses.
 *   <li>Hugging Face {@code config.json}: {@link dev.attention4j.models.formats.HfConfigFile} reads the fields with
 *       their types checked; the model family gives them meaning.
 * </ul>
 *
 * <p>Malformed files raise the checked {@link dev.attention4j.models.formats.WeightFormatException}, naming the file,
 * the byte offset (when the format gives one) and a hint; nothing read from a file is trusted for a size until it is
 * bounded by the file's size. The model families, not this package, map checkpoint names to attention4j's
 * parameters.
 *
 * <p>Shapes (dims) are listed outermost dim first (row-major), as in {@link dev.attention4j.tensor.Shape}.
 *
 * <p>May import: {@code dev.attention4j.tensor}, {@code dev.attention4j.nn} (to save and load a
 * {@link dev.attention4j.nn.Module}), Jackson, protobuf-java and the JDK only; never a model family.
 */
package dev.attention4j.models.formats;
