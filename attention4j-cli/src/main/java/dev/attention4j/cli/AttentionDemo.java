package dev.attention4j.cli;

import dev.attention4j.nn.Mode;
import dev.attention4j.nn.attention.AttentionOptions;
import dev.attention4j.nn.attention.AttentionOutput;
import dev.attention4j.nn.attention.AttentionWeights;
import dev.attention4j.nn.attention.Mask;
import dev.attention4j.nn.attention.MultiHeadAttention;
import dev.attention4j.nn.attention.MultiHeadAttentionConfig;
import dev.attention4j.nn.attention.ScaledDotProductAttention;
import dev.attention4j.nn.transformer.Seq2SeqConfig;
import dev.attention4j.nn.transformer.Seq2SeqTransformer;
import dev.attention4j.nn.transformer.TransformerConfig;
import dev.attention4j.nn.transformer.TransformerLayerConfig;
import dev.attention4j.tensor.MatMul;
import dev.attention4j.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The five attention mechanisms of the Transformer on one small example ({@link DemoExample}), then the whole
 * encoder-decoder model: for each, what it computes, the shapes, the attention weights as a text grid, and checks
 * recomputed on the spot (rows sum to 1, the causal upper triangle is exactly 0, ...). Deterministic: the same text
 * at any thread count.
 */
final class AttentionDemo {

    /** Tolerance for "sums to 1" and for comparing two routes to the same numbers. */
    private static final float TOLERANCE = 1e-5f;
    private static final String INDENT = "    ";
    /** Lines longer than this are wrapped. */
    private static final int MAX_WIDTH = 100;
    private static final long SELF_ATTENTION_SEED = 7L;
    private static final long MULTI_HEAD_SEED = 11L;
    private static final long TRANSFORMER_SEED = 42L;

    private final DemoExample example;
    private final DemoReport report = new DemoReport();

    private AttentionDemo(DemoExample example) {
        this.example = example;
    }

    /** Runs every section on {@code example}, writing the explorer chapter's files into {@code outDir}. */
    static DemoReport run(DemoExample example, java.nio.file.Path outDir) {
        AttentionDemo demo = new AttentionDemo(example);
        demo.header();
        demo.scaledDotProduct();
        MultiHeadAttention selfAttention = demo.selfAttention();
        demo.multiHead();
        demo.crossAttention();
        demo.maskedSelfAttention(selfAttention);
        demo.encoderDecoder();
        TranslationDemo.Result translations = TranslationDemo.run(demo.report);
        dev.attention4j.models.pretrained.EmbeddingModel encoder = RetrievalDemo.run(demo.report);
        ExplorerDemo.run(demo.report, outDir, translations, encoder);
        demo.report.line("");
        demo.report.line(demo.report.checks() - demo.report.failedChecks() + " of " + demo.report.checks()
                + " checks passed.");
        return demo.report;
    }

    private void header() {
        report.line("attention4j demo: the five attention mechanisms of the Transformer on one small example");
        report.line("  source: \"" + example.sourceText() + "\" (" + example.sourceTokens().size()
                + " tokens)   target: \"" + example.targetText() + "\" (" + example.targetTokens().size()
                + " tokens)");
        report.line("  embeddings: " + DemoExample.MODEL_DIM + " seeded pseudo-random numbers per token; "
                + "a Chinese word points roughly");
        report.line("  the same way as its English translation, and both \"the\" get the same vector");
        report.line("  weight grids: rows = queries, columns = keys; \"0\" = exactly zero; |shade| = the row "
                + "at a glance");
    }

    // (1) ------------------------------------------------------------------------------------------------------

    private void scaledDotProduct() {
        Tensor x = example.sourceEmbeddings(); // (1, srcLen, modelDim)
        section("[1/5] Scaled dot-product attention",
                "Attention(Q, K, V) = softmax(Q K^T / sqrt(d_k)) V: each query takes a weighted mean of the values,",
                "weighted by how well it matches each key. Here Q = K = V = X, the source embeddings, as they are.");
        AttentionOutput out = ScaledDotProductAttention.attend(x, x, x, Mask.none(),
                AttentionOptions.DEFAULTS.withWeights(AttentionWeights.PER_HEAD));
        shapes("Q " + x.shape() + "  K " + x.shape() + "  V " + x.shape(), out);
        grid(out.weights().data(), 0, example.sourceTokens(), example.sourceTokens());
        int srcLen = x.dim(1);
        report.check("every row sums to 1", rowsSumToOne(out.weights().data(), 0, srcLen, srcLen));
        Tensor byHand = MatMul.matmul(out.weights().reshape(srcLen, srcLen), x.reshape(srcLen, -1));
        report.check("output = weights V (recomputed by hand)", close(byHand, out.output().reshape(srcLen, -1)));
        boolean sameRows = Arrays.equals(out.weights().data(), 0, srcLen, out.weights().data(), 4 * srcLen,
                5 * srcLen);
        report.check("the two \"the\" rows are identical: without positions attention is order-blind", sameRows);
    }

