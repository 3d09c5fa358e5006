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
 * ggml's {@code block_q4_K}: f16 {@code d}, f16 {@code dmin}, 12 bytes of packed scales
 * ({@link KScales}), 128 bytes of nibbles, for 256 weights in 8 sub-blocks of 32. The nibbles come
 * in four groups of 32 bytes: in group {@code g} the low nibbles are sub-block {@code 2g}, the high
 * nibbles sub-block {@code 2g + 1}; value {@code d * sc * q - dmin * m}. The kernel dequantizes each
 * chunk with one fused multiply-add and multiplies it into a per-group register.
 */
final class Q4KMatrix extends BlockMatrix {

    static final int QK = 256;
    private static final int BLOCK = 144;
    private static final int QS = 16;

    Q4KMatrix(MemorySegment data, int rows, int cols) {
        super(GgmlType.Q4_K, data, rows, cols);
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
                    ta = Lanes.toFloats(q.and((byte) 0xF)).fma(da, ma).fma(FloatVector.fromArray(F, x, xg + k), ta);
                    tb = Lanes.toFloats(Lanes.shr(q, 4).and((byte) 0xF)).fma(db, mb).fma(FloatVector.fromArray(F, x, xg + 32 + k), tb);
                }
                acc = acc.add(ta.add(tb));
            }
        }
        return Lanes.sum(acc);
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
