package io.gridshare.node.tensor;

import static io.gridshare.node.tensor.Lanes.F;
import static io.gridshare.node.tensor.Lanes.INT_LE;
import static io.gridshare.node.tensor.Lanes.QB;
import static io.gridshare.node.tensor.Lanes.QL;
import static io.gridshare.node.tensor.Lanes.LONG_LE;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;

/**
 * ggml's {@code block_q4_K}: f16 {@code d}, f16 {@code dmin}, 12 bytes of packed scales
 * ({@link KScales}), 128 bytes of nibbles, for 256 weights in 8 sub-blocks of 32. The nibbles come
 * in four groups of 32 bytes: in group {@code g} the low nibbles are sub-block {@code 2g}, the high
 * nibbles sub-block {@code 2g + 1}; value {@code d * sc * q - dmin * m}. The kernel multiplies the
 * nibbles with the int8 activation ({@link Q8Activation} with one scale per 256, as
 * {@code block_q8_K}) in short lanes, applies each sub-block's 6-bit scale to its integer sums in
 * int lanes, and converts and scales the block's sum once ({@code d * dx}); the mins term comes from
 * the activation's integer sums per 32, one float operation per block, as ggml's
 * {@code vec_dot_q4_K_q8_K} does.
 */
final class Q4KMatrix extends Q8BlockMatrix {

    static final int QK = 256;
    private static final int BLOCK = 144;
    private static final int QS = 16;

    Q4KMatrix(MemorySegment data, int rows, int cols) {
        super(GgmlType.Q4_K, data, rows, cols);
    }

    /** One activation scale per 256, so that each sub-block's 6-bit scale is applied in integers. */
    @Override
    int activationBlock() {
        return QK;
    }

    @Override
    float dot(long base, Q8Activation a) {
        MemorySegment w = data;
        short[] xq = a.q;
        float[] xd = a.d;
        int[] xs = a.isum;
        int blocks = cols / QK;
        FloatVector acc = FloatVector.zero(F);
        float mins = 0;
        for (int i = 0; i < blocks; i++) {
            long o = base + (long) BLOCK * i;
            long lo = w.get(LONG_LE, o + 4);
            int hi = w.get(INT_LE, o + 12);
            long scales = KScales.scales(lo, hi), ms = KScales.mins(lo, hi);
            IntVector t = IntVector.zero(Lanes.I);
            for (int g = 0; g < 4; g++) {
                int xa = QK * i + 64 * g, xb = xa + 32;
                IntVector ta = IntVector.zero(Lanes.I), tb = ta;
                for (int k = 0; k < 32; k += QL) {
                    ByteVector q = ByteVector.fromMemorySegment(QB, w, o + QS + 32 * g + k, Lanes.LE);
                    ta = ta.add(Lanes.pairSum(low(q).mul(ShortVector.fromArray(Lanes.QS, xq, xa + k))));
                    tb = tb.add(Lanes.pairSum(high(q).mul(ShortVector.fromArray(Lanes.QS, xq, xb + k))));
                }
                t = t.add(ta.mul(KScales.at(scales, 2 * g))).add(tb.mul(KScales.at(scales, 2 * g + 1)));
            }
            float dx = xd[i];
            acc = Lanes.toFloats(t).fma(Lanes.broadcast(Lanes.f16(w, o) * dx), acc);
            mins = Math.fma(Lanes.f16(w, o + 2) * dx, minSum(ms, xs, 8 * i), mins);
        }
        return Lanes.sum(acc) - mins;
    }

    private static ShortVector low(ByteVector q) {
        return (ShortVector) q.and((byte) 0xF).castShape(Lanes.QS, 0);
    }

    private static ShortVector high(ByteVector q) {
        return (ShortVector) Lanes.shr(q, 4).and((byte) 0xF).castShape(Lanes.QS, 0);
    }

