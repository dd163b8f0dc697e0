package dev.attention4j.cli;

import dev.attention4j.generate.Generation;
import dev.attention4j.generate.GenerationConfig;
import dev.attention4j.generate.Generator;
import dev.attention4j.inspect.AttentionRecorder;
import dev.attention4j.nn.attention.AttentionKind;
import dev.attention4j.nn.attention.AttentionMap;
import dev.attention4j.nn.attention.AttentionSite;
import dev.attention4j.nn.transformer.TransformerConfig;
import dev.attention4j.train.data.NumberWords;
import dev.attention4j.train.data.Tokenizer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The demo's translation chapter: the encoder-decoder model built into the jar (English number words to Chinese
 * numerals) translates a few inputs with cached greedy decoding, and shows where it looked — the cross-attention of
 * its last decoder layer, averaged over heads: one row per output character, one column per source word. Checks the
 * translations against {@link NumberWords} (the rule the training data came from) and that the alignment recomputed
 * without any cache equals what the cached steps attended to.
 */
final class TranslationDemo {

    /** Inputs to translate; the first one's alignment is shown. */
    static final long[] NUMBERS = {2005, 307, 41_600};
    private static final int MAX_NEW_TOKENS = 24;

    /** What the chapter translated and recorded, for the explorer chapter to write out. */
    record Result(List<String> inputs, List<String> outputs, List<TranslationAttention> attention) {
    }

    private TranslationDemo() {
    }

    /** Runs the chapter; {@code null} if the built-in model cannot be loaded (a failed check says why). */
    static Result run(DemoReport report) {
        report.line("");
        report.line("[Translate] An encoder-decoder Transformer at work: the numbers model built into the jar");
        TrainedModel model;
        try {
            model = TrainedModel.builtIn();
        } catch (IOException | UserError e) {
            report.check("load the built-in numbers model (" + e.getMessage() + ")", false);
            return null;
        }
        TransformerConfig shape = model.model().config().transformer();
        report.line("  " + shape.numEncoderLayers() + " encoder + " + shape.numDecoderLayers() + " decoder layers, "
                + shape.layer().numHeads() + " heads, " + shape.layer().modelDim() + " wide, trained by `attention4j"
                + " train` to turn English number words");
        report.line("  into Chinese numerals. The source is encoded once; each decoder layer's cross-attention keys"
                + " and values");
        report.line("  are projected once and cached, while its self-attention cache grows by one token a step.");
        List<String> inputs = new ArrayList<>();
        List<String> outputs = new ArrayList<>();
        List<TranslationAttention> attention = new ArrayList<>();
        boolean allRight = true;
        boolean sameAsCached = true;
        for (long number : NUMBERS) {
            String text = NumberWords.english(number);
            int[] src = model.sourceTokenizer().encode(text);
            AttentionRecorder steps = AttentionRecorder.allHeads().onlyAt(s -> s.kind() == AttentionKind.CROSS);
            Generation generated = Generator.generate(model.model(), new int[][] {src}, new int[] {src.length},
                    Tokenizer.BOS_ID, GenerationConfig.greedy(MAX_NEW_TOKENS, Tokenizer.EOS_ID), steps).get(0);
            String output = model.targetTokenizer().decode(generated.tokens());
            boolean right = output.equals(NumberWords.chinese(number));
            allRight &= right;
            report.line("  " + text + "  ->  " + output + (right ? "" : "   (expected " + NumberWords.chinese(number)
                    + ")"));
            TranslationAttention a = TranslationAttention.of(model, src, generated.best());
            sameAsCached &= sameAsSteps(a, steps);
            inputs.add(text);
            outputs.add(output);
            attention.add(a);
        }
        TranslationAttention first = attention.get(0);
        int last = first.cross().layers() - 1;
        report.line("");
        report.line("  Where the last decoder layer looked while writing \"" + outputs.get(0) + "\" (cross-attention,"
                + " mean of " + first.cross().heads() + " heads):");
        report.lines(WeightGrid.render(first.cross().headAverage(last), 0, first.produced(), first.source(),
                "output\\source", "    "));
        report.check("the translations are the numbers' Chinese numerals", allRight);
        report.check("the alignment recomputed without caches equals what the cached steps attended to (1e-5)",
                sameAsCached);
        return new Result(List.copyOf(inputs), List.copyOf(outputs), List.copyOf(attention));
    }

    /** Whether every layer's and head's teacher-forced cross-attention row equals the cached step's map. */
    private static boolean sameAsSteps(TranslationAttention a, AttentionRecorder steps) {
        int srcLen = a.source().size();
        for (int layer = 0; layer < a.cross().layers(); layer++) {
            for (int t = 0; t < a.produced().size(); t++) {
                AttentionMap step = steps.map(new AttentionSite(AttentionSite.Stack.DECODER, layer,
                        AttentionKind.CROSS, t));
                for (int k = 0; k < a.cross().heads(); k++) {
                    for (int j = 0; j < srcLen; j++) {
                        if (Math.abs(a.cross().weights()[layer][k][t * srcLen + j] - step.weight(0, k, 0, j)) > 1e-5f) {
                            return false;
                        }
                    }
                }
            }
        }
        return true;
    }
}
