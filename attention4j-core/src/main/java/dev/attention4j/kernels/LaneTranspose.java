package dev.attention4j.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * A 16 x 16 block of floats transposed in registers, for 16-lane (512-bit) species: what packing a matrix's rows into
 * the lanes of vectors needs, without a gather per vector. A gather of 16 lanes from 16 rows ran at about 4.4 ns in
 * L1 on AMD Zen 5 (16-40 ns across rows of different pages); packing a 12-row sliver of 256 columns took 1.11-1.16 us
 * by gathers and 0.36-0.37 us by this transposition (0.82-0.89 us element by element).
 *
 * <p>Four stages of the classic butterfly: at stage {@code s} (8, 4, 2, 1) rows {@code i} and {@code i + s} (bit
 * {@code s} of {@code i} clear) exchange the lanes whose bit {@code s} differs, by one lane permutation and one
 * blend per output row. Data movement only: the bits are the input's. The stages are written out (scripted), as the
 * register blocks are: the 16 rows live in registers only as separate locals; in an array, or handed to a helper
 * that exchanges a pair, C2 would box them.
 */
final class LaneTranspose {

    private static final VectorSpecies<Float> SPECIES = VectorKernels.SPECIES;
    /** Whether the species has the 16 lanes this transposition is written for. */
    static final boolean APPLIES = VectorKernels.LANES == 16;
    /** The row the rows past the last are read from. */
    private static final float[] ZEROS = new float[16];
    /** Per stage {@code t} (bit {@code 1 << t}): lane {@code l} takes lane {@code l ^ (1 << t)}. */
    private static final VectorShuffle<Float>[] SWAP = APPLIES ? swaps() : null;
    /** Per stage {@code t}: the lanes whose bit {@code 1 << t} is set. */
    private static final VectorMask<Float>[] HIGH = APPLIES ? highs() : null;

    private LaneTranspose() {
    }