    /**
     * {@code sum_j min_j * sum(q of sub-block j)}: at most 8 * 63 * 4064, exact as an int and as a
     * float, so the mins cost one float operation per block.
     */
    private static float minSum(long ms, int[] isum, int at) {
        int s = 0;
        for (int j = 0; j < 8; j++) {
            s += KScales.at(ms, j) * isum[at + j];
        }
        return s;
    }

    /**
     * {@link #dot} for each activation row inside the group loop: each group's nibbles are read and
     * unpacked once for all rows; a row's integer block sum waits in {@link BatchScratch#ints}
     * (integer sums are the same in any grouping) and its float accumulator in {@link BatchScratch#acc}.
     */
    @Override
    void dotBatch(long base, Q8Activation[] a, int batch, BatchScratch scratch, float[][] out, int r) {
        MemorySegment w = data;
        float[] acc = scratch.acc, mins = scratch.mins;
        int[] t = scratch.ints;
        int vectors = batch * Lanes.LANES;
        java.util.Arrays.fill(acc, 0, vectors, 0f);
        java.util.Arrays.fill(mins, 0, batch, 0f);
        int blocks = cols / QK;
        for (int i = 0; i < blocks; i++) {
            long o = base + (long) BLOCK * i;
            long lo = w.get(LONG_LE, o + 4);
            int hi = w.get(INT_LE, o + 12);
            long scales = KScales.scales(lo, hi), ms = KScales.mins(lo, hi);
            java.util.Arrays.fill(t, 0, vectors, 0);
            for (int g = 0; g < 4; g++) {
                int xa = QK * i + 64 * g, xb = xa + 32;
                int sa = KScales.at(scales, 2 * g), sb = KScales.at(scales, 2 * g + 1);
                for (int k = 0; k < 32; k += QL) {
                    ByteVector q = ByteVector.fromMemorySegment(QB, w, o + QS + 32 * g + k, Lanes.LE);
                    ShortVector qa = low(q), qb = high(q);
                    for (int b = 0; b < batch; b++) {
                        short[] xq = a[b].q;
                        IntVector ta = Lanes.pairSum(qa.mul(ShortVector.fromArray(Lanes.QS, xq, xa + k)));
                        IntVector tb = Lanes.pairSum(qb.mul(ShortVector.fromArray(Lanes.QS, xq, xb + k)));
                        int at = b * Lanes.LANES;
                        IntVector.fromArray(Lanes.I, t, at).add(ta.mul(sa)).add(tb.mul(sb)).intoArray(t, at);
                    }
                }
            }
            float d = Lanes.f16(w, o), dmin = Lanes.f16(w, o + 2);
            for (int b = 0; b < batch; b++) {
                int at = b * Lanes.LANES;
                float dx = a[b].d[i];
                Lanes.toFloats(IntVector.fromArray(Lanes.I, t, at)).fma(Lanes.broadcast(d * dx),
                        FloatVector.fromArray(F, acc, at)).intoArray(acc, at);
                mins[b] = Math.fma(dmin * dx, minSum(ms, a[b].isum, 8 * i), mins[b]);
            }
        }
        for (int b = 0; b < batch; b++) {
            out[b][r] = Lanes.sum(acc, b * Lanes.LANES) - mins[b];
        }
    }

    @Override
    void dequantize(long base, float[] out, int off) {
        for (int i = 0; i < cols / QK; i++) {
            long o = base + (long) BLOCK * i;
            float d = Lanes.f16(data, o), dmin = Lanes.f16(data, o + 2);
            long lo = data.get(LONG_LE, o + 4);
            int hi = data.get(INT_LE, o + 12);
            for (int j = 0; j < 8; j++) {
                float dl = d * KScales.scale(lo, hi, j), ml = dmin * KScales.min(lo, hi, j);
                int shift = 4 * (j & 1);
                long q = o + QS + 32L * (j >> 1);
                for (int l = 0; l < 32; l++) {
                    int v = ((data.get(ValueLayout.JAVA_BYTE, q + l) & 0xFF) >> shift) & 0xF;
                    out[off + QK * i + 32 * j + l] = dl * v - ml;
                }
            }
        }
    }
}