    // (2) ------------------------------------------------------------------------------------------------------

    private MultiHeadAttention selfAttention() {
        Tensor x = example.sourceEmbeddings(); // (1, srcLen, modelDim)
        int e = DemoExample.MODEL_DIM;
        section("[2/5] Self-attention with learned W_Q, W_K, W_V (MultiHeadAttention, 1 head)",
                "Q = X W_Q^T, K = X W_K^T, V = X W_V^T from the same sentence; output = Attention(Q, K, V) W_O^T.",
                "The W are untrained (PyTorch's init, seed " + SELF_ATTENTION_SEED + "): training is what makes the "
                        + "pattern mean something.");
        MultiHeadAttention attention = new MultiHeadAttention(MultiHeadAttentionConfig.of(e, 1), SELF_ATTENTION_SEED);
        AttentionOutput out = attention.forward(x, x, x, Mask.none(), AttentionWeights.PER_HEAD);
        Projections p = Projections.of(attention, x, x, x);
        shapes("X " + x.shape() + " -> Q " + p.query().shape() + "  K " + p.key().shape() + "  V "
                + p.value().shape(), out);
        report.line("  params " + attention.parameterCount() + ": " + describeParameters(attention.namedParameters()));
        grid(out.weights().data(), 0, example.sourceTokens(), example.sourceTokens());
        int srcLen = x.dim(1);
        report.check("every row sums to 1", rowsSumToOne(out.weights().data(), 0, srcLen, srcLen));
        AttentionOutput direct = ScaledDotProductAttention.attend(p.query(), p.key(), p.value(), Mask.none(),
                AttentionOptions.DEFAULTS.withWeights(AttentionWeights.PER_HEAD));
        Tensor output = MatMul.linear(direct.output(), p.outWeight(), p.outBias());
        report.check("same as [1] on the projections, then W_O",
                close(direct.weights(), out.weights().reshape(1, srcLen, srcLen)) && close(output, out.output()));
        return attention;
    }

    // (3) ------------------------------------------------------------------------------------------------------

    private void multiHead() {
        Tensor x = example.sourceEmbeddings(); // (1, srcLen, modelDim)
        int e = DemoExample.MODEL_DIM;
        int numHeads = 2;
        int headDim = e / numHeads;
        section("[3/5] Multi-head attention (" + numHeads + " heads of " + headDim + " dims)",
                "MultiHead(Q, K, V) = Concat(head_1, head_2) W_O, head_i = Attention(Q W_Q^i, K W_K^i, V W_V^i):",
                "each head attends in its own " + headDim + "-dim slice, so each can learn its own pattern.");
        MultiHeadAttention attention = new MultiHeadAttention(MultiHeadAttentionConfig.of(e, numHeads),
                MULTI_HEAD_SEED);
        AttentionOutput out = attention.forward(x, x, x, Mask.none(), AttentionWeights.PER_HEAD);
        Projections p = Projections.of(attention, x, x, x);
        Tensor q = splitHeads(p.query(), numHeads); // (1, numHeads, srcLen, headDim)
        Tensor k = splitHeads(p.key(), numHeads);
        Tensor v = splitHeads(p.value(), numHeads);
        shapes("X " + x.shape() + " -> Q, K, V split into heads " + q.shape(), out);
        int srcLen = x.dim(1);
        boolean rowsOk = true;
        for (int h = 0; h < numHeads; h++) {
            report.line("  head " + (h + 1) + ":");
            grid(out.weights().data(), h * srcLen * srcLen, example.sourceTokens(), example.sourceTokens());
            rowsOk &= rowsSumToOne(out.weights().data(), h * srcLen * srcLen, srcLen, srcLen);
        }
        report.check("every row of every head sums to 1", rowsOk);
        AttentionOutput direct = ScaledDotProductAttention.attend(q, k, v, Mask.none(),
                AttentionOptions.DEFAULTS.withWeights(AttentionWeights.PER_HEAD));
        report.check("head i = [1] on dims " + headDim + "(i-1) .. " + headDim + "i-1 of the projections",
                close(direct.weights(), out.weights()));
    }

