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
}
