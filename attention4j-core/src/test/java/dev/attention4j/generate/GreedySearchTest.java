package dev.attention4j.generate;

import dev.attention4j.nn.transformer.Seq2SeqConfig;
import dev.attention4j.nn.transformer.Seq2SeqTransformer;
import dev.attention4j.nn.transformer.TransformerConfig;
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
        for (int b = 0; b < sources.length; b++) {
            int[] alone = oneByOne(Arrays.copyOf(sources[b], lengths[b]), 12);
            assertThat(batched[b]).as("sequence %d", b).containsExactly(alone);
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
    void badArgumentsAreNamed() {
        assertThatThrownBy(() -> GreedySearch.decode(model, new int[][] {{5}}, new int[] {1, 1}, BOS, EOS, 3))
                .hasMessageContaining("srcLengths");
        assertThatThrownBy(() -> GreedySearch.decode(model, new int[][] {{5}}, new int[] {1}, BOS, EOS, -1))
                .hasMessageContaining("maxLen");
        assertThatThrownBy(() -> GreedySearch.decode(model, new int[][] {{5}}, new int[] {2}, BOS, EOS, 3))
                .hasMessageContaining("lengths[0]");
    }
}