    // (4) ------------------------------------------------------------------------------------------------------

    private void crossAttention() {
        Tensor target = example.targetEmbeddings(); // (1, tgtLen, modelDim)
        Tensor source = example.sourceEmbeddings(); // (1, srcLen, modelDim)
        int e = DemoExample.MODEL_DIM;
        section("[4/5] Cross-attention: Q from the target, K and V from the source",
                "How the decoder looks at the encoder: each target word asks which source words matter to it.",
                "W_Q = W_K = W_V = W_O = I here (loaded by PyTorch state-dict names) to show the raw alignment.");
        MultiHeadAttention attention = new MultiHeadAttention(MultiHeadAttentionConfig.of(e, 1), 0L);
        attention.loadStateDict(Map.of(
                "in_proj_weight", stackedIdentity(3, e), // (3 * modelDim, modelDim): W_Q; W_K; W_V
                "in_proj_bias", Tensor.zeros(3 * e),
                "out_proj.weight", stackedIdentity(1, e),
                "out_proj.bias", Tensor.zeros(e)));
        AttentionOutput out = attention.forward(target, source, source, Mask.none(), AttentionWeights.PER_HEAD);
        shapes("Q " + target.shape() + " (target)  K " + source.shape() + "  V " + source.shape() + " (source)", out);
        grid(out.weights().data(), 0, example.targetTokens(), example.sourceTokens());
        int tgtLen = target.dim(1);
        int srcLen = source.dim(1);
        StringBuilder strongest = new StringBuilder("  strongest key per query:");
        for (int i = 0; i < tgtLen; i++) {
            int best = argmax(out.weights().data(), i * srcLen, srcLen);
            strongest.append("  ").append(example.targetTokens().get(i)).append(" -> ")
                    .append(example.sourceTokens().get(best));
        }
        report.line(strongest.toString());
        report.check("every row sums to 1", rowsSumToOne(out.weights().data(), 0, tgtLen, srcLen));
        report.check("one output row per target token: output length " + out.output().dim(1) + " = tgtLen, not srcLen "
                + srcLen, out.output().dim(1) == tgtLen);
    }

    // (5) ------------------------------------------------------------------------------------------------------

    private void maskedSelfAttention(MultiHeadAttention attention) {
        Tensor y = example.targetEmbeddings(); // (1, tgtLen, modelDim)
        section("[5/5] Masked (causal) self-attention, the decoder's first sub-layer",
                "Token t may only see tokens 1..t, so a whole sentence trains at once without peeking ahead:",
                "scores above the diagonal become -inf before the softmax, so their weights are exactly 0.");
        report.line("  the module of [2], on the target, with Mask.causal()");
        AttentionOutput out = attention.forward(y, y, y, Mask.causal(), AttentionWeights.PER_HEAD);
        shapes("Q " + y.shape() + "  K " + y.shape() + "  V " + y.shape(), out);
        grid(out.weights().data(), 0, example.targetTokens(), example.targetTokens());
        int tgtLen = y.dim(1);
        float[] w = out.weights().data();
        int above = 0;
        boolean zeros = true;
        for (int i = 0; i < tgtLen; i++) {
            for (int j = i + 1; j < tgtLen; j++) {
                above++;
                zeros &= w[i * tgtLen + j] == 0f;
            }
        }
        report.check("all " + above + " weights above the diagonal are exactly 0", zeros);
        report.check("every row sums to 1; the first token sees only itself (weight 1)",
                rowsSumToOne(w, 0, tgtLen, tgtLen) && w[0] == 1f);
        Tensor changed = y.copy();
        int e = DemoExample.MODEL_DIM;
        Arrays.fill(changed.data(), (tgtLen - 1) * e, tgtLen * e, 3f);
        Tensor changedOut = attention.forward(changed, changed, changed, Mask.causal());
        int earlier = (tgtLen - 1) * e;
        report.check("changing the last token leaves the outputs before it unchanged, bit for bit",
                Arrays.equals(out.output().data(), 0, earlier, changedOut.data(), 0, earlier));
    }

    // (+) ------------------------------------------------------------------------------------------------------

