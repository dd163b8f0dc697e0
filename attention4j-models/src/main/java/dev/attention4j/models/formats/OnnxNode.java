package dev.attention4j.models.formats;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One node of an ONNX graph ({@code NodeProto}): an operator applied to named values, producing named values. Value
 * names link nodes to each other, to graph inputs and to initializers; an empty input name is an omitted optional
 * input.
 *
 * @param name       the node's name; may be empty
 * @param opType     the operator, e.g. {@code "MatMul"}
 * @param domain     the operator set's domain; empty for the standard ONNX operators
 * @param inputs     the names of the values it reads, in operator order
 * @param outputs    the names of the values it writes
 * @param attributes its attributes by name, in file order
 */
public record OnnxNode(String name, String opType, String domain, List<String> inputs, List<String> outputs,
                       Map<String, OnnxAttribute> attributes) {

    public OnnxNode {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(opType, "opType");
        Objects.requireNonNull(domain, "domain");
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        attributes = Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
    }

    /** The attribute called {@code attributeName}, if present. */
    public Optional<OnnxAttribute> attribute(String attributeName) {
        return Optional.ofNullable(attributes.get(attributeName));
    }

    /** Whether this is {@code opType} from the standard ONNX domain. */
    public boolean is(String standardOpType) {
        return opType.equals(standardOpType) && (domain.isEmpty() || domain.equals("ai.onnx"));
    }
}
