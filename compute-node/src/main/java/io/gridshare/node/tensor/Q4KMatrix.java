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
 * nibbles with the int8 activation in short lanes, scales each sub-block's integer sum once
 * ({@code d * sc * dx}), and takes the mins term from the activation's per-block sums, as ggml's
 * {@code vec_dot_q4_K_q8_K} does (but with one activation scale per 32, not per 256).
 */
final class Q4KMatrix extends Q8BlockMatrix {

    static final int QK = 256;
    private static final int BLOCK = 144;
    private static final int QS = 16;

    Q4KMatrix(MemorySegment data, int rows, int cols) {
        super(GgmlType.Q4_K, data, rows, cols);
    }

    @Override
    float dot(long base, Q8Activation a) {
        MemorySegment w = data;
        short[] xq = a.q;
        float[] xd = a.d, xsum = a.sum;
        int blocks = cols / QK;
        FloatVector accA = FloatVector.zero(F), accB = FloatVector.zero(F);
        float mins = 0;
        for (int i = 0; i < blocks; i++) {
            long o = base + (long) BLOCK * i;
            float d = Lanes.f16(w, o), dmin = Lanes.f16(w, o + 2);
            long lo = w.get(LONG_LE, o + 4);
            int hi = w.get(INT_LE, o + 12);
            long scales = KScales.scales(lo, hi), ms = KScales.mins(lo, hi);
            for (int g = 0; g < 4; g++) {
                int ja = 2 * g, jb = ja + 1;
                int xa = QK * i + 64 * g, xb = xa + 32, sa = 8 * i + ja;
                IntVector ta = IntVector.zero(Lanes.I), tb = IntVector.zero(Lanes.I);
                for (int k = 0; k < 32; k += QL) {
                    ByteVector q = ByteVector.fromMemorySegment(QB, w, o + QS + 32 * g + k, Lanes.LE);
                    ShortVector qa = (ShortVector) q.and((byte) 0xF).castShape(Lanes.QS, 0);
                    ShortVector qb = (ShortVector) Lanes.shr(q, 4).and((byte) 0xF).castShape(Lanes.QS, 0);
                    ta = ta.add(Lanes.pairSum(qa.mul(ShortVector.fromArray(Lanes.QS, xq, xa + k))));
                    tb = tb.add(Lanes.pairSum(qb.mul(ShortVector.fromArray(Lanes.QS, xq, xb + k))));
                }
                accA = Lanes.toFloats(ta).fma(Lanes.broadcast(d * KScales.at(scales, ja) * xd[sa]), accA);
                accB = Lanes.toFloats(tb).fma(Lanes.broadcast(d * KScales.at(scales, jb) * xd[sa + 1]), accB);
                mins = Math.fma(dmin * KScales.at(ms, ja), xsum[sa], mins);
                mins = Math.fma(dmin * KScales.at(ms, jb), xsum[sa + 1], mins);
            }
        }
        return Lanes.sum(accA.add(accB)) - mins;
    }

