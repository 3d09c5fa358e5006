package io.gridshare.node.tensor;

import static io.gridshare.node.tensor.Lanes.F;
import static io.gridshare.node.tensor.Lanes.INT_LE;
import static io.gridshare.node.tensor.Lanes.LANES;
import static io.gridshare.node.tensor.Lanes.LONG_LE;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;

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
    float dot(long base, float[] x) {
        MemorySegment w = data;
        int blocks = cols / QK;
        FloatVector acc = FloatVector.zero(F);
        for (int i = 0; i < blocks; i++) {
            long o = base + (long) BLOCK * i;
            float d = Lanes.f16(w, o), dmin = Lanes.f16(w, o + 2);
            long lo = w.get(LONG_LE, o + 4);
            int hi = w.get(INT_LE, o + 12);
            for (int g = 0; g < 4; g++) {
                int ja = 2 * g, jb = ja + 1;
                FloatVector da = Lanes.broadcast(d * KScales.scale(lo, hi, ja));
                FloatVector ma = Lanes.broadcast(-(dmin * KScales.min(lo, hi, ja)));
                FloatVector db = Lanes.broadcast(d * KScales.scale(lo, hi, jb));
                FloatVector mb = Lanes.broadcast(-(dmin * KScales.min(lo, hi, jb)));
                FloatVector ta = FloatVector.zero(F), tb = FloatVector.zero(F);
                int xg = QK * i + 64 * g;
                for (int k = 0; k < 32; k += LANES) {
                    ByteVector q = Lanes.bytes(w, o + QS + 32 * g + k);
                    ByteVector h = Lanes.shr(Lanes.bytes(w, o + QH + k), ja);
                    ta = Lanes.toFloats(lowPlusFifth(q, h)).fma(da, ma).fma(FloatVector.fromArray(F, x, xg + k), ta);
                    tb = Lanes.toFloats(highPlusFifth(q, h)).fma(db, mb).fma(FloatVector.fromArray(F, x, xg + 32 + k), tb);
                }
                acc = acc.add(ta.add(tb));
            }
        }
        return Lanes.sum(acc);
    }

    /** Low nibble of {@code q} with bit 0 of {@code h} as bit 4. */
    private static ByteVector lowPlusFifth(ByteVector q, ByteVector h) {
        return q.and((byte) 0xF).or(Lanes.shl(h, 4).and((byte) 0x10));
    }

    /** High nibble of {@code q} with bit 1 of {@code h} as bit 4. */
    private static ByteVector highPlusFifth(ByteVector q, ByteVector h) {
        return Lanes.shr(q, 4).and((byte) 0xF).or(Lanes.shl(h, 3).and((byte) 0x10));
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
