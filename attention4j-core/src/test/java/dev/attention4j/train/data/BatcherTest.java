package dev.attention4j.train.data;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BatcherTest {

    @Test
    void batchAddsBosAndEosAndPads() {
        Batch b = Batch.of(List.of(new EncodedExample(new int[] {5, 6, 7}, new int[] {8, 9}),
                new EncodedExample(new int[] {10}, new int[] {11, 12, 13, 14}),
                new EncodedExample(new int[] {15, 16}, new int[] {})));
        assertThat(b.src()).isDeepEqualTo(new int[][] {{5, 6, 7}, {10, 0, 0}, {15, 16, 0}});
        assertThat(b.tgtIn()).isDeepEqualTo(new int[][] {{1, 8, 9, 0, 0}, {1, 11, 12, 13, 14}, {1, 0, 0, 0, 0}});
        assertThat(b.tgtOut()).isDeepEqualTo(new int[][] {{8, 9, 2, 0, 0}, {11, 12, 13, 14, 2}, {2, 0, 0, 0, 0}});
        assertThat(b.srcLengths()).containsExactly(3, 1, 2);
        assertThat(b.tgtLengths()).containsExactly(3, 5, 1);
        assertThat(b.tokens()).isEqualTo(9);
        assertThat(b.batchSize()).isEqualTo(3);
        assertThat(b.srcLen()).isEqualTo(3);
        assertThat(b.tgtLen()).isEqualTo(5);
        assertThat(b.paddedTokens()).isEqualTo(15);
        assertThatThrownBy(() -> new EncodedExample(new int[] {}, new int[] {4}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("src");
        assertThatThrownBy(() -> Batch.of(List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void encodeUsesBothTokenizers() {
        List<Example> examples = List.of(new Example("ab", "x y"));
        CharTokenizer chars = CharTokenizer.train(List.of("ab"));
        WordTokenizer words = WordTokenizer.train(List.of("x y"));
        List<EncodedExample> encoded = EncodedExample.encode(examples, chars, words);
        assertThat(encoded.get(0).src()).containsExactly(4, 5);
        assertThat(encoded.get(0).tgt()).containsExactly(4, 5);
        assertThatThrownBy(() -> EncodedExample.encode(List.of(new Example("  ", "x")), words, words))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("examples[0]");
    }

    static List<EncodedExample> randomExamples(long seed, int count) {
        SplittableRandom random = new SplittableRandom(seed);
        List<EncodedExample> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int srcLen = 1 + random.nextInt(40);
            int tgtLen = Math.max(0, srcLen + random.nextInt(-3, 4));
            int[] src = random.ints(srcLen, 4, 50).toArray();
            int[] tgt = random.ints(tgtLen, 4, 50).toArray();
            src[0] = 1000 + i; // tags the example, so batches can be traced back
            out.add(new EncodedExample(src, tgt));
        }
        return out;
    }

    @Test
    void everyEpochHoldsEachExampleOnceWithinTheLimits() {
        List<EncodedExample> examples = randomExamples(1, 3000);
        BatchLimits limits = new BatchLimits(32, 600);
        Batcher batcher = new Batcher(examples, limits, 7);
        for (int epoch = 0; epoch < 3; epoch++) {
            int[] seen = new int[examples.size()];
            long padded = 0;
            long real = 0;
            for (Batch b : batcher.epoch(epoch)) {
                assertThat(b.batchSize()).isLessThanOrEqualTo(32);
                assertThat(b.paddedTokens()).isLessThanOrEqualTo(600);
                for (int row = 0; row < b.batchSize(); row++) {
                    int i = b.src()[row][0] - 1000;
                    seen[i]++;
                    assertThat(Arrays.copyOf(b.src()[row], b.srcLengths()[row])).isEqualTo(examples.get(i).src());
                    assertThat(b.tgtLengths()[row]).isEqualTo(examples.get(i).tgt().length + 1);
                    real += b.srcLengths()[row];
                }
                padded += (long) b.batchSize() * b.srcLen();
            }
            assertThat(seen).containsOnly(1);
            // sorting within chunks of 3200 (all 3000 here) leaves almost no source padding
            assertThat((double) (padded - real) / padded).isLessThan(0.05);
        }
    }

    @Test
    void epochsAreDeterministicAndDiffer() {
        List<EncodedExample> examples = randomExamples(2, 500);
        Batcher a = new Batcher(examples, BatchLimits.sentences(16), 11);
        Batcher b = new Batcher(examples, BatchLimits.sentences(16), 11);
        assertThat(trace(a.epoch(3))).isEqualTo(trace(b.epoch(3)));
        assertThat(trace(a.epoch(3))).isNotEqualTo(trace(a.epoch(4)));
        BatchLimits limits = BatchLimits.sentences(16);
        assertThat(trace(a.epoch(3))).isNotEqualTo(trace(new Batcher(examples, limits, 12).epoch(3)));
        // epoch e of seed s is not epoch e + 1 of seed s - 1
        assertThat(trace(a.epoch(3))).isNotEqualTo(trace(new Batcher(examples, limits, 10).epoch(4)));
        assertThat(a.epoch(0).size()).isGreaterThanOrEqualTo(500 / 16);
    }

    @Test
    void smallChunksStillSortWithinThemselves() {
        // 2 sentences per batch: chunks of 200 examples; every batch is two examples adjacent in a sorted chunk
        List<EncodedExample> examples = randomExamples(3, 1000);
        Batcher batcher = new Batcher(examples, BatchLimits.sentences(2), 5);
        Map<Integer, Integer> sizes = new HashMap<>();
        for (Batch b : batcher.epoch(0)) {
            sizes.merge(b.batchSize(), 1, Integer::sum);
            if (b.batchSize() == 2) {
                assertThat(b.srcLengths()[0]).isLessThanOrEqualTo(b.srcLengths()[1]);
                assertThat(b.srcLengths()[1] - b.srcLengths()[0]).isLessThanOrEqualTo(2);
            }
        }
        assertThat(sizes).containsExactly(Map.entry(2, 500));
    }

    @Test
    void anExampleTooLongForMaxTokensIsNamed() {
        List<EncodedExample> examples = List.of(new EncodedExample(new int[] {4}, new int[] {4}),
                new EncodedExample(new int[] {4, 5, 6}, new int[] {4}));
        assertThatThrownBy(() -> new Batcher(examples, new BatchLimits(8, 2), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("examples[1]")
                .hasMessageContaining("3 padded tokens").hasMessageContaining("maxTokens = 2");
        assertThatThrownBy(() -> new BatchLimits(0, 10)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("batchSize");
    }

    private static List<List<Integer>> trace(List<Batch> epoch) {
        List<List<Integer>> out = new ArrayList<>();
        for (Batch b : epoch) {
            List<Integer> ids = new ArrayList<>();
            for (int[] row : b.src()) {
                ids.add(row[0]);
            }
            out.add(ids);
        }
        return out;
    }
}
