package dev.attention4j.models.bert;

import dev.attention4j.tensor.Shape;
import dev.attention4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The map between Hugging Face's BERT parameter names and {@link BertModel}'s, with every shape checked against the
 * {@link BertConfig}. Per layer {@code i} (HF {@code encoder.layer.i.} -> attention4j {@code encoder.layers.i.}):
 * <pre>
 * attention.self.{query,key,value}.weight (h, h) x3   -> self_attn.in_proj_weight (3h, h), rows q | k | v
 * attention.self.{query,key,value}.bias (h) x3        -> self_attn.in_proj_bias (3h)
 * attention.output.dense.{weight (h, h), bias}        -> self_attn.out_proj.{weight, bias}
 * attention.output.LayerNorm.{weight, bias}           -> norm1.{weight, bias}
 * intermediate.dense.{weight (ffn, h), bias (ffn)}    -> linear1.{weight, bias}
 * output.dense.{weight (h, ffn), bias (h)}            -> linear2.{weight, bias}
 * output.LayerNorm.{weight, bias}                     -> norm2.{weight, bias}
 * </pre>
 * {@code embeddings.*} keep their names. Both sides store Linear weights as {@code (out, in)}, so nothing is
 * transposed here (the ONNX graph's transposed MatMul weights are turned back by {@link BertOnnxGraph}).
 */
public final class BertWeightNames {

    /** HF names under these prefixes are not part of the encoder: pooler, task heads, the position_ids buffer. */
    private static final List<String> IGNORED = List.of("pooler.", "cls.", "classifier.", "qa_outputs.",
            "embeddings.position_ids");
    private static final String[] QKV = {"query", "key", "value"};

    private BertWeightNames() {
    }

    /**
     * {@code huggingFace} (as in {@code model.safetensors}, with or without the {@code bert.} prefix, LayerNorm
     * {@code gamma}/{@code beta} read as {@code weight}/{@code bias}) under {@link BertModel}'s names.
     *
     * @throws IllegalArgumentException listing every missing, mis-shaped and unexpected name
     */
    public static Map<String, Tensor> fromHuggingFace(Map<String, Tensor> huggingFace, BertConfig config) {
        Map<String, Tensor> hf = canonical(huggingFace);
        Problems problems = new Problems(hf);
        int h = config.hiddenSize();
        int ffn = config.intermediateSize();
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String table : new String[] {"word_embeddings", "position_embeddings", "token_type_embeddings"}) {
            int rows = switch (table) {
                case "word_embeddings" -> config.vocabSize();
                case "position_embeddings" -> config.maxPositionEmbeddings();
                default -> config.typeVocabSize();
            };
            String name = "embeddings." + table + ".weight";
            out.put(name, problems.take(name, rows, h));
        }
        out.put("embeddings.LayerNorm.weight", problems.take("embeddings.LayerNorm.weight", h));
        out.put("embeddings.LayerNorm.bias", problems.take("embeddings.LayerNorm.bias", h));
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            String from = "encoder.layer." + i + ".";
            String to = "encoder.layers." + i + ".";
            List<Tensor> weights = new ArrayList<>();
            List<Tensor> biases = new ArrayList<>();
            for (String part : QKV) {
                weights.add(problems.take(from + "attention.self." + part + ".weight", h, h));
                biases.add(problems.take(from + "attention.self." + part + ".bias", h));
            }
            if (!weights.contains(null) && !biases.contains(null)) {
                out.put(to + "self_attn.in_proj_weight", concatRows(weights, h));
                out.put(to + "self_attn.in_proj_bias", concatRows(biases, 1).reshape(3 * h));
            }
            out.put(to + "self_attn.out_proj.weight", problems.take(from + "attention.output.dense.weight", h, h));
            out.put(to + "self_attn.out_proj.bias", problems.take(from + "attention.output.dense.bias", h));
            out.put(to + "norm1.weight", problems.take(from + "attention.output.LayerNorm.weight", h));
            out.put(to + "norm1.bias", problems.take(from + "attention.output.LayerNorm.bias", h));
            out.put(to + "linear1.weight", problems.take(from + "intermediate.dense.weight", ffn, h));
            out.put(to + "linear1.bias", problems.take(from + "intermediate.dense.bias", ffn));
            out.put(to + "linear2.weight", problems.take(from + "output.dense.weight", h, ffn));
            out.put(to + "linear2.bias", problems.take(from + "output.dense.bias", h));
            out.put(to + "norm2.weight", problems.take(from + "output.LayerNorm.weight", h));
            out.put(to + "norm2.bias", problems.take(from + "output.LayerNorm.bias", h));
        }
        problems.throwIfAny(config);
        return out;
    }

    /**
     * {@link BertModel}'s parameters under Hugging Face's names (no prefix), ready for {@code model.safetensors}:
     * the inverse of {@link #fromHuggingFace}.
     */
    public static Map<String, Tensor> toHuggingFace(BertModel model) {
        BertConfig config = model.config();
        int h = config.hiddenSize();
        Map<String, Tensor> ours = model.namedParameters();
        Map<String, Tensor> out = new LinkedHashMap<>();
        ours.forEach((name, t) -> {
            if (name.startsWith("embeddings.")) {
                out.put(name, t.copy());
            }
        });
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            String from = "encoder.layers." + i + ".";
            String to = "encoder.layer." + i + ".";
            float[] w = ours.get(from + "self_attn.in_proj_weight").data(); // (3h, h)
            float[] b = ours.get(from + "self_attn.in_proj_bias").data();   // (3h)
            for (int part = 0; part < 3; part++) {
                float[] wPart = new float[h * h];
                System.arraycopy(w, part * h * h, wPart, 0, h * h);
                float[] bPart = new float[h];
                System.arraycopy(b, part * h, bPart, 0, h);
                out.put(to + "attention.self." + QKV[part] + ".weight", Tensor.of(wPart, h, h));
                out.put(to + "attention.self." + QKV[part] + ".bias", Tensor.of(bPart, h));
            }
            String[][] renames = {
                {"self_attn.out_proj.", "attention.output.dense."},
                {"norm1.", "attention.output.LayerNorm."},
                {"linear1.", "intermediate.dense."},
                {"linear2.", "output.dense."},
                {"norm2.", "output.LayerNorm."}};
            for (String[] rename : renames) {
                for (String param : new String[] {"weight", "bias"}) {
                    out.put(to + rename[1] + param, ours.get(from + rename[0] + param).copy());
                }
            }
        }
        return out;
    }

    /** Without the {@code bert.} prefix and with LayerNorm gamma/beta renamed; ignored names dropped. */
    private static Map<String, Tensor> canonical(Map<String, Tensor> huggingFace) {
        boolean prefixed = huggingFace.keySet().stream().anyMatch(n -> n.startsWith("bert.embeddings."));
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : huggingFace.entrySet()) {
            String name = e.getKey();
            if (prefixed && name.startsWith("bert.")) {
                name = name.substring("bert.".length());
            }
            if (name.contains("LayerNorm.gamma") || name.contains("LayerNorm.beta")) {
                name = name.replace("LayerNorm.gamma", "LayerNorm.weight").replace("LayerNorm.beta", "LayerNorm.bias");
            }
            String finalName = name;
            if (IGNORED.stream().noneMatch(finalName::startsWith)) {
                out.put(name, e.getValue());
            }
        }
        return out;
    }

    /** Rows of equally shaped tensors stacked: {@code n x (rows, cols) -> (n * rows, cols)}. */
    private static Tensor concatRows(List<Tensor> parts, int cols) {
        int each = parts.get(0).size();
        float[] out = new float[each * parts.size()];
        for (int p = 0; p < parts.size(); p++) {
            System.arraycopy(parts.get(p).data(), 0, out, p * each, each);
        }
        return Tensor.of(out, out.length / cols, cols);
    }

    /** Takes names out of a checkpoint, collecting what is missing or mis-shaped; what is left is unexpected. */
    private static final class Problems {
        private final Map<String, Tensor> remaining;
        private final TreeSet<String> missing = new TreeSet<>();
        private final List<String> misShaped = new ArrayList<>();

        Problems(Map<String, Tensor> checkpoint) {
            this.remaining = new LinkedHashMap<>(checkpoint);
        }

        /** The tensor called {@code name} with shape {@code dims}, or null (and a problem noted). */
        Tensor take(String name, int... dims) {
            Tensor t = remaining.remove(name);
            if (t == null) {
                missing.add(name);
                return null;
            }
            if (!t.shape().equals(Shape.of(dims))) {
                misShaped.add(name + ": expected shape " + Shape.of(dims) + " but got " + t.shape());
                return null;
            }
            return t;
        }

        void throwIfAny(BertConfig config) {
            if (missing.isEmpty() && misShaped.isEmpty() && remaining.isEmpty()) {
                return;
            }
            StringBuilder sb = new StringBuilder("the checkpoint does not fit a BERT encoder with hiddenSize="
                    + config.hiddenSize() + ", intermediateSize=" + config.intermediateSize() + ", numHiddenLayers="
                    + config.numHiddenLayers() + ":");
            if (!missing.isEmpty()) {
                sb.append("\n  missing: ").append(missing);
            }
            if (!remaining.isEmpty()) {
                sb.append("\n  unexpected: ").append(new TreeSet<>(remaining.keySet()));
            }
            for (String m : misShaped) {
                sb.append("\n  ").append(m);
            }
            throw new IllegalArgumentException(sb.toString());
        }
    }
}
