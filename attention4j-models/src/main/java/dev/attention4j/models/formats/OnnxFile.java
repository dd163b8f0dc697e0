package dev.attention4j.models.formats;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.attention4j.models.formats.onnxschema.OnnxSchema.AttributeProto;
import dev.attention4j.models.formats.onnxschema.OnnxSchema.GraphProto;
import dev.attention4j.models.formats.onnxschema.OnnxSchema.ModelProto;
import dev.attention4j.models.formats.onnxschema.OnnxSchema.NodeProto;
import dev.attention4j.models.formats.onnxschema.OnnxSchema.OperatorSetIdProto;
import dev.attention4j.models.formats.onnxschema.OnnxSchema.TensorProto;
import dev.attention4j.models.formats.onnxschema.OnnxSchema.ValueInfoProto;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An ONNX model file ({@code ModelProto}) read for its weights and its graph: the initializers as named
 * {@link OnnxTensor}s, and the nodes in file order (ONNX requires topological order), so that a model family can
 * follow the graph to find unnamed weights (an exporter names a MatMul's weight {@code onnx::MatMul_1234}).
 *
 * <p>The file is memory-mapped and parsed with protobuf-java into classes generated at build time from the subset of
 * {@code onnx.proto} attention4j reads ({@code src/main/proto/onnx_subset.proto}); initializer data stays in the map
 * until a tensor is converted. Every length in the file is bounded by the file's size (protobuf checks each
 * length-delimited field against the bytes that remain), and every tensor's dims are checked against the data it
 * stores, so hostile files end in a {@link WeightFormatException}, never in a huge allocation.
 *
 * <p>Not read: weights in external files (models over 2 GiB), sparse initializers, sub-graphs. The file must not be
 * modified while a tensor read from it is still being converted.
 */
public final class OnnxFile {

    /** Protobuf messages, and so ONNX files with their weights inside, are limited to 2 GiB. */
    private static final long MAX_FILE_BYTES = Integer.MAX_VALUE;
    private static final String CORRUPT = "The file is truncated or corrupt, or not an ONNX model.";

    private final Path path;
    private final long irVersion;
    private final String producerName;
    private final Map<String, Long> opsets;
    private final List<OnnxNode> nodes;
    private final Map<String, OnnxTensor> initializers;
    private final List<String> inputs;
    private final List<String> outputs;
    private final Map<String, OnnxNode> producers;
    private final Map<String, List<OnnxNode>> consumers;

    private OnnxFile(Path path, long irVersion, String producerName, Map<String, Long> opsets, List<OnnxNode> nodes,
                     Map<String, OnnxTensor> initializers, List<String> inputs, List<String> outputs) {
        this.path = path;
        this.irVersion = irVersion;
        this.producerName = producerName;
        this.opsets = opsets;
        this.nodes = nodes;
        this.initializers = initializers;
        this.inputs = inputs;
        this.outputs = outputs;
        Map<String, OnnxNode> producedBy = new HashMap<>();
        Map<String, List<OnnxNode>> consumedBy = new HashMap<>();
        for (OnnxNode node : nodes) {
            for (String output : node.outputs()) {
                producedBy.put(output, node);
            }
            for (String input : node.inputs()) {
                consumedBy.computeIfAbsent(input, k -> new ArrayList<>()).add(node);
            }
        }
        this.producers = producedBy;
        consumedBy.replaceAll((k, v) -> List.copyOf(v));
        this.consumers = consumedBy;
    }

