package dev.attention4j.viz.explorer;

import java.nio.file.Path;
import java.util.List;

/** Writes demo pages for looking at by hand: {@code ExplorerDemo DIR}. */
final class ExplorerDemo {

    private ExplorerDemo() {
    }

    static ExplorerDocument translation() {
        List<String> source = List.of("the", "cat", "sat", "on", "the", "mat", "<eos>");
        List<String> target = List.of("猫", "坐", "在", "垫子", "上", "<eos>");
        return ExplorerDocument.builder("the cat sat on the mat \u2192 猫 坐 在 垫子 上")
                .add(SelfAttentionView.of("Encoder self-attention", source, Fixtures.selfAttention(2, 4, 7, 1)))
                .add(SelfAttentionView.of("Decoder masked self-attention", target, causal(Fixtures.selfAttention(2, 4, 6, 2), 6)))
                .add(CrossAttentionView.of("Cross-attention", source, target, Fixtures.crossAttention(2, 4, 7, 6, 3)))
                .build();
    }

    static float[][][] causal(float[][][] w, int n) {
        for (float[][] layer : w) {
            for (float[] m : layer) {
                for (int i = 0; i < n; i++) {
                    double sum = 0;
                    for (int j = 0; j <= i; j++) {
                        sum += m[i * n + j];
                    }
                    for (int j = 0; j < n; j++) {
                        m[i * n + j] = j <= i ? (float) (m[i * n + j] / sum) : 0f;
                    }
                }
            }
        }
        return w;
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : ".");
        translation().writeHtml(dir.resolve("translation.html"));
        ExplorerDocument.of(SelfAttentionView.of("BERT-like, 512 tokens", Fixtures.tokens(512),
                Fixtures.selfAttention(6, 12, 512, 4))).writeHtml(dir.resolve("long.html"));
    }
}