    /**
     * Rows {@code [0, rows)} ({@code rows <= 16}) of 16 consecutive floats each, row {@code r} at
     * {@code a[src + r * ars]}, into 16 vectors: vector {@code j} (the rows' element {@code j}, lane {@code r} from
     * row {@code r}, zero past {@code rows}) stored whole at {@code out[dst + j * stride]}, in increasing {@code j}.
     * With {@code stride < 16} a vector's last lanes land in the next one's place, which the next store then
     * overwrites; the last vector's reach {@code out[dst + 15 * stride + 16]}.
     */
    static void rowsToLanes(float[] out, int dst, int stride, float[] a, int src, int ars, int rows) {
        // rows past the last read a row of zeros: a load either way, no vector chosen by a branch
        FloatVector r0 = FloatVector.fromArray(SPECIES, 0 < rows ? a : ZEROS, 0 < rows ? src + 0 * ars : 0);
        FloatVector r1 = FloatVector.fromArray(SPECIES, 1 < rows ? a : ZEROS, 1 < rows ? src + 1 * ars : 0);
        FloatVector r2 = FloatVector.fromArray(SPECIES, 2 < rows ? a : ZEROS, 2 < rows ? src + 2 * ars : 0);
        FloatVector r3 = FloatVector.fromArray(SPECIES, 3 < rows ? a : ZEROS, 3 < rows ? src + 3 * ars : 0);
        FloatVector r4 = FloatVector.fromArray(SPECIES, 4 < rows ? a : ZEROS, 4 < rows ? src + 4 * ars : 0);
        FloatVector r5 = FloatVector.fromArray(SPECIES, 5 < rows ? a : ZEROS, 5 < rows ? src + 5 * ars : 0);
        FloatVector r6 = FloatVector.fromArray(SPECIES, 6 < rows ? a : ZEROS, 6 < rows ? src + 6 * ars : 0);
        FloatVector r7 = FloatVector.fromArray(SPECIES, 7 < rows ? a : ZEROS, 7 < rows ? src + 7 * ars : 0);
        FloatVector r8 = FloatVector.fromArray(SPECIES, 8 < rows ? a : ZEROS, 8 < rows ? src + 8 * ars : 0);
        FloatVector r9 = FloatVector.fromArray(SPECIES, 9 < rows ? a : ZEROS, 9 < rows ? src + 9 * ars : 0);
        FloatVector r10 = FloatVector.fromArray(SPECIES, 10 < rows ? a : ZEROS, 10 < rows ? src + 10 * ars : 0);
        FloatVector r11 = FloatVector.fromArray(SPECIES, 11 < rows ? a : ZEROS, 11 < rows ? src + 11 * ars : 0);
        FloatVector r12 = FloatVector.fromArray(SPECIES, 12 < rows ? a : ZEROS, 12 < rows ? src + 12 * ars : 0);
        FloatVector r13 = FloatVector.fromArray(SPECIES, 13 < rows ? a : ZEROS, 13 < rows ? src + 13 * ars : 0);
        FloatVector r14 = FloatVector.fromArray(SPECIES, 14 < rows ? a : ZEROS, 14 < rows ? src + 14 * ars : 0);
        FloatVector r15 = FloatVector.fromArray(SPECIES, 15 < rows ? a : ZEROS, 15 < rows ? src + 15 * ars : 0);
        VectorShuffle<Float> w;
        VectorMask<Float> h;
        FloatVector t0;
        w = SWAP[3];
        h = HIGH[3];
        t0 = r0.blend(r8.rearrange(w), h);
        r8 = r0.rearrange(w).blend(r8, h);
        r0 = t0;
        t0 = r1.blend(r9.rearrange(w), h);
        r9 = r1.rearrange(w).blend(r9, h);
        r1 = t0;
        t0 = r2.blend(r10.rearrange(w), h);
        r10 = r2.rearrange(w).blend(r10, h);
        r2 = t0;
        t0 = r3.blend(r11.rearrange(w), h);
        r11 = r3.rearrange(w).blend(r11, h);
        r3 = t0;
        t0 = r4.blend(r12.rearrange(w), h);
        r12 = r4.rearrange(w).blend(r12, h);
        r4 = t0;
        t0 = r5.blend(r13.rearrange(w), h);
        r13 = r5.rearrange(w).blend(r13, h);
        r5 = t0;
        t0 = r6.blend(r14.rearrange(w), h);
        r14 = r6.rearrange(w).blend(r14, h);
        r6 = t0;
        t0 = r7.blend(r15.rearrange(w), h);
        r15 = r7.rearrange(w).blend(r15, h);
        r7 = t0;
        w = SWAP[2];
        h = HIGH[2];
        t0 = r0.blend(r4.rearrange(w), h);
        r4 = r0.rearrange(w).blend(r4, h);
        r0 = t0;
        t0 = r1.blend(r5.rearrange(w), h);
        r5 = r1.rearrange(w).blend(r5, h);
        r1 = t0;
        t0 = r2.blend(r6.rearrange(w), h);
        r6 = r2.rearrange(w).blend(r6, h);
        r2 = t0;
        t0 = r3.blend(r7.rearrange(w), h);
        r7 = r3.rearrange(w).blend(r7, h);
        r3 = t0;
        t0 = r8.blend(r12.rearrange(w), h);
        r12 = r8.rearrange(w).blend(r12, h);
        r8 = t0;
        t0 = r9.blend(r13.rearrange(w), h);
        r13 = r9.rearrange(w).blend(r13, h);
        r9 = t0;
        t0 = r10.blend(r14.rearrange(w), h);
        r14 = r10.rearrange(w).blend(r14, h);
        r10 = t0;
        t0 = r11.blend(r15.rearrange(w), h);
        r15 = r11.rearrange(w).blend(r15, h);
        r11 = t0;
        w = SWAP[1];
        h = HIGH[1];
        t0 = r0.blend(r2.rearrange(w), h);
        r2 = r0.rearrange(w).blend(r2, h);
        r0 = t0;
        t0 = r1.blend(r3.rearrange(w), h);
        r3 = r1.rearrange(w).blend(r3, h);
        r1 = t0;
        t0 = r4.blend(r6.rearrange(w), h);
        r6 = r4.rearrange(w).blend(r6, h);
        r4 = t0;
        t0 = r5.blend(r7.rearrange(w), h);
        r7 = r5.rearrange(w).blend(r7, h);
        r5 = t0;
        t0 = r8.blend(r10.rearrange(w), h);
        r10 = r8.rearrange(w).blend(r10, h);
        r8 = t0;
        t0 = r9.blend(r11.rearrange(w), h);
        r11 = r9.rearrange(w).blend(r11, h);
        r9 = t0;
        t0 = r12.blend(r14.rearrange(w), h);
        r14 = r12.rearrange(w).blend(r14, h);
        r12 = t0;
        t0 = r13.blend(r15.rearrange(w), h);
        r15 = r13.rearrange(w).blend(r15, h);
        r13 = t0;
        w = SWAP[0];
        h = HIGH[0];
        t0 = r0.blend(r1.rearrange(w), h);
        r1 = r0.rearrange(w).blend(r1, h);
        r0 = t0;
        t0 = r2.blend(r3.rearrange(w), h);
        r3 = r2.rearrange(w).blend(r3, h);
        r2 = t0;
        t0 = r4.blend(r5.rearrange(w), h);
        r5 = r4.rearrange(w).blend(r5, h);
        r4 = t0;
        t0 = r6.blend(r7.rearrange(w), h);
        r7 = r6.rearrange(w).blend(r7, h);
        r6 = t0;
        t0 = r8.blend(r9.rearrange(w), h);
        r9 = r8.rearrange(w).blend(r9, h);
        r8 = t0;
        t0 = r10.blend(r11.rearrange(w), h);
        r11 = r10.rearrange(w).blend(r11, h);
        r10 = t0;
        t0 = r12.blend(r13.rearrange(w), h);
        r13 = r12.rearrange(w).blend(r13, h);
        r12 = t0;
        t0 = r14.blend(r15.rearrange(w), h);
        r15 = r14.rearrange(w).blend(r15, h);
        r14 = t0;
        r0.intoArray(out, dst + 0 * stride);
        r1.intoArray(out, dst + 1 * stride);
        r2.intoArray(out, dst + 2 * stride);
        r3.intoArray(out, dst + 3 * stride);
        r4.intoArray(out, dst + 4 * stride);
        r5.intoArray(out, dst + 5 * stride);
        r6.intoArray(out, dst + 6 * stride);
        r7.intoArray(out, dst + 7 * stride);
        r8.intoArray(out, dst + 8 * stride);
        r9.intoArray(out, dst + 9 * stride);
        r10.intoArray(out, dst + 10 * stride);
        r11.intoArray(out, dst + 11 * stride);
        r12.intoArray(out, dst + 12 * stride);
        r13.intoArray(out, dst + 13 * stride);
        r14.intoArray(out, dst + 14 * stride);
        r15.intoArray(out, dst + 15 * stride);
    }

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] swaps() {
        VectorShuffle<Float>[] swaps = new VectorShuffle[4];
        for (int t = 0; t < 4; t++) {
            int[] lanes = new int[16];
            for (int l = 0; l < 16; l++) {
                lanes[l] = l ^ (1 << t);
            }
            swaps[t] = VectorShuffle.fromArray(SPECIES, lanes, 0);
        }
        return swaps;
    }

    @SuppressWarnings("unchecked")
    private static VectorMask<Float>[] highs() {
        VectorMask<Float>[] highs = new VectorMask[4];
        for (int t = 0; t < 4; t++) {
            long bits = 0;
            for (int l = 0; l < 16; l++) {
                if ((l & (1 << t)) != 0) {
                    bits |= 1L << l;
                }
            }
            highs[t] = VectorMask.fromLong(SPECIES, bits);
        }
        return highs;
    }
}
