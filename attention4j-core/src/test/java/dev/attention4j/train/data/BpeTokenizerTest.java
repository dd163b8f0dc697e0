package dev.attention4j.train.data;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BpeTokenizerTest {

    /**
     * Worked by hand. Words: ▁low x2, ▁lower, ▁lowest. Character counts: ▁ l o w 4 each, e 2, r s t 1 each, so the
     * alphabet is l o w ▁ (ties by code point; ▁ is U+2581) e r s t = ids 4..11. Pair counts: (▁,l) (l,o) (o,w) 4,
     * (w,e) 2, (e,r) (e,s) (s,t) 1.
     * <ol>
     * <li>(l,o) -> lo (12): ties at 4 go to the smallest left token, "l" < "o" < "▁";
     * <li>(lo,w) -> low (13): now (▁,lo) and (lo,w) tie at 4, "lo" < "▁";
     * <li>(▁,low) -> ▁low (14), count 4;
     * <li>(▁low,e) -> ▁lowe (15), count 2;
     * <li>(s,t) -> st (16): (▁lowe,r) (▁lowe,s) (s,t) tie at 1, "s" < "▁lowe";
     * <li>(▁lowe,r) -> ▁lower (17): ties with (▁lowe,st), "r" < "st";
     * <li>(▁lowe,st) -> ▁lowest (18); then no pair is left.
     * </ol>
     */
    static final List<String> CORPUS = List.of("low lower", "lowest low");

    @Test
    void mergesFollowTheHandWorkedExample() {
        BpeTokenizer t = BpeTokenizer.train(CORPUS, 100); // stops at 19: nothing left to merge
        assertThat(t.vocabulary()).containsExactly("<pad>", "<s>", "</s>", "<unk>", "l", "o", "w", "▁", "e", "r",
                "s", "t", "lo", "low", "▁low", "▁lowe", "st", "▁lower", "▁lowest");
        assertThat(t.merges()).containsExactly("l o", "lo w", "▁ low", "▁low e", "s t", "▁lowe r", "▁lowe st");
        assertThat(t.alphabetSize()).isEqualTo(8);
        assertThat(t.encode("lowest low")).containsExactly(18, 14);
        // an unseen word: the merges apply in rank order, (l,o) then (lo,w); ▁ is followed by s, so it stays
        assertThat(t.encode("slow")).containsExactly(7, 10, 13);
        assertThat(t.encode("low?")).containsExactly(14, Tokenizer.UNK_ID);
        assertThat(t.decode(new int[] {14, Tokenizer.UNK_ID})).isEqualTo("low<unk>");
    }

    @Test
    void vocabSizeStopsTheMerges() {
        BpeTokenizer t = BpeTokenizer.train(CORPUS, 16);
        assertThat(t.vocabSize()).isEqualTo(16);
        assertThat(t.merges()).containsExactly("l o", "lo w", "▁ low", "▁low e");
        assertThat(t.encode("lowest low")).containsExactly(15, 10, 11, 14);
        assertThat(t.decode(t.encode("lowest low"))).isEqualTo("lowest low");
        assertThatThrownBy(() -> BpeTokenizer.train(CORPUS, 11)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("vocabSize").hasMessageContaining("4 + 8").hasMessageContaining("11");
    }

    @Test
    void spacesRoundTripExactly() {
        BpeTokenizer t = BpeTokenizer.train(CORPUS, 100);
        for (String text : List.of("low", " low", "low ", "  low   lower ", " ", "   ", "low\tlow", "")) {
            if (text.contains("\t")) {
                assertThat(t.decode(t.encode(text))).isEqualTo("low<unk>low"); // tab is an ordinary character
            } else {
                assertThat(t.decode(t.encode(text))).as("'%s'", text).isEqualTo(text);
            }
        }
        assertThat(BpeTokenizer.words(" a  b")).containsExactly("▁", "▁a", "▁", "▁b");
    }

    /** Random corpora: training text round-trips, restoring from lines gives the same ids, training is repeatable. */
    @Test
    void randomCorporaRoundTrip() {
        for (long seed = 0; seed < 5; seed++) {
            List<String> texts = new ArrayList<>();
            for (Example e : Tasks.copy(seed, 200, "aab c", 1, 12)) {
                texts.add(e.source());
            }
            BpeTokenizer t = BpeTokenizer.train(texts, 40);
            BpeTokenizer restored = BpeTokenizer.fromMerges(t.vocabulary(), t.merges());
            assertThat(BpeTokenizer.train(texts, 40).merges()).isEqualTo(t.merges());
            for (String text : texts) {
                assertThat(t.decode(t.encode(text))).isEqualTo(text);
                assertThat(restored.encode(text)).isEqualTo(t.encode(text));
            }
        }
    }

    @Test
    void numbersCorpusTrainsQuickly() {
        List<String> texts = Tasks.numbers(7, 3000).stream().map(Example::source).toList();
        BpeTokenizer t = BpeTokenizer.train(texts, 300);
        assertThat(t.vocabSize()).isLessThanOrEqualTo(300);
        int[] ids = t.encode("two thousand and five");
        assertThat(ids.length).isLessThanOrEqualTo(4); // whole words by now
        assertThat(t.decode(ids)).isEqualTo("two thousand and five");
    }

    @Test
    void inconsistentMergesAreRejected() {
        BpeTokenizer t = BpeTokenizer.train(CORPUS, 100);
        List<String> vocabulary = t.vocabulary();
        List<String> merges = t.merges();
        assertThatThrownBy(() -> BpeTokenizer.fromMerges(vocabulary, merges.subList(1, merges.size())))
                .isInstanceOf(IllegalArgumentException.class);
        List<String> swapped = new ArrayList<>(merges);
        swapped.set(0, merges.get(1));
        swapped.set(1, merges.get(0));
        assertThatThrownBy(() -> BpeTokenizer.fromMerges(vocabulary, swapped))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("line 13");
        assertThatThrownBy(() -> BpeTokenizer.fromMerges(vocabulary, List.of("l  o")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("merges line 1");
    }
}
