package dev.attention4j.train.data;

import java.util.ArrayList;
import java.util.List;

/**
 * One example as token ids, without specials: {@code src (srcLen)}, {@code tgt (tgtLen)}. The source must not be
 * empty (the encoder would have nothing to attend to); the target may be. The arrays are not copied.
 */
public record EncodedExample(int[] src, int[] tgt) {

    public EncodedExample {
        if (src.length == 0) {
            throw new IllegalArgumentException("src: expected at least one token but got none");
        }
        checkIds("src", src);
        checkIds("tgt", tgt);
    }

    /** Encodes each example's source with {@code sourceTokenizer} and target with {@code targetTokenizer}. */
    public static List<EncodedExample> encode(List<Example> examples, Tokenizer sourceTokenizer,
            Tokenizer targetTokenizer) {
        List<EncodedExample> out = new ArrayList<>(examples.size());
        for (int i = 0; i < examples.size(); i++) {
            Example e = examples.get(i);
            int[] src = sourceTokenizer.encode(e.source());
            if (src.length == 0) {
                throw new IllegalArgumentException("examples[" + i + "]: source '" + e.source()
                        + "' encodes to no tokens");
            }
            out.add(new EncodedExample(src, targetTokenizer.encode(e.target())));
        }
        return out;
    }

    private static void checkIds(String name, int[] ids) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0) {
                throw new IllegalArgumentException(name + "[" + i + "]: expected a token id >= 0 but got " + ids[i]);
            }
        }
    }
}
