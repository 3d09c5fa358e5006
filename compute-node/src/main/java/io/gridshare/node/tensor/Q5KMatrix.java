package io.gridshare.node.tensor;

import static io.gridshare.node.tensor.Lanes.F;
import static io.gridshare.node.tensor.Lanes.INT_LE;
import static io.gridshare.node.tensor.Lanes.LANES;
import static io.gridshare.node.tensor.Lanes.LONG_LE;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * ggml's {@code block_q5_K}: as Q4_K ({@link Q4KMatrix}) with 32 bytes of fifth bits {@code qh}
 * between the scales and the nibbles. Weight {@code l} of sub-block {@code j} takes its fifth bit
 * from bit {@code j} of {@code qh[l]}; value {@code d * sc * q - dmin * m} with {@code q} in 0-31.
 */
final class Q5KMatrix extends BlockMatrix {

    private static final int QK = 256;
    private static final int BLOCK = 176;
    private static final int QH = 16;
    private static final int QS = 48;

    Q5KMatrix(MemorySegment data, int rows, int cols) {
        super(GgmlType.Q5_K, data, rows, cols);
    }

    @Override
    void pair(float[] out, int r, float[] x, long b0, long b1, boolean both) {
        MemorySegment w = data;
        int blocks = cols / QK;
        FloatVector acc0 = FloatVector.zero(F), acc1 = FloatVector.zero(F);
        for (int i = 0; i < blocks; i++) {
            long o0 = b0 + (long) BLOCK * i, o1 = b1 + (long) BLOCK * i;
            float d0 = Lanes.f16(w, o0), m0 = Lanes.f16(w, o0 + 2);
            float d1 = Lanes.f16(w, o1), m1 = Lanes.f16(w, o1 + 2);
            long lo0 = w.get(LONG_LE, o0 + 4), lo1 = w.get(LONG_LE, o1 + 4);
            int hi0 = w.get(INT_LE, o0 + 12), hi1 = w.get(INT_LE, o1 + 12);
            int xb = QK * i;
            for (int g = 0; g < 4; g++) {
                int ja = 2 * g, jb = ja + 1;
                FloatVector da0 = Lanes.broadcast(d0 * KScales.scale(lo0, hi0, ja));
                FloatVector ma0 = Lanes.broadcast(-(m0 * KScales.min(lo0, hi0, ja)));
                FloatVector db0 = Lanes.broadcast(d0 * KScales.scale(lo0, hi0, jb));
                FloatVector mb0 = Lanes.broadcast(-(m0 * KScales.min(lo0, hi0, jb)));
                FloatVector da1 = Lanes.broadcast(d1 * KScales.scale(lo1, hi1, ja));
                FloatVector ma1 = Lanes.broadcast(-(m1 * KScales.min(lo1, hi1, ja)));
                FloatVector db1 = Lanes.broadcast(d1 * KScales.scale(lo1, hi1, jb));
                FloatVector mb1 = Lanes.broadcast(-(m1 * KScales.min(lo1, hi1, jb)));
                FloatVector ta0 = FloatVector.zero(F), tb0 = FloatVector.zero(F);
                FloatVector ta1 = FloatVector.zero(F), tb1 = FloatVector.zero(F);
                int xg = xb + 64 * g;
                for (int k = 0; k < 32; k += LANES) {
                    FloatVector xl = FloatVector.fromArray(F, x, xg + k);
                    FloatVector xh = FloatVector.fromArray(F, x, xg + 32 + k);
                    ByteVector q0 = Lanes.bytes(w, o0 + QS + 32 * g + k);
                    ByteVector h0 = Lanes.bytes(w, o0 + QH + k).lanewise(VectorOperators.LSHR, ja);
                    ByteVector q1 = Lanes.bytes(w, o1 + QS + 32 * g + k);
                    ByteVector h1 = Lanes.bytes(w, o1 + QH + k).lanewise(VectorOperators.LSHR, ja);
                    ta0 = Lanes.toFloats(lowPlusFifth(q0, h0)).fma(da0, ma0).fma(xl, ta0);
                    tb0 = Lanes.toFloats(highPlusFifth(q0, h0)).fma(db0, mb0).fma(xh, tb0);
                    ta1 = Lanes.toFloats(lowPlusFifth(q1, h1)).fma(da1, ma1).fma(xl, ta1);
                    tb1 = Lanes.toFloats(highPlusFifth(q1, h1)).fma(db1, mb1).fma(xh, tb1);
                }
                acc0 = acc0.add(ta0.add(tb0));
                acc1 = acc1.add(ta1.add(tb1));
            }
        }
        out[r] = Lanes.sum(acc0);
        if (both) {
            out[r + 1] = Lanes.sum(acc1);
        }
    }

    /** Low nibble of {@code q} with bit 0 of {@code h} as bit 4. */
    private static ByteVector lowPlusFifth(ByteVector q, ByteVector h) {
        return q.and((byte) 0xF).or(h.lanewise(VectorOperators.LSHL, 4).and((byte) 0x10));
    }

    /** High nibble of {@code q} with bit 1 of {@code h} as bit 4. */
    private static ByteVector highPlusFifth(ByteVector q, ByteVector h) {
        return q.lanewise(VectorOperators.LSHR, 4).or(h.lanewise(VectorOperators.LSHL, 3).and((byte) 0x10));
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
                    int h = ((data.get(ValueLayout.JAVA_BYTE, o + QH + l) & 0xFF) >> j) & 1;
                    out[off + QK * i + 32 * j + l] = dl * (v + 16 * h) - ml;
                }
            }
        }
    }
}
