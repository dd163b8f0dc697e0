package dev.attention4j.models.bert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attention4j.models.embeddings.TokenBatch;
import dev.attention4j.nn.Activation;
import dev.attention4j.nn.Mode;
import dev.attention4j.tensor.BufferPool;
import dev.attention4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * At inference {@link BertModel#forward} computes the embeddings in a scope of a borrowed {@link BufferPool} and the
 * encoder on the heap. The output must not share an array with the pool: a later call (which takes the pool's arrays
 * again, and with {@code -Dattention4j.pool.poison=true}, as the suite runs, fills what a closed scope lent with NaN)
 * must leave an earlier output as it was, and the output must be the bits of the same forward run inside a scope the
 * caller opened (where nothing is taken from the model's pool).
 */
class BertPooledForwardTest {

    private static final BertConfig SMALL = new BertConfig(50, 16, 2, 2, 32, Activation.GELU, 40, 2, 1e-12f, 0);

    @Test
    void outputsOutliveLaterCallsAndEqualTheUnpooledForward() {
        BertModel model = new BertModel(SMALL, 7);
        TokenBatch first = TokenBatch.padded(0, new int[] {1, 5, 9, 2}, new int[] {1, 7, 2});
        TokenBatch second = TokenBatch.padded(0, new int[] {1, 3, 4, 8}, new int[] {1, 6, 2});
        Tensor out = model.forward(first, Mode.INFERENCE);
        float[] kept = out.data().clone();
        for (int i = 0; i < 3; i++) {
            model.forward(second, Mode.INFERENCE);   // same shapes: takes the arrays the first call returned
        }
        assertThat(out.data()).isEqualTo(kept);
        assertThat(kept).doesNotContain(Float.NaN);

        Tensor unpooled;
        try (BufferPool.Scope scope = new BufferPool(Integer.MAX_VALUE).open()) { // a scope that lends nothing
            unpooled = model.forward(first, Mode.INFERENCE);                         // so the plain path
        }
        assertThat(unpooled.data()).isEqualTo(kept);
    }
}
