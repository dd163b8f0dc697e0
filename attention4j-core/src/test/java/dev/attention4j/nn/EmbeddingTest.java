package dev.attention4j.nn;

import dev.attention4j.autograd.Tape;
import dev.attention4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EmbeddingTest {

    private final Embedding embedding = new Embedding(6, 4, new SplittableRandom(1));
    private final int[][] tokens = {{5, 0, 5}, {1, 2, 3}};

    @Test
    void looksUpScaledRows() {
        Tensor y = embedding.forward(tokens, 2f);
        assertThat(y.shape().dims()).containsExactly(2, 3, 4);
        for (int d = 0; d < 4; d++) {
            assertThat(y.get(0, 2, d)).isEqualTo(embedding.weight().get(5, d) * 2f);
            assertThat(y.get(1, 0, d)).isEqualTo(embedding.weight().get(1, d) * 2f);
        }
    }

    @Test
    void theModeDecidesWhetherItIsRecorded() {
        Tensor plain = embedding.forward(tokens, 2f);
        assertThat(embedding.forward(tokens, 2f, Mode.INFERENCE).bitEquals(plain)).isTrue();
        Tape tape = new Tape();
        Tensor y = embedding.forward(tokens, 2f, Mode.training(7, tape));
        assertThat(y.bitEquals(plain)).isTrue();
        assertThat(tape.size()).isEqualTo(1);
        Tensor loss = Tensor.scalar(0f);
        tape.record(grads -> {
            Tensor dy = Tensor.zeros(y.shape());
            Arrays.fill(dy.data(), 1f);
            grads.add(y, dy);
        });
        Tensor dWeight = tape.backward(loss).get(embedding.weight());
        assertThat(dWeight.get(5, 0)).isEqualTo(4f);            // token 5 twice, scale 2
        assertThat(dWeight.get(4, 0)).isZero();
    }

    @Test
    void badTokensAreRejectedWithTheOpsMessages() {
        assertThatThrownBy(() -> embedding.forward(new int[][] {{6}}, 1f))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tokens[0][0]: expected a token id in [0, 6) but got 6");
        assertThatThrownBy(() -> embedding.forward(new int[][] {{1, 2}, {3}}, 1f, Mode.INFERENCE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sequence 1 has 1");
    }
}