    /**
     * Reads the model at {@code path}.
     *
     * @throws WeightFormatException if the file is not a well-formed ONNX model with its weights inside (the
     *                               message names the file, what is wrong and, for tensors, which one)
     * @throws IOException           if it cannot be read
     */
    public static OnnxFile read(Path path) throws IOException {
        Objects.requireNonNull(path, "path");
        ByteBuffer bytes;
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size == 0) {
                throw new WeightFormatException(path, 0, "the file is empty", CORRUPT);
            }
            if (size > MAX_FILE_BYTES) {
                throw new WeightFormatException(path, WeightFormatException.NO_OFFSET, "the file is " + size
                        + " bytes long, more than the 2 GiB a protobuf message may have", "ONNX models this large keep"
                        + " their weights in external data files, which attention4j does not read.");
            }
            bytes = channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
        }
        requireNotLfsPointer(path, bytes);
        ModelProto model;
        try {
            CodedInputStream input = CodedInputStream.newInstance(bytes);
            input.setSizeLimit(bytes.limit()); // no message may claim more than the file holds
            input.enableAliasing(true);        // raw_data stays in the map: no copy of the weights on the heap
            model = ModelProto.parseFrom(input);
        } catch (InvalidProtocolBufferException e) {
            throw new WeightFormatException(path, WeightFormatException.NO_OFFSET, "the file is not a valid protobuf"
                    + " message: " + e.getMessage(), CORRUPT, e);
        }
        if (!model.hasIrVersion() || !model.hasGraph()) {
            throw new WeightFormatException(path, WeightFormatException.NO_OFFSET, "the file has no "
                    + (model.hasIrVersion() ? "graph" : "ir_version") + ", which every ONNX model has", CORRUPT);
        }
        Map<String, Long> opsets = new LinkedHashMap<>();
        for (OperatorSetIdProto opset : model.getOpsetImportList()) {
            opsets.put(opset.getDomain(), opset.getVersion());
        }
        GraphProto graph = model.getGraph();
        Map<String, OnnxTensor> initializers = new LinkedHashMap<>();
        for (TensorProto proto : graph.getInitializerList()) {
            String where = "initializer '" + proto.getName() + "'";
            if (proto.getName().isEmpty()) {
                throw new WeightFormatException(path, WeightFormatException.NO_OFFSET, "initializer "
                        + initializers.size() + " has no name", CORRUPT);
            }
            if (initializers.put(proto.getName(), OnnxTensor.of(path, where, proto)) != null) {
                throw new WeightFormatException(path, WeightFormatException.NO_OFFSET, "two initializers are named '"
                        + proto.getName() + "'", CORRUPT);
            }
        }
        List<OnnxNode> nodes = new ArrayList<>(graph.getNodeCount());
        for (NodeProto node : graph.getNodeList()) {
            nodes.add(node(path, node, nodes.size()));
        }
        List<String> inputs = new ArrayList<>();
        for (ValueInfoProto input : graph.getInputList()) {
            if (!initializers.containsKey(input.getName())) { // IR < 4 lists initializers among the inputs too
                inputs.add(input.getName());
            }
        }
        List<String> outputs = graph.getOutputList().stream().map(ValueInfoProto::getName).toList();
        return new OnnxFile(path, model.getIrVersion(), (model.getProducerName() + " " + model.getProducerVersion())
                .strip(), Collections.unmodifiableMap(opsets), List.copyOf(nodes),
                Collections.unmodifiableMap(initializers), List.copyOf(inputs), outputs);
    }

    private static void requireNotLfsPointer(Path path, ByteBuffer bytes) throws WeightFormatException {
        byte[] lfs = "version https://git-lfs".getBytes(StandardCharsets.US_ASCII);
        if (bytes.limit() < lfs.length) {
            return;
        }
        for (int i = 0; i < lfs.length; i++) {
            if (bytes.get(i) != lfs[i]) {
                return;
            }
        }
        throw new WeightFormatException(path, 0, "the file is a Git LFS pointer, not the model",
                "Fetch the real file (git lfs pull).");
    }

    private static OnnxNode node(Path path, NodeProto proto, int index) throws WeightFormatException {
        String where = "node " + index + " (" + proto.getOpType() + (proto.getName().isEmpty() ? "" : " '"
                + proto.getName() + "'") + ")";
        if (proto.getOpType().isEmpty()) {
            throw new WeightFormatException(path, WeightFormatException.NO_OFFSET, where + " has no op_type",
                    CORRUPT);
        }
        Map<String, OnnxAttribute> attributes = new LinkedHashMap<>();
        for (AttributeProto a : proto.getAttributeList()) {
            String at = where + " attribute '" + a.getName() + "'";
            OnnxAttribute value = switch (a.getType()) {
                case 1 -> new OnnxAttribute.FloatValue(a.getF());
                case 2 -> new OnnxAttribute.IntValue(a.getI());
                case 3 -> new OnnxAttribute.StringValue(a.getS().toStringUtf8());
                case 4 -> new OnnxAttribute.TensorValue(OnnxTensor.of(path, at, a.getT()));
                case 6 -> new OnnxAttribute.Floats(a.getFloatsList());
                case 7 -> new OnnxAttribute.Ints(a.getIntsList());
                case 8 -> new OnnxAttribute.Strings(a.getStringsList().stream().map(ByteString::toStringUtf8).toList());
                case 5, 9, 10, 11, 12, 13, 14 -> new OnnxAttribute.Unsupported(a.getType());
                default -> throw new WeightFormatException(path, WeightFormatException.NO_OFFSET, at + " has type "
                        + a.getType() + ", which ONNX does not define", CORRUPT);
            };
            if (attributes.put(a.getName(), value) != null) {
                throw new WeightFormatException(path, WeightFormatException.NO_OFFSET, where + " has two attributes"
                        + " named '" + a.getName() + "'", CORRUPT);
            }
        }
        return new OnnxNode(proto.getName(), proto.getOpType(), proto.getDomain(), proto.getInputList(),
                proto.getOutputList(), attributes);
    }

    /** The file this was read from. */
    public Path path() {
        return path;
    }

    /** The ONNX IR version the file declares. */
    public long irVersion() {
        return irVersion;
    }

    /** The exporting tool and its version, e.g. {@code "pytorch 2.0.1"}; empty if the file does not say. */
    public String producerName() {
        return producerName;
    }

    /** The operator sets the graph uses: domain (empty for standard ONNX) to version. Unmodifiable. */
    public Map<String, Long> opsets() {
        return opsets;
    }

    /** Every node in file order (topological). Unmodifiable. */
    public List<OnnxNode> nodes() {
        return nodes;
    }

    /** Every initializer by name, in file order. Unmodifiable. */
    public Map<String, OnnxTensor> initializers() {
        return initializers;
    }

    /** The graph's inputs that are not initializers (what a caller feeds), e.g. {@code input_ids}. */
    public List<String> inputs() {
        return inputs;
    }

    /** The graph's outputs, e.g. {@code last_hidden_state}. */
    public List<String> outputs() {
        return outputs;
    }

    /** The node that writes the value {@code valueName}, if any (graph inputs and initializers have none). */
    public Optional<OnnxNode> producerOf(String valueName) {
        return Optional.ofNullable(producers.get(valueName));
    }

    /** The nodes that read the value {@code valueName}, in file order; empty if none. */
    public List<OnnxNode> consumersOf(String valueName) {
        return consumers.getOrDefault(valueName, List.of());
    }
}
