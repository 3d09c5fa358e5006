package io.gridshare.node.tensor;

import static io.gridshare.node.tensor.Lanes.F;
import static io.gridshare.node.tensor.Lanes.LANES;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * ggml's {@code block_q6_K}: 128 bytes {@code ql} of low nibbles, 64 bytes {@code qh} of 2-bit high
 * parts, 16 int8 scales, f16 {@code d}, for 256 weights in 16 sub-blocks of 16. Each half of 128
 * weights uses 64 bytes of {@code ql}, 32 of {@code qh} and 8 scales; for {@code l < 32}:
 * weight {@code l} is {@code ql[l]} low | {@code qh[l]} bits 0-1, {@code l + 32} is {@code ql[l + 32]}
 * low | bits 2-3, {@code l + 64} is {@code ql[l]} high | bits 4-5, {@code l + 96} is
 * {@code ql[l + 32]} high | bits 6-7; value {@code d * sc[l / 16 + 2m] * (q - 32)} for quarter m.
 */
final class Q6KMatrix extends BlockMatrix {

    private static final int QK = 256;
    private static final int BLOCK = 210;
    private static final int QH = 128;
    private static final int SC = 192;
    private static final int D = 208;

    Q6KMatrix(MemorySegment data, int rows, int cols) {
        super(GgmlType.Q6_K, data, rows, cols);
    }

    @Override
    void pair(float[] out, int r, float[] x, long b0, long b1, boolean both) {
        MemorySegment w = data;
        int blocks = cols / QK;
        FloatVector acc0 = FloatVector.zero(F), acc1 = FloatVector.zero(F);
        for (int i = 0; i < blocks; i++) {
            long o0 = b0 + (long) BLOCK * i, o1 = b1 + (long) BLOCK * i;
            float d0 = Lanes.f16(w, o0 + D), d1 = Lanes.f16(w, o1 + D);
            for (int n = 0; n < 2; n++) {
                int xn = QK * i + 128 * n;
                FloatVector t0 = FloatVector.zero(F), u0 = FloatVector.zero(F);
                FloatVector t1 = FloatVector.zero(F), u1 = FloatVector.zero(F);
                for (int k = 0; k < 32; k += LANES) {
                    long sc = SC + 8 * n + (k >> 4);
                    FloatVector x1 = FloatVector.fromArray(F, x, xn + k);
                    FloatVector x2 = FloatVector.fromArray(F, x, xn + 32 + k);
                    FloatVector x3 = FloatVector.fromArray(F, x, xn + 64 + k);
                    FloatVector x4 = FloatVector.fromArray(F, x, xn + 96 + k);
                    long ql0 = o0 + 64 * n + k, qh0 = o0 + QH + 32 * n + k;
                    long ql1 = o1 + 64 * n + k, qh1 = o1 + QH + 32 * n + k;
                    ByteVector a0 = Lanes.bytes(w, ql0), c0 = Lanes.bytes(w, ql0 + 32), h0 = Lanes.bytes(w, qh0);
                    ByteVector a1 = Lanes.bytes(w, ql1), c1 = Lanes.bytes(w, ql1 + 32), h1 = Lanes.bytes(w, qh1);
                    t0 = Lanes.toFloats(q1(a0, h0)).mul(x1).fma(scale(w, o0 + sc, d0), t0);
                    u0 = Lanes.toFloats(q2(c0, h0)).mul(x2).fma(scale(w, o0 + sc + 2, d0), u0);
                    t0 = Lanes.toFloats(q3(a0, h0)).mul(x3).fma(scale(w, o0 + sc + 4, d0), t0);
                    u0 = Lanes.toFloats(q4(c0, h0)).mul(x4).fma(scale(w, o0 + sc + 6, d0), u0);
                    t1 = Lanes.toFloats(q1(a1, h1)).mul(x1).fma(scale(w, o1 + sc, d1), t1);
                    u1 = Lanes.toFloats(q2(c1, h1)).mul(x2).fma(scale(w, o1 + sc + 2, d1), u1);
                    t1 = Lanes.toFloats(q3(a1, h1)).mul(x3).fma(scale(w, o1 + sc + 4, d1), t1);
                    u1 = Lanes.toFloats(q4(c1, h1)).mul(x4).fma(scale(w, o1 + sc + 6, d1), u1);
                }
                acc0 = acc0.add(t0.add(u0));
                acc1 = acc1.add(t1.add(u1));
            }
        }
        out[r] = Lanes.sum(acc0);
        if (both) {
            out[r + 1] = Lanes.sum(acc1);
        }
    }

    private static FloatVector scale(MemorySegment w, long off, float d) {
        return Lanes.broadcast(d * w.get(ValueLayout.JAVA_BYTE, off));
    }

    private static final byte BIAS = 32;
    private static final byte HIGH = 0x30;

    private static ByteVector q1(ByteVector ql, ByteVector qh) {
        return ql.and((byte) 0xF).or(qh.lanewise(VectorOperators.LSHL, 4).and(HIGH)).sub(BIAS);
    }

    private static ByteVector q2(ByteVector ql, ByteVector qh) {
        return ql.and((byte) 0xF).or(qh.lanewise(VectorOperators.LSHL, 2).and(HIGH)).sub(BIAS);
    }

    private static ByteVector q3(ByteVector ql, ByteVector qh) {
        return ql.lanewise(VectorOperators.LSHR, 4).or(qh.and(HIGH)).sub(BIAS);
    }

    private static ByteVector q4(ByteVector ql, ByteVector qh) {
        return ql.lanewise(VectorOperators.LSHR, 4).or(qh.lanewise(VectorOperators.LSHR, 2).and(HIGH)).sub(BIAS);
    }

    @Override
    void dequantize(long base, float[] out, int off) {
        for (int i = 0; i < cols / QK; i++) {
            long o = base + (long) BLOCK * i;
            float d = Lanes.f16(data, o + D);
            for (int n = 0; n < 2; n++) {
                for (int l = 0; l < 32; l++) {
                    int a = data.get(ValueLayout.JAVA_BYTE, o + 64 * n + l) & 0xFF;
                    int c = data.get(ValueLayout.JAVA_BYTE, o + 64 * n + 32 + l) & 0xFF;
                    int h = data.get(ValueLayout.JAVA_BYTE, o + QH + 32 * n + l) & 0xFF;
                    long row = off + QK * i + 128 * n + l;
                    long sc = o + SC + 8 * n + l / 16;
                    put(out, row, d, sc, (a & 0xF) | ((h & 3) << 4));
                    put(out, row + 32, d, sc + 2, (c & 0xF) | (((h >> 2) & 3) << 4));
                    put(out, row + 64, d, sc + 4, (a >> 4) | (((h >> 4) & 3) << 4));
                    put(out, row + 96, d, sc + 6, (c >> 4) | (((h >> 6) & 3) << 4));
                }
            }
        }
    }

    private void put(float[] out, long at, float d, long sc, int q) {
        out[(int) at] = d * data.get(ValueLayout.JAVA_BYTE, sc) * (q - 32);
    }
}