    /**
     * {@link #dot} for four activations: each group's nibbles unpacked once and each scale product
     * {@code d * sc} formed once (as {@link #dot} forms it before multiplying by the activation's scale).
     */
    @Override
    void dot4(long base, Q8Activation a0, Q8Activation a1, Q8Activation a2, Q8Activation a3,
            float[] o0, float[] o1, float[] o2, float[] o3, int r) {
        MemorySegment w = data;
        int blocks = cols / QK;
        FloatVector accA0 = FloatVector.zero(F), accB0 = FloatVector.zero(F), accA1 = FloatVector.zero(F),
                accB1 = FloatVector.zero(F), accA2 = FloatVector.zero(F), accB2 = FloatVector.zero(F),
                accA3 = FloatVector.zero(F), accB3 = FloatVector.zero(F);
        float m0 = 0, m1 = 0, m2 = 0, m3 = 0;
        for (int i = 0; i < blocks; i++) {
            long o = base + (long) BLOCK * i;
            float d = Lanes.f16(w, o), dmin = Lanes.f16(w, o + 2);
            long lo = w.get(LONG_LE, o + 4);
            int hi = w.get(INT_LE, o + 12);
            long scales = KScales.scales(lo, hi), ms = KScales.mins(lo, hi);
            for (int g = 0; g < 4; g++) {
                int ja = 2 * g, jb = ja + 1;
                int xa = QK * i + 64 * g, xb = xa + 32, sa = 8 * i + ja;
                IntVector ta0 = IntVector.zero(Lanes.I), tb0 = ta0, ta1 = ta0, tb1 = ta0, ta2 = ta0, tb2 = ta0,
                        ta3 = ta0, tb3 = ta0;
                for (int k = 0; k < 32; k += QL) {
                    ByteVector q = ByteVector.fromMemorySegment(QB, w, o + QS + 32 * g + k, Lanes.LE);
                    ShortVector qa = (ShortVector) q.and((byte) 0xF).castShape(Lanes.QS, 0);
                    ShortVector qb = (ShortVector) Lanes.shr(q, 4).and((byte) 0xF).castShape(Lanes.QS, 0);
                    ta0 = ta0.add(Lanes.pairSum(qa.mul(ShortVector.fromArray(Lanes.QS, a0.q, xa + k))));
                    tb0 = tb0.add(Lanes.pairSum(qb.mul(ShortVector.fromArray(Lanes.QS, a0.q, xb + k))));
                    ta1 = ta1.add(Lanes.pairSum(qa.mul(ShortVector.fromArray(Lanes.QS, a1.q, xa + k))));
                    tb1 = tb1.add(Lanes.pairSum(qb.mul(ShortVector.fromArray(Lanes.QS, a1.q, xb + k))));
                    ta2 = ta2.add(Lanes.pairSum(qa.mul(ShortVector.fromArray(Lanes.QS, a2.q, xa + k))));
                    tb2 = tb2.add(Lanes.pairSum(qb.mul(ShortVector.fromArray(Lanes.QS, a2.q, xb + k))));
                    ta3 = ta3.add(Lanes.pairSum(qa.mul(ShortVector.fromArray(Lanes.QS, a3.q, xa + k))));
                    tb3 = tb3.add(Lanes.pairSum(qb.mul(ShortVector.fromArray(Lanes.QS, a3.q, xb + k))));
                }
                float da = d * KScales.at(scales, ja), db = d * KScales.at(scales, jb);
                float ma = dmin * KScales.at(ms, ja), mb = dmin * KScales.at(ms, jb);
                accA0 = Lanes.toFloats(ta0).fma(Lanes.broadcast(da * a0.d[sa]), accA0);
                accB0 = Lanes.toFloats(tb0).fma(Lanes.broadcast(db * a0.d[sa + 1]), accB0);
                accA1 = Lanes.toFloats(ta1).fma(Lanes.broadcast(da * a1.d[sa]), accA1);
                accB1 = Lanes.toFloats(tb1).fma(Lanes.broadcast(db * a1.d[sa + 1]), accB1);
                accA2 = Lanes.toFloats(ta2).fma(Lanes.broadcast(da * a2.d[sa]), accA2);
                accB2 = Lanes.toFloats(tb2).fma(Lanes.broadcast(db * a2.d[sa + 1]), accB2);
                accA3 = Lanes.toFloats(ta3).fma(Lanes.broadcast(da * a3.d[sa]), accA3);
                accB3 = Lanes.toFloats(tb3).fma(Lanes.broadcast(db * a3.d[sa + 1]), accB3);
                m0 = Math.fma(mb, a0.sum[sa + 1], Math.fma(ma, a0.sum[sa], m0));
                m1 = Math.fma(mb, a1.sum[sa + 1], Math.fma(ma, a1.sum[sa], m1));
                m2 = Math.fma(mb, a2.sum[sa + 1], Math.fma(ma, a2.sum[sa], m2));
                m3 = Math.fma(mb, a3.sum[sa + 1], Math.fma(ma, a3.sum[sa], m3));
            }
        }
        o0[r] = Lanes.sum(accA0.add(accB0)) - m0;
        o1[r] = Lanes.sum(accA1.add(accB1)) - m1;
        o2[r] = Lanes.sum(accA2.add(accB2)) - m2;
        o3[r] = Lanes.sum(accA3.add(accB3)) - m3;
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