    private void encoderDecoder() {
        TransformerConfig transformer = TransformerConfig.tiny();
        TransformerLayerConfig layer = transformer.layer();
        List<String> srcVocab = List.of("<pad>", "<bos>", "<eos>", "the", "cat", "sat", "on", "mat");
        List<String> tgtVocab = new ArrayList<>(List.of("<pad>", "<bos>", "<eos>"));
        tgtVocab.addAll(example.targetTokens());
        Seq2SeqConfig config = new Seq2SeqConfig(transformer, srcVocab.size(), tgtVocab.size(), 16,
                Seq2SeqConfig.Positions.SINUSOIDAL, Seq2SeqConfig.OutputProjection.TIED_TO_TARGET_EMBEDDING);
        report.line("");
        report.line("[+] All of it: an encoder-decoder Seq2SeqTransformer");
        report.line(String.format(Locale.ROOT, "  TransformerConfig.tiny(): modelDim %d, %d heads, %d encoder + "
                        + "%d decoder layers, ffnDim %d", layer.modelDim(), layer.numHeads(),
                transformer.numEncoderLayers(), transformer.numDecoderLayers(), layer.ffnDim()));
        report.line("  encoder layer = self-attention + feed-forward (each with residual + LayerNorm)");
        report.line("  decoder layer = masked self-attention + cross-attention on the memory + feed-forward");
        Seq2SeqTransformer model = new Seq2SeqTransformer(config, TRANSFORMER_SEED);

        int[][] src = {ids(srcVocab, example.sourceTokens())}; // (batchSize, srcLen)
        List<String> tgtIn = new ArrayList<>(List.of("<bos>"));
        tgtIn.addAll(example.targetTokens());
        int[][] tgt = {ids(tgtVocab, tgtIn)};                   // (batchSize, tgtLen): shifted right
        Tensor memory = model.encode(src, Mask.none(), Mode.INFERENCE);
        Tensor logits = model.decode(tgt, memory, Mask.none(), Mask.none(), Mode.INFERENCE);
        report.line("  source ids [1, " + src[0].length + "] " + Arrays.toString(src[0]) + " -> encoder"
                + " -> memory " + memory.shape() + " (computed once per source)");
        report.line("  target ids [1, " + tgt[0].length + "] " + Arrays.toString(tgt[0]) + " + memory -> decoder"
                + " -> logits " + logits.shape());
        report.line("  (the target shifted right: \"" + String.join(" ", tgtIn) + "\"; at each position the "
                + "logits score");
        report.line("  each of the " + tgtVocab.size() + " target words as the next one; untrained, so they mean "
                + "nothing yet)");
        report.line("  parameters: " + String.format(Locale.ROOT, "%,d", model.parameterCount()) + " ("
                + describeGroups(model.namedParameters()) + ")");

        Tensor full = model.forward(src, tgt, Mask.none(), Mask.none(), Mode.INFERENCE);
        report.check("forward() = encode() then decode(), and every logit is finite",
                full.bitEquals(logits) && allFinite(logits));
        int[][] changed = {tgt[0].clone()};
        changed[0][changed[0].length - 1] = tgtVocab.indexOf("<eos>");
        Tensor changedLogits = model.forward(src, changed, Mask.none(), Mask.none(), Mode.INFERENCE);
        int earlier = (tgt[0].length - 1) * tgtVocab.size();
        report.check("changing the last target token leaves the earlier positions' logits unchanged",
                Arrays.equals(logits.data(), 0, earlier, changedLogits.data(), 0, earlier));
    }

    // ----------------------------------------------------------------------------------------------------------

    private void section(String title, String... explanation) {
        report.line("");
        report.line(title);
        for (String line : explanation) {
            report.line("  " + line);
        }
    }

    private void shapes(String inputs, AttentionOutput out) {
        String outputs = "-> output " + out.output().shape() + ", weights " + out.weights().shape();
        String line = "  shapes: " + inputs + " " + outputs;
        if (line.length() <= MAX_WIDTH) {
            report.line(line);
        } else {
            report.line("  shapes: " + inputs);
            report.line("          " + outputs);
        }
    }

    private void grid(float[] weights, int offset, List<String> queries, List<String> keys) {
        report.lines(WeightGrid.render(weights, offset, queries, keys, "query\\key", INDENT));
    }

    /** The input projections of a {@link MultiHeadAttention}, recomputed from its PyTorch-named parameters. */
    private record Projections(Tensor query, Tensor key, Tensor value, Tensor outWeight, Tensor outBias) {

