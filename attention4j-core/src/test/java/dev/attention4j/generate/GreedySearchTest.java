package dev.attention4j.generate;

import dev.attention4j.nn.transformer.NormPlacement;
import dev.attention4j.nn.transformer.Seq2SeqConfig;
import dev.attention4j.nn.transformer.Seq2SeqTransformer;
import dev.attention4j.nn.transformer.TransformerConfig;
import dev.attention4j.nn.transformer.TransformerLayerConfig;
import dev.attention4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GreedySearchTest {

    static final int BOS = 1;
    static final int EOS = 2;
    final Seq2SeqTransformer model = new Seq2SeqTransformer(Seq2SeqConfig.of(TransformerConfig.tiny(), 20, 12, 40), 3L);

    /** The definition, one sequence at a time: rerun the model on the prefix and take the argmax. */
    private int[] oneByOne(int[] src, int maxLen) {
        int[] prefix = {BOS};
        for (int step = 0; step < maxLen; step++) {
            Tensor logits = model.forward(new int[][] {src}, new int[][] {prefix});
            int vocab = logits.dim(2);
            int next = GreedySearch.argmax(logits.data(), step * vocab, vocab);
            if (next == EOS) {
                break;
            }
            prefix = Arrays.copyOf(prefix, prefix.length + 1);
            prefix[prefix.length - 1] = next;
        }
        return Arrays.copyOfRange(prefix, 1, prefix.length);
    }

    @Test
    void batchedDecodingOfPaddedSourcesEqualsDecodingEachAlone() {
        int[][] sources = {{5, 6, 7, 8, 9}, {10, 11, 0, 0, 0}, {12, 13, 14, 0, 0}};
        int[] lengths = {5, 2, 3};
        int[][] batched = GreedySearch.decode(model, sources, lengths, BOS, EOS, 12);
        int[][] recomputed = GreedySearch.decodeRecomputing(model, sources, lengths, BOS, EOS, 12);
        for (int b = 0; b < sources.length; b++) {
            int[] alone = oneByOne(Arrays.copyOf(sources[b], lengths[b]), 12);
            assertThat(batched[b]).as("sequence %d", b).containsExactly(alone);
            assertThat(recomputed[b]).as("sequence %d, recomputing", b).containsExactly(alone);
        }
    }

    @Test
    void stopsAtMaxLenAndNeverEmitsEos() {
        int[][] out = GreedySearch.decode(model, new int[][] {{5, 6}}, new int[] {2}, BOS, EOS, 3);
        assertThat(out[0].length).isLessThanOrEqualTo(3);
        assertThat(out[0]).doesNotContain(EOS);
        assertThat(GreedySearch.decode(model, new int[][] {{5, 6}}, new int[] {2}, BOS, EOS, 0)[0]).isEmpty();
    }

    @Test
    void aSequenceStopsOnItsOwn() {
        // Make EOS the certain choice after the first token by biasing the output projection towards it.
        Seq2SeqTransformer m = new Seq2SeqTransformer(Seq2SeqConfig.of(TransformerConfig.tiny(), 20, 12, 40), 4L);
        m.namedParameters().get("generator.bias").data()[EOS] = 1e4f;
        int[][] out = GreedySearch.decode(m, new int[][] {{5, 6, 7}, {8, 0, 0}}, new int[] {3, 1}, BOS, EOS, 10);
        assertThat(out[0]).isEmpty();
        assertThat(out[1]).isEmpty();
    }

    @Test
    void cachedDecodingGivesTheSameTokensAsRecomputing() {
        int[][] sources = {{5, 6, 7, 8, 9, 3}, {10, 11, 0, 0, 0, 0}, {12, 13, 14, 15, 0, 0}, {4, 0, 0, 0, 0, 0}};
        int[] lengths = {6, 2, 4, 1};
        int tokens = 0;
        for (long seed = 10; seed < 16; seed++) {
            TransformerLayerConfig layer = TransformerLayerConfig.of(32, 4, 64).withDropout(0f)
                    .withNormPlacement(seed % 2 == 0 ? NormPlacement.POST : NormPlacement.PRE);
            Seq2SeqTransformer m = new Seq2SeqTransformer(
                    Seq2SeqConfig.of(new TransformerConfig(layer, 2, 1 + (int) (seed % 3)), 20, 12, 40), seed);
            int[][] cached = GreedySearch.decode(m, sources, lengths, BOS, EOS, 15);
            int[][] recomputed = GreedySearch.decodeRecomputing(m, sources, lengths, BOS, EOS, 15);
            for (int b = 0; b < sources.length; b++) {
                assertThat(cached[b]).as("seed %d, sequence %d", seed, b).containsExactly(recomputed[b]);
                tokens += cached[b].length;
            }
        }
        assertThat(tokens).as("tokens generated in all").isGreaterThan(6 * sources.length * 5);
    }

    @Test
    void badArgumentsAreNamed() {
        assertThatThrownBy(() -> GreedySearch.decode(model, new int[][] {{5}}, new int[] {1, 1}, BOS, EOS, 3))
                .hasMessageContaining("srcLengths");
        assertThatThrownBy(() -> GreedySearch.decode(model, new int[][] {{5}}, new int[] {1}, BOS, EOS, -1))
                .hasMessageContaining("maxLen");
        assertThatThrownBy(() -> GreedySearch.decode(model, new int[][] {{5}}, new int[] {2}, BOS, EOS, 3))
                .hasMessageContaining("lengths[0]");
        assertThatThrownBy(() -> GreedySearch.decodeRecomputing(model, new int[][] {{5}}, new int[] {1}, BOS, EOS, -1))
                .hasMessageContaining("maxLen");
    }
}
