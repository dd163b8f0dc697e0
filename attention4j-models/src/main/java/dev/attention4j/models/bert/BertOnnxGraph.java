package dev.attention4j.models.bert;

import dev.attention4j.models.formats.OnnxAttribute;
import dev.attention4j.models.formats.OnnxFile;
import dev.attention4j.models.formats.OnnxNode;
import dev.attention4j.models.formats.OnnxTensor;
import dev.attention4j.models.formats.WeightFormatException;
import dev.attention4j.nn.Activation;
import dev.attention4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A BERT encoder exported to ONNX (by {@code torch.onnx.export}, as Xenova's and optimum's exports are), read back as
 * a Hugging Face checkpoint. The exporter keeps the HF names of embeddings, LayerNorms and biases, but stores each
 * Linear's weight as an unnamed, transposed MatMul operand ({@code onnx::MatMul_787}, shape {@code (in, out)}). This
 * class finds each one by following the graph from the named bias:
 * <pre>
 *   x --MatMul(onnx::MatMul_787)--> y --Add(encoder.layer.0.attention.self.query.bias)--> ...
 * </pre>
 * and transposes it back to HF's {@code (out, in)}. A Gemm with the bias as its third input works too. The
 * configuration is inferred from the weights' shapes and from the graph: heads from the Reshape that splits the
 * query into {@code (batch, seq, heads, headDim)}, eps from the LayerNorm ({@code Sqrt(var + eps)}, or
 * LayerNormalization's attribute), the activation from {@code Erf} (exact GELU) or {@code Relu}.
 *
 * <p>Graphs optimized by ONNX Runtime (fused Attention, SkipLayerNormalization, ...) and quantized graphs keep their
 * weights in other layouts and are refused with a message saying so.
 */
final class BertOnnxGraph {

    private static final Pattern LINEAR_BIAS = Pattern.compile(
            "encoder\\.layer\\.\\d+\\.(attention\\.self\\.(query|key|value)|attention\\.output\\.dense"
            + "|intermediate\\.dense|output\\.dense)\\.bias");
    private static final Set<String> FUSED = Set.of("Attention", "MultiHeadAttention", "SkipLayerNormalization",
            "EmbedLayerNormalization", "SkipSimplifiedLayerNormalization", "FastGelu", "BiasGelu");
    private static final Set<String> QUANTIZED = Set.of("DynamicQuantizeLinear", "QuantizeLinear",
            "DequantizeLinear", "MatMulInteger", "QLinearMatMul", "MatMulNBits");
    private static final long UNKNOWN = Long.MIN_VALUE;
    private static final String NOT_FOLLOWED = "attention4j follows graphs as torch.onnx.export writes them for"
            + " transformers' BertModel; pass the configuration (config.json) if only the inference failed.";

    private final OnnxFile file;
    private final String prefix;
    private final Map<String, Tensor> weights;

    private BertOnnxGraph(OnnxFile file, String prefix, Map<String, Tensor> weights) {
        this.file = file;
        this.prefix = prefix;
        this.weights = weights;
    }

    /**
     * Reads every weight of {@code file} under its Hugging Face name.
     *
     * @throws WeightFormatException if the graph is fused or quantized, has no BERT embeddings, or a Linear's weight
     *                               cannot be found from its bias
     */
    static BertOnnxGraph follow(OnnxFile file) throws WeightFormatException {
        for (OnnxNode node : file.nodes()) {
            if (QUANTIZED.contains(node.opType())) {
                throw problem(file, "the graph is quantized (it has " + node.opType() + " nodes)",
                        "Use the float32 export of the model (langchain4j's artifacts without the -q suffix).");
            }
            if (node.domain().equals("com.microsoft") && FUSED.contains(node.opType())) {
                throw problem(file, "the graph was optimized by ONNX Runtime (it has fused " + node.opType()
                        + " nodes), so its weights are not where an export puts them", "Use the model as exported,"
                        + " before onnxruntime's transformer optimizations.");
            }
        }
        String prefix;
        if (file.initializers().containsKey("embeddings.word_embeddings.weight")) {
            prefix = "";
        } else if (file.initializers().containsKey("bert.embeddings.word_embeddings.weight")) {
            prefix = "bert.";
        } else {
            throw problem(file, "there is no initializer named embeddings.word_embeddings.weight (nor with a 'bert.'"
                    + " prefix), so this is not an exported BERT encoder", NOT_FOLLOWED);
        }
        Map<String, Tensor> weights = new LinkedHashMap<>();
        for (OnnxTensor t : file.initializers().values()) {
            if (t.name().startsWith(prefix) && !t.name().startsWith("onnx::") && t.dataType().isFloatingPoint()) {
                weights.put(t.name().substring(prefix.length()), t.toFloat());
            }
        }
        BertOnnxGraph graph = new BertOnnxGraph(file, prefix, weights);
        for (String bias : new ArrayList<>(weights.keySet())) {
            if (LINEAR_BIAS.matcher(bias).matches()) {
                String weight = bias.substring(0, bias.length() - "bias".length()) + "weight";
                if (!weights.containsKey(weight)) {
                    weights.put(weight, graph.linearWeight(prefix + bias));
                }
            }
        }
        return graph;
    }

    /** Every encoder weight under its Hugging Face name (no prefix), Linear weights {@code (out, in)}. */
    Map<String, Tensor> huggingFaceWeights() {
        return weights;
    }

    /**
     * The Linear weight {@code (out, in)} whose bias is the initializer {@code biasName}: the MatMul (or Gemm) that
     * the bias is added to.
     */
    private Tensor linearWeight(String biasName) throws WeightFormatException {
        List<String> seen = new ArrayList<>();
        for (OnnxNode add : file.consumersOf(biasName)) {
            seen.add(add.opType());
            if (add.is("Gemm") && add.inputs().size() == 3 && add.inputs().get(2).equals(biasName)) {
                Tensor w = constantFloat(add.inputs().get(1));
                boolean transB = add.attribute("transB").map(a -> a instanceof OnnxAttribute.IntValue i
                        && i.value() == 1).orElse(false);
                if (w != null) {
                    return transB ? w : transpose(w);
                }
            }
            if (!add.is("Add") || add.inputs().size() != 2) {
                continue;
            }
            String other = add.inputs().get(0).equals(biasName) ? add.inputs().get(1) : add.inputs().get(0);
            Optional<OnnxNode> producer = file.producerOf(other);
            if (producer.isPresent() && producer.get().is("MatMul")) {
                OnnxNode matMul = producer.get();
                Tensor w = constantFloat(matMul.inputs().get(1));
                if (w != null && w.rank() == 2) {
                    return transpose(w);                                    // (in, out) -> (out, in)
                }
                Optional<OnnxNode> transposed = file.producerOf(matMul.inputs().get(1));
                if (transposed.isPresent() && transposed.get().is("Transpose")) {
                    Tensor outIn = constantFloat(transposed.get().inputs().get(0));
                    if (outIn != null && outIn.rank() == 2) {
                        return outIn;                                      // already (out, in)
                    }
                }
            }
        }
        throw problem(file, "cannot find the weight of '" + biasName.substring(0, biasName.length() - 5)
                + "': its bias feeds " + (seen.isEmpty() ? "no node" : seen) + ", not an Add after a MatMul with a"
                + " constant weight", NOT_FOLLOWED);
    }

    /** The float value of {@code valueName} if it is an initializer or a Constant node's output, else null. */
    private Tensor constantFloat(String valueName) throws WeightFormatException {
        OnnxTensor t = file.initializers().get(valueName);
        if (t == null) {
            Optional<OnnxNode> producer = file.producerOf(valueName);
            if (producer.isPresent() && producer.get().is("Constant")
                    && producer.get().attribute("value").orElse(null) instanceof OnnxAttribute.TensorValue v) {
                t = v.value();
            }
        }
        return t != null && t.dataType().isFloatingPoint() ? t.toFloat() : null;
    }

    /**
     * The integer value of {@code valueName} when it is a constant, folded through Unsqueeze, Squeeze, Cast,
     * Identity and Concat; entries computed at run time (a Concat input from Unsqueeze of a shape) are
     * {@link #UNKNOWN}. Null if nothing is constant.
     */
    private long[] constantInts(String valueName, int depth) throws WeightFormatException {
        OnnxTensor t = file.initializers().get(valueName);
        if (t != null) {
            return t.dataType().isInteger() ? t.toLongs() : null;
        }
        Optional<OnnxNode> producer = file.producerOf(valueName);
        if (producer.isEmpty() || depth > 8) {
            return null;
        }
        OnnxNode node = producer.get();
        switch (node.opType()) {
            case "Constant" -> {
                OnnxAttribute value = node.attributes().values().stream().findFirst().orElse(null);
                if (value instanceof OnnxAttribute.TensorValue v && v.value().dataType().isInteger()) {
                    return v.value().toLongs();
                }
                if (value instanceof OnnxAttribute.IntValue i) {
                    return new long[] {i.value()};
                }
                if (value instanceof OnnxAttribute.Ints ints) {
                    return ints.values().stream().mapToLong(Long::longValue).toArray();
                }
                return null;
            }
            case "Unsqueeze", "Squeeze", "Cast", "Identity" -> {
                long[] inner = constantInts(node.inputs().get(0), depth + 1);
                if (inner == null && node.opType().equals("Unsqueeze")) {
                    return new long[] {UNKNOWN}; // a scalar computed at run time, made a 1-vector
                }
                return inner;
            }
            case "Concat" -> {
                List<Long> all = new ArrayList<>();
                for (String input : node.inputs()) {
                    long[] part = constantInts(input, depth + 1);
                    if (part == null) {
                        return null;
                    }
                    for (long v : part) {
                        all.add(v);
                    }
                }
                return all.stream().mapToLong(Long::longValue).toArray();
            }
            default -> {
                return null;
            }
        }
    }

    /**
     * The configuration, from the weights' shapes and the graph.
     *
     * @throws WeightFormatException if a needed weight is missing or the heads, eps or activation cannot be read
     *                               from the graph
     */
    BertConfig inferConfig() throws WeightFormatException {
        Tensor words = require("embeddings.word_embeddings.weight", 2);
        int hidden = words.dim(1);
        int maxPositions = require("embeddings.position_embeddings.weight", 2).dim(0);
        int typeVocab = require("embeddings.token_type_embeddings.weight", 2).dim(0);
        int layers = 0;
        while (weights.containsKey("encoder.layer." + layers + ".attention.self.query.bias")) {
            layers++;
        }
        if (layers == 0) {
            throw problem(file, "there is no encoder.layer.0.attention.self.query.bias", NOT_FOLLOWED);
        }
        int intermediate = require("encoder.layer.0.intermediate.dense.bias", 1).dim(0);
        try {
            return new BertConfig(words.dim(0), hidden, layers, numHeads(hidden), intermediate, activation(),
                    maxPositions, typeVocab, epsilon(), 0);
        } catch (IllegalArgumentException e) {
            throw problem(file, "the inferred configuration is invalid: " + e.getMessage(), NOT_FOLLOWED);
        }
    }

    private Tensor require(String name, int rank) throws WeightFormatException {
        Tensor t = weights.get(name);
        if (t == null || t.rank() != rank) {
            throw problem(file, t == null ? "there is no initializer '" + prefix + name + "'" : "initializer '"
                    + prefix + name + "' has shape " + t.shape() + ", expected rank " + rank, NOT_FOLLOWED);
        }
        return t;
    }

    /** From the Reshape of layer 0's query to {@code (batch, seq, heads, headDim)}. */
    private int numHeads(int hidden) throws WeightFormatException {
        String bias = prefix + "encoder.layer.0.attention.self.query.bias";
        for (OnnxNode add : file.consumersOf(bias)) {
            for (String out : add.outputs()) {
                for (OnnxNode reshape : file.consumersOf(out)) {
                    if (!reshape.is("Reshape") || reshape.inputs().size() < 2) {
                        continue;
                    }
                    long[] shape = constantInts(reshape.inputs().get(1), 0);
                    if (shape == null || shape.length != 4) {
                        continue;
                    }
                    if (shape[2] > 0 && shape[3] > 0 && shape[2] * shape[3] == hidden) {
                        return (int) shape[2];
                    }
                    if (shape[2] > 0 && (shape[3] == UNKNOWN || shape[3] == -1) && hidden % shape[2] == 0) {
                        return (int) shape[2];
                    }
                    if (shape[3] > 0 && (shape[2] == UNKNOWN || shape[2] == -1) && hidden % shape[3] == 0) {
                        return (int) (hidden / shape[3]);
                    }
                }
            }
        }
        throw problem(file, "cannot read the number of attention heads: no Reshape of layer 0's query to a"
                + " constant (batch, seq, heads, headDim) shape", NOT_FOLLOWED);
    }

    /** The one LayerNorm eps of the graph: Sqrt(mean + eps) or LayerNormalization's epsilon. */
    private float epsilon() throws WeightFormatException {
        Set<Float> found = new TreeSet<>();
        for (OnnxNode node : file.nodes()) {
            if (node.is("LayerNormalization")) {
                found.add(node.attribute("epsilon").orElse(null) instanceof OnnxAttribute.FloatValue f
                        ? f.value() : 1e-5f);
            } else if (node.is("Sqrt")) {
                Optional<OnnxNode> add = file.producerOf(node.inputs().get(0));
                if (add.isPresent() && add.get().is("Add")) {
                    for (String input : add.get().inputs()) {
                        Tensor c = constantFloat(input);
                        if (c != null && c.size() == 1) {
                            found.add(c.data()[0]);
                        }
                    }
                }
            }
        }
        if (found.size() != 1) {
            throw problem(file, found.isEmpty() ? "cannot find the LayerNorm eps (no LayerNormalization node, no"
                    + " Sqrt(x + constant))" : "the LayerNorms use different eps values " + found, NOT_FOLLOWED);
        }
        return found.iterator().next();
    }

    /** Exact GELU if the graph has Erf (or a Gelu without approximation), ReLU if it has Relu. */
    private Activation activation() throws WeightFormatException {
        Set<String> ops = new TreeSet<>();
        for (OnnxNode node : file.nodes()) {
            ops.add(node.opType());
            if (node.opType().equals("Gelu") && node.attribute("approximate").orElse(null)
                    instanceof OnnxAttribute.StringValue s && s.value().equals("tanh")) {
                ops.add("Tanh");
            }
        }
        if (ops.contains("Tanh")) {
            throw problem(file, "the feed-forward activation is a tanh-approximated GELU", "attention4j computes"
                    + " the exact (erf) GELU; the approximation differs by up to 1e-3.");
        }
        if (ops.contains("Erf") || ops.contains("Gelu")) {
            return Activation.GELU;
        }
        if (ops.contains("Relu")) {
            return Activation.RELU;
        }
        throw problem(file, "cannot tell the feed-forward activation: the graph has no Erf, Gelu or Relu node",
                NOT_FOLLOWED);
    }

    /** {@code (rows, cols) -> (cols, rows)}. */
    private static Tensor transpose(Tensor m) {
        int rows = m.dim(0);
        int cols = m.dim(1);
        float[] in = m.data();
        float[] out = new float[in.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[c * rows + r] = in[r * cols + c];
            }
        }
        return Tensor.of(out, cols, rows);
    }

    private static WeightFormatException problem(OnnxFile file, String problem, String hint) {
        return new WeightFormatException(file.path(), WeightFormatException.NO_OFFSET, problem, hint);
    }

    @Override
    public String toString() {
        return "BertOnnxGraph[" + file.path() + ", " + weights.size() + " weights" + (prefix.isEmpty() ? ""
                : ", prefix " + prefix) + "]";
    }
}