        static Projections of(MultiHeadAttention attention, Tensor query, Tensor key, Tensor value) {
            Map<String, Tensor> params = attention.namedParameters();
            Tensor inWeight = params.get("in_proj_weight"); // (3 * modelDim, modelDim)
            Tensor inBias = params.get("in_proj_bias");     // (3 * modelDim)
            return new Projections(project(query, inWeight, inBias, 0), project(key, inWeight, inBias, 1),
                    project(value, inWeight, inBias, 2), params.get("out_proj.weight"), params.get("out_proj.bias"));
        }

        /** {@code x W^T + b} with W = rows {@code which * e .. (which + 1) * e - 1} of the packed weight. */
        private static Tensor project(Tensor x, Tensor inWeight, Tensor inBias, int which) {
            int e = inWeight.dim(1);
            Tensor w = Tensor.of(Arrays.copyOfRange(inWeight.data(), which * e * e, (which + 1) * e * e), e, e);
            Tensor b = Tensor.of(Arrays.copyOfRange(inBias.data(), which * e, (which + 1) * e), e);
            return MatMul.linear(x, w, b);
        }
    }

    /** {@code (batchSize, len, numHeads * headDim) -> (batchSize, numHeads, len, headDim)}. */
    private static Tensor splitHeads(Tensor x, int numHeads) {
        int batchSize = x.dim(0);
        int len = x.dim(1);
        int headDim = x.dim(2) / numHeads;
        Tensor out = Tensor.zeros(batchSize, numHeads, len, headDim);
        for (int b = 0; b < batchSize; b++) {
            for (int h = 0; h < numHeads; h++) {
                for (int t = 0; t < len; t++) {
                    System.arraycopy(x.data(), (b * len + t) * numHeads * headDim + h * headDim, out.data(),
                            ((b * numHeads + h) * len + t) * headDim, headDim);
                }
            }
        }
        return out;
    }

    /** {@code copies} identity matrices of size {@code n} stacked vertically: {@code (copies * n, n)}. */
    private static Tensor stackedIdentity(int copies, int n) {
        Tensor t = Tensor.zeros(copies * n, n);
        for (int c = 0; c < copies; c++) {
            for (int i = 0; i < n; i++) {
                t.set(1f, c * n + i, i);
            }
        }
        return t;
    }

    private static String describeParameters(Map<String, Tensor> params) {
        List<String> parts = new ArrayList<>();
        params.forEach((name, t) -> parts.add(name + " " + t.shape()));
        return String.join(", ", parts);
    }

    /** Parameter counts grouped by where they live: embeddings, encoder, decoder, output projection. */
    private static String describeGroups(Map<String, Tensor> params) {
        Map<String, Long> groups = new LinkedHashMap<>();
        params.forEach((name, t) -> {
            String group = name.startsWith("transformer.encoder") ? "encoder"
                    : name.startsWith("transformer.decoder") ? "decoder"
                    : name.contains("emb") || name.startsWith("positional") ? "embeddings" : "output";
            groups.merge(group, (long) t.size(), Long::sum);
        });
        List<String> parts = new ArrayList<>();
        groups.forEach((g, n) -> parts.add(g + " " + String.format(Locale.ROOT, "%,d", n)));
        return String.join(", ", parts);
    }

    private static int[] ids(List<String> vocab, List<String> tokens) {
        return tokens.stream().mapToInt(vocab::indexOf).toArray();
    }

    private static boolean rowsSumToOne(float[] w, int offset, int rows, int cols) {
        for (int i = 0; i < rows; i++) {
            double sum = 0;
            for (int j = 0; j < cols; j++) {
                sum += w[offset + i * cols + j];
            }
            if (!(Math.abs(sum - 1) <= TOLERANCE)) {
                return false;
            }
        }
        return true;
    }

    private static boolean close(Tensor a, Tensor b) {
        return a.shape().equals(b.shape()) && a.maxAbsDifference(b) <= TOLERANCE;
    }

    private static boolean allFinite(Tensor t) {
        for (float f : t.data()) {
            if (!Float.isFinite(f)) {
                return false;
            }
        }
        return true;
    }

    private static int argmax(float[] x, int offset, int n) {
        int best = 0;
        for (int j = 1; j < n; j++) {
            if (x[offset + j] > x[offset + best]) {
                best = j;
            }
        }
        return best;
    }
}
