package dev.attention4j.train;

import dev.attention4j.autograd.CrossEntropyOp;
import dev.attention4j.autograd.Tape;
import dev.attention4j.nn.Activation;
import dev.attention4j.nn.Mode;
import dev.attention4j.nn.Module;
import dev.attention4j.nn.attention.Mask;
import dev.attention4j.nn.transformer.DecoderOnlyTransformer;
import dev.attention4j.nn.transformer.EncoderOnlyTransformer;
import dev.attention4j.nn.transformer.NormPlacement;
import dev.attention4j.nn.transformer.Seq2SeqConfig;
import dev.attention4j.nn.transformer.TransformerLayerConfig;
import dev.attention4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The two other shapes of Transformer train with the same pieces (tape, fused cross-entropy, Adam): a decoder-only
 * model learns to continue a counting sequence, an encoder-only tagger learns each token's label from context.
 */
class EncoderOnlyAndDecoderOnlyTrainingTest {

    static final TransformerLayerConfig LAYER = TransformerLayerConfig.of(32, 4, 64).withDropout(0f)
            .withActivation(Activation.GELU).withNormPlacement(NormPlacement.PRE);

    /** Trains for {@code steps} and returns the loss before and after. */
    static double[] train(Module model, int steps, Function<Mode, Tensor> logits, int[] targets) {
        Adam adam = new Adam(AdamConfig.paper());
        double first = Double.NaN;
        double last = Double.NaN;
        for (int step = 0; step < steps; step++) {
            Tape tape = new Tape();
            Tensor loss = CrossEntropyOp.apply(tape, logits.apply(Mode.training(step, tape)), targets, -1, 0f);
            adam.step(model.namedParameters(), tape.backward(loss), 3e-3f);
            if (step == 0) {
                first = loss.data()[0];
            }
            last = loss.data()[0];
        }
        return new double[] {first, last};
    }

    @Test
    void aDecoderOnlyModelLearnsToCountOn() {
        int vocab = 12;
        int[][] tokens = new int[8][10];
        int[] next = new int[8 * 10];
        SplittableRandom random = new SplittableRandom(1);
        for (int b = 0; b < 8; b++) {
            int start = random.nextInt(vocab);
            for (int t = 0; t < 10; t++) {
                tokens[b][t] = (start + t) % vocab;
                next[b * 10 + t] = (start + t + 1) % vocab; // each position predicts the following token
            }
        }
        DecoderOnlyTransformer model = new DecoderOnlyTransformer(LAYER, 2, vocab, 16,
                Seq2SeqConfig.Positions.SINUSOIDAL, 5L);
        assertThat(model.namedParameters().keySet()).contains("tok_emb.weight", "layers.1.self_attn.in_proj_weight",
                "norm.weight", "lm_head.bias").doesNotContain("lm_head.weight");
        double[] loss = train(model, 60, mode -> model.forward(tokens, Mask.none(), mode), next);
        assertThat(loss[1]).isLessThan(0.1 * loss[0]);
    }

    @Test
    void anEncoderOnlyTaggerLearnsLabelsThatNeedContext() {
        // label of token t = whether the sequence contains a 7 anywhere: only bidirectional attention can know
        int[][] tokens = new int[16][6];
        int[] labels = new int[16 * 6];
        SplittableRandom random = new SplittableRandom(2);
        for (int b = 0; b < 16; b++) {
            boolean seven = b % 2 == 0;
            for (int t = 0; t < 6; t++) {
                tokens[b][t] = random.nextInt(7);
            }
            if (seven) {
                tokens[b][random.nextInt(6)] = 7;
            }
            for (int t = 0; t < 6; t++) {
                labels[b * 6 + t] = seven ? 1 : 0;
            }
        }
        EncoderOnlyTransformer model = new EncoderOnlyTransformer(LAYER, 2, 8, 2, 8,
                Seq2SeqConfig.Positions.LEARNED, 6L);
        double[] loss = train(model, 60, mode -> model.forward(tokens, Mask.none(), mode), labels);
        assertThat(loss[1]).isLessThan(0.1 * loss[0]);
        Tensor scores = model.forward(tokens, Mask.none(), Mode.INFERENCE);
        assertThat(CrossEntropyOp.stats(scores, labels, -1).accuracy()).isEqualTo(1.0);
    }
}
