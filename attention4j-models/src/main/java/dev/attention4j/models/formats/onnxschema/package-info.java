/**
 * Generated at build time by protoc from {@code src/main/proto/onnx_subset.proto}: the protobuf classes for the part
 * of ONNX's {@code ModelProto} that attention4j reads. Only {@link dev.attention4j.models.formats} uses them; its
 * {@link dev.attention4j.models.formats.OnnxFile} is the public face.
 *
 * <p>May import: protobuf-java only.
 */
package dev.attention4j.models.formats.onnxschema;
