package dev.attention4j.bench;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The embedding race's own contract, apart from the speed it measures (not asserted): its arguments, and a table with
 * attention4j's side alone, saying why, when ONNX Runtime cannot start. The race with both sides runs in the CLI's
 * {@code BenchCommandTest}.
 */
class EmbeddingThroughputTest {

    @Test
    void parsesCasesAndRejectsMalformedOnes() {
        assertThat(EmbeddingThroughput.parseCases("1x16, 32x128")).isDeepEqualTo(new int[][] {{1, 16}, {32, 128}});
        for (String bad : new String[] {"16", "0x16", "1x2", "1x513", "ax16", "1x16x2"}) {
            assertThatThrownBy(() -> EmbeddingThroughput.parseCases(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("BATCHxTOKENS");
        }
    }

    @Test
    void badArgumentsExitWithTwoAndSayWhatIsExpected() {
        StringWriter err = new StringWriter();
        int code = new EmbeddingThroughput().run(new PrintWriter(new StringWriter()), new PrintWriter(err), "two");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("[threads] [seconds per side per round] [rounds]");

        StringWriter negative = new StringWriter();
        code = new EmbeddingThroughput().run(new PrintWriter(new StringWriter()), new PrintWriter(negative), "1", "2",
                "5", "1x16", "-1");
        assertThat(code).isEqualTo(2);
        assertThat(negative.toString()).contains("warm-up >= 0", "-1.0");
    }

    @Test
    void withoutOnnxRuntimeTheTableShowsAttention4jAloneAndWhy() throws Exception {
        StringWriter out = new StringWriter();
        EmbeddingThroughput.race(new PrintWriter(out, true), 1, 0.02, 1, 0.02, new int[][] {{1, 16}}, () -> {
            throw new UnsatisfiedLinkError("no onnxruntime in java.library.path");
        });
        assertThat(out.toString()).contains("ONNX Runtime (unavailable: java.lang.UnsatisfiedLinkError: no "
                + "onnxruntime in java.library.path)");
        assertThat(out.toString().lines().filter(l -> l.matches("\\s+1 x 16\\s+[\\d.]+\\s+-\\s+-\\s+-"))).hasSize(1);
    }
}
