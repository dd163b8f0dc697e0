package dev.attention4j.tensor;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BufferPoolTest {

    static final int BIG = 5000; // above the production threshold too

    @Test
    void theNextScopeGetsTheSameArraysBackZeroed() {
        BufferPool pool = new BufferPool(16);
        float[] first;
        try (BufferPool.Scope scope = pool.open()) {
            Tensor t = Tensor.zeros(10, 500);
            first = t.data();
            java.util.Arrays.fill(first, 3f);
        }
        try (BufferPool.Scope scope = pool.open()) {
            Tensor t = Tensor.zeros(500, 10); // same length, other shape
            assertThat(t.data()).isSameAs(first);
            assertThat(t.data()).containsOnly(0f);
            assertThat(Tensor.zeros(10, 500).data()).isNotSameAs(first); // one array, lent once
        }
        assertThat(pool.reusedArrays()).isEqualTo(1);
        assertThat(pool.allocatedArrays()).isEqualTo(2);
    }

    @Test
    void twoNestedBorrowedPoolsAreBothKeptForTheNextRunEvenOnOneProcessor() {
        // a BERT forward borrows one pool for its embeddings and, inside, one for its encoder; both must come back
        // with their arrays on the next call (with one kept per processor, a one-processor JVM lost the inner one)
        BufferPool.dropBorrowed();
        BufferPool outer = BufferPool.borrow();
        BufferPool inner = BufferPool.borrow();
        assertThat(inner).isNotSameAs(outer);
        BufferPool.giveBack(inner);
        BufferPool.giveBack(outer);
        assertThat(BufferPool.borrow()).isSameAs(outer);
        assertThat(BufferPool.borrow()).isSameAs(inner);
        BufferPool.dropBorrowed();
    }

    @Test
    void copiesAreLentToo() {
        BufferPool pool = new BufferPool(16);
        Tensor source = Tensor.randn(1, 2, BIG);
        float[] lent;
        try (BufferPool.Scope scope = pool.open()) {
            lent = source.copy().data();
        }
        try (BufferPool.Scope scope = pool.open()) {
            Tensor again = source.copy();
            assertThat(again.data()).isSameAs(lent);
            assertThat(again.bitEquals(source)).isTrue();
        }
    }

    @Test
    void smallArraysAndOtherThreadsAndTheOptimizerPartUseTheHeap() throws Exception {
        BufferPool pool = new BufferPool(BIG);
        try (BufferPool.Scope scope = pool.open()) {
            Tensor.zeros(BIG - 1);
            CompletableFuture.supplyAsync(() -> Tensor.zeros(BIG)).get();
            scope.runOnHeap(() -> Tensor.zeros(BIG));
            assertThat(pool.allocatedArrays()).isZero();
            Tensor.zeros(BIG); // lending resumed after runOnHeap
            assertThat(pool.allocatedArrays()).isEqualTo(1);
        }
        assertThat(Tensor.zeros(BIG).data()).isNotSameAs(Tensor.zeros(BIG).data()); // no scope: plain heap
        assertThat(pool.reusedArrays()).isZero();
    }

    @Test
    void whatAScopeDidNotTakeIsDroppedSoChangingShapesDoNotGrowThePool() {
        BufferPool pool = new BufferPool(16);
        for (int len = 100; len < 110; len++) {
            try (BufferPool.Scope scope = pool.open()) {
                Tensor.zeros(len);
                Tensor.zeros(len);
            }
            assertThat(pool.freeBytes()).isEqualTo(2L * len * Float.BYTES);
        }
    }

    @Test
    void aTensorUsedAfterItsScopeReadsNaNInTheTestSuite() {
        assertThat(Boolean.getBoolean("attention4j.pool.poison")).as("the surefire configuration sets it").isTrue();
        BufferPool pool = new BufferPool(16);
        Tensor escaped;
        try (BufferPool.Scope scope = pool.open()) {
            escaped = Tensor.zeros(64);
            escaped.data()[0] = 1f;
        }
        assertThat(escaped.data()).containsOnly(Float.NaN);
    }

    @Test
    void scopesDoNotNest() {
        BufferPool pool = new BufferPool(16);
        BufferPool other = new BufferPool(16);
        try (BufferPool.Scope scope = pool.open()) {
            assertThatThrownBy(pool::open).isInstanceOf(IllegalStateException.class).hasMessageContaining("still open");
            assertThatThrownBy(other::open).isInstanceOf(IllegalStateException.class).hasMessageContaining("nest");
        }
        try (BufferPool.Scope scope = other.open()) { // both free again
            assertThat(scope).isNotNull();
        }
        BufferPool.Scope closed = pool.open();
        closed.close();
        closed.close(); // idempotent
        assertThatThrownBy(() -> closed.runOnHeap(() -> { })).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new BufferPool(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("minFloats");
    }

    @Test
    void aKeptTensorOutlivesItsScopeUnpoisonedAndRecyclingLendsItsArrayAgain() {
        BufferPool pool = new BufferPool(16);
        Tensor kept;
        try (BufferPool.Scope scope = pool.open()) {
            kept = scope.keep(Tensor.zeros(64));
            java.util.Arrays.fill(kept.data(), 2f);
        }
        assertThat(kept.data()).containsOnly(2f); // not poisoned, not handed out again
        float[] other;
        try (BufferPool.Scope scope = pool.open()) {
            other = Tensor.zeros(64).data();
            assertThat(other).isNotSameAs(kept.data());
        }
        assertThat(pool.allocatedArrays()).isEqualTo(2);
        pool.recycle(kept.data());
        assertThat(kept.data()).containsOnly(Float.NaN); // poisoned on the way back in the test suite
        try (BufferPool.Scope scope = pool.open()) {
            float[] a = Tensor.zeros(64).data();
            float[] b = Tensor.zeros(64).data();
            assertThat(java.util.List.of(a, b)).containsExactlyInAnyOrder(kept.data(), other);
            assertThat(a).containsOnly(0f);
            assertThat(b).containsOnly(0f);
        }
        assertThat(pool.allocatedArrays()).isEqualTo(2);
        assertThat(pool.reusedArrays()).isEqualTo(2);
    }

    @Test
    void keepingAHeapArrayOrRecyclingAShortOneChangesNothing() {
        BufferPool pool = new BufferPool(BIG);
        Tensor small;
        try (BufferPool.Scope scope = pool.open()) {
            small = Tensor.zeros(8);
            assertThat(scope.keep(small)).isSameAs(small);
        }
        pool.recycle(small.data());
        assertThat(pool.freeBytes()).isZero();
        assertThat(small.data()).containsOnly(0f);
        BufferPool.Scope closed = pool.open();
        closed.close();
        assertThatThrownBy(() -> closed.keep(small)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        BufferPool lending = new BufferPool(16);
        try (BufferPool.Scope scope = lending.open()) {
            float[] lent = Tensor.zeros(64).data();
            assertThatThrownBy(() -> lending.recycle(lent)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("still lends");
        }
    }

    /**
     * Ops that take their output without zeroing it ({@link Tensor#forOverwrite}) must write every element: on arrays
     * a closed scope poisoned with NaN they give the bits they give on fresh zeroed ones.
     */
    @Test
    void opsOnUnzeroedArraysWriteEveryElement() {
        Tensor a = Tensor.randn(11, 3, 2, 1000);
        Tensor b = Tensor.randn(12, 3, 2, 1000);
        Tensor gamma = Tensor.randn(13, 1000);
        Tensor beta = Tensor.randn(14, 1000);
        Tensor table = Tensor.randn(15, 50, 1000);
        int[][] ids = {{1, 7, 49}, {0, 3, 3}};
        Tensor[] heap = {Elementwise.add(a, b), Elementwise.scale(a, 0.5f),
            Normalization.layerNorm(a, gamma, beta, 1e-5f),
            dev.attention4j.autograd.EmbeddingOp.apply(null, table, ids, 2f)};
        BufferPool pool = new BufferPool(16);
        try (BufferPool.Scope scope = pool.open()) {
            for (int i = 0; i < heap.length; i++) {
                Tensor.zeros(a.size()); // arrays of the outputs' length, poisoned when the scope closes
            }
        }
        try (BufferPool.Scope scope = pool.open()) {
            Tensor[] pooled = {Elementwise.add(a, b), Elementwise.scale(a, 0.5f),
                Normalization.layerNorm(a, gamma, beta, 1e-5f),
                dev.attention4j.autograd.EmbeddingOp.apply(null, table, ids, 2f)};
            assertThat(pool.reusedArrays()).isEqualTo(heap.length); // each op got a poisoned array
            for (int i = 0; i < heap.length; i++) {
                assertThat(pooled[i].bitEquals(heap[i])).as("op %d", i).isTrue();
            }
        }
    }
}
