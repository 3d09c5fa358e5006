package io.gridshare.node.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector shapes the weight kernels share: {@link #LANES} floats per vector and byte / short /
 * int species with the same lane count, so one load of packed weights converts to exactly one
 * float vector. The kernels step through blocks in chunks of {@link #LANES} elements, which
 * divides every block size (32 and 256) because {@link #LANES} is 8 or 16.
 */
final class Lanes {

    /** The preferred float species, or the 256-bit one where the preferred has fewer than 8 lanes. */
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED.length() >= 8
            ? FloatVector.SPECIES_PREFERRED : FloatVector.SPECIES_256;
    static final int LANES = F.length();
    static final VectorSpecies<Byte> B = ByteVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(LANES * 8))
            .check(byte.class);
    static final VectorSpecies<Short> S = ShortVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(LANES * 16))
            .check(short.class);
    static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED.withShape(F.vectorShape()).check(int.class);
    /** The int8 kernels' step: {@link #QL} = 2 × {@link #LANES} bytes widen to one full short vector. */
    static final int QL = 2 * LANES;
    static final VectorSpecies<Byte> QB = ByteVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(QL * 8))
            .check(byte.class);
    static final VectorSpecies<Short> QS = ShortVector.SPECIES_PREFERRED.withShape(F.vectorShape())
            .check(short.class);

    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);
    static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(LE);
    static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(LE);
    static final ValueLayout.OfFloat FLOAT_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);

    /** SUM_SHUFFLES[k] moves lane i + 2^k to lane i, for the fixed reduction tree of {@link #sum}. */
    @SuppressWarnings("unchecked")
    private static final VectorShuffle<Float>[] SUM_SHUFFLES = new VectorShuffle[Integer.numberOfTrailingZeros(LANES)];

    static {
        for (int k = 0; k < SUM_SHUFFLES.length; k++) {
            SUM_SHUFFLES[k] = VectorShuffle.iota(F, 1 << k, 1, true);
        }
    }

    private Lanes() {}

    /**
     * Sum of the lanes in a fixed pairwise order, the same bits at every JIT tier (unlike
     * {@code reduceLanes(ADD)}), as {@code VectorKernels.sum} does for the float32 kernels.
     */
    static float sum(FloatVector v) {
        for (int k = SUM_SHUFFLES.length - 1; k >= 0; k--) {
            v = v.add(v.rearrange(SUM_SHUFFLES[k]));
        }
        return v.lane(0);
    }

    /**
     * {@link #sum(FloatVector)} of the vector stored at {@code a[off, off + LANES)}, in scalar code
     * (it overwrites those lanes): the same tree, so the same bits. For kernels whose accumulators
     * already sit in an array, and for big kernels where C2 has spent its inlining budget before
     * the final sum, and would box the vector to call {@link #sum(FloatVector)} out of line.
     */
    static float sum(float[] a, int off) {
        for (int s = LANES / 2; s > 0; s >>= 1) {
            for (int i = off; i < off + s; i++) {
                a[i] += a[i + s];
            }
        }
        return a[off];
    }

    /** The f16 scale stored at byte {@code off}. */
    static float f16(MemorySegment w, long off) {
        return Float.float16ToFloat(w.get(SHORT_LE, off));
    }

    /** {@link #LANES} bytes at {@code off}. */
    static ByteVector bytes(MemorySegment w, long off) {
        return ByteVector.fromMemorySegment(B, w, off, LE);
    }

    /** Byte lanes (signed) as float lanes. */
    static FloatVector toFloats(ByteVector b) {
        return (FloatVector) b.castShape(F, 0);
    }

    /**
     * Bytes shifted right by {@code n} within 32-bit lanes: x86 has no byte-lane shifts, and the
     * Vector API's byte LSHR falls back to slow code, so callers shift whole ints and mask off the
     * bits that crossed from the neighbouring byte.
     */
    static ByteVector shr(ByteVector b, int n) {
        return b.reinterpretAsInts().lanewise(VectorOperators.LSHR, n).reinterpretAsBytes();
    }

    /** Bytes shifted left by {@code n} within 32-bit lanes; mask off the bits from the byte below. */
    static ByteVector shl(ByteVector b, int n) {
        return b.reinterpretAsInts().lanewise(VectorOperators.LSHL, n).reinterpretAsBytes();
    }

    /** {@link #QL} bytes at {@code off}, widened (signed) to shorts. */
    static ShortVector shorts(MemorySegment w, long off) {
        return (ShortVector) ByteVector.fromMemorySegment(QB, w, off, LE).castShape(QS, 0);
    }

    /**
     * Adds neighbouring short lanes into int lanes, as x86's {@code pmaddwd} does after a multiply,
     * for sums of two lanes that fit in a short (the int8 kernels' products do).
     */
    static IntVector pairSum(ShortVector products) {
        // an int lane is hi * 2^16 + (lo mod 2^16); adding lo << 16 puts hi + lo in the top half with
        // the unsigned low half below it, so one arithmetic shift gives hi + lo exactly (|hi + lo| < 2^15)
        IntVector p = products.reinterpretAsInts();
        return p.add(p.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
    }

    static FloatVector toFloats(IntVector i) {
        return (FloatVector) i.castShape(F, 0);
    }

    static FloatVector broadcast(float v) {
        return FloatVector.broadcast(F, v);
    }
}
