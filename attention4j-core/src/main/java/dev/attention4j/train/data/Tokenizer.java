package dev.attention4j.train.data;

import java.util.List;

/**
 * Text to token ids and back, with four fixed special ids: {@link #PAD_ID} = 0, {@link #BOS_ID} = 1,
 * {@link #EOS_ID} = 2, {@link #UNK_ID} = 3. Regular tokens have ids {@code 4 .. vocabSize() - 1}.
 *
 * <p>{@link #encode} never adds specials (the {@link Batch} adds BOS and EOS where the model needs them); text the
 * vocabulary does not cover becomes {@link #UNK_ID}. {@link #decode} is for model output: it stops at the first EOS,
 * skips PAD and BOS, and writes UNK as {@code <unk>}.
 *
 * <p>A tokenizer is saved as plain text lines: {@link #vocabulary()} (plus {@link BpeTokenizer#merges()} for BPE),
 * restored by each implementation's static {@code fromVocabulary} / {@code fromMerges}.
 */
public interface Tokenizer {

    int PAD_ID = 0;
    int BOS_ID = 1;
    int EOS_ID = 2;
    int UNK_ID = 3;

    /** The specials' texts, in id order: {@code <pad> <s> </s> <unk>}. */
    List<String> SPECIAL_TOKENS = List.of("<pad>", "<s>", "</s>", "<unk>");

    /** Number of ids, specials included. */
    int vocabSize();

    /** The ids of {@code text}, without specials. */
    int[] encode(String text);

    /** The text of {@code ids} up to the first EOS; PAD and BOS are skipped. */
    String decode(int[] ids);

    /** The text of one token (the specials' texts for ids 0..3). */
    String token(int id);

    /**
     * The vocabulary as text lines, one per id in id order, specials first. Each token is escaped so that it is one
     * non-empty line that survives trimming: {@code \\} for a backslash, {@code \s} for a space, {@code \t},
     * {@code \n}, {@code \r}, and {@code \}{@code uXXXX} for other control characters, other whitespace and
     * space characters (U+2028, U+3000, no-break spaces, ...), the byte-order mark U+FEFF and lone surrogates.
     */
    List<String> vocabulary();

    default int pad() {
        return PAD_ID;
    }

    default int bos() {
        return BOS_ID;
    }

    default int eos() {
        return EOS_ID;
    }

    default int unk() {
        return UNK_ID;
    }
}
