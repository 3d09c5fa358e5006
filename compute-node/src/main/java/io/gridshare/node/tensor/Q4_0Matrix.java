package io.gridshare.node.tensor;

import static io.gridshare.node.tensor.Lanes.F;
import static io.gridshare.node.tensor.Lanes.LANES;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * ggml's {@code block_q4_0}: an f16 scale {@code d} then 16 bytes of nibbles; weight {@code j < 16}
 * is the low nibble of byte {@code j}, weight {@code j + 16} its high nibble, value
 * {@code d * (q - 8)}. Nibbles are unpacked and re-centred in byte lanes, then widened to floats.
 */
final class Q4_0Matrix extends BlockMatrix {

    private static final int QK = 32;
    private static final int BLOCK = 18;

    Q4_0Matrix(MemorySegment data, int rows, int cols) {
        super(GgmlType.Q4_0, data, rows, cols);
    }

    @Override
    void pair(float[] out, int r, float[] x, long b0, long b1, boolean both) {
        MemorySegment w = data;
        int blocks = cols / QK;
        FloatVector acc0 = FloatVector.zero(F), acc1 = FloatVector.zero(F);
        for (int i = 0; i < blocks; i++) {
            long o0 = b0 + (long) BLOCK * i, o1 = b1 + (long) BLOCK * i;
            int xi = QK * i;
            FloatVector s0 = FloatVector.zero(F), s1 = FloatVector.zero(F);
            for (int k = 0; k < QK / 2; k += LANES) {
                FloatVector xl = FloatVector.fromArray(F, x, xi + k);
                FloatVector xh = FloatVector.fromArray(F, x, xi + QK / 2 + k);
                ByteVector q0 = Lanes.bytes(w, o0 + 2 + k);
                ByteVector q1 = Lanes.bytes(w, o1 + 2 + k);
                s0 = Lanes.toFloats(q0.and((byte) 0xF).sub((byte) 8)).fma(xl, s0);
                s0 = Lanes.toFloats(q0.lanewise(VectorOperators.LSHR, 4).sub((byte) 8)).fma(xh, s0);
                s1 = Lanes.toFloats(q1.and((byte) 0xF).sub((byte) 8)).fma(xl, s1);
                s1 = Lanes.toFloats(q1.lanewise(VectorOperators.LSHR, 4).sub((byte) 8)).fma(xh, s1);
            }
            acc0 = s0.fma(Lanes.broadcast(Lanes.f16(w, o0)), acc0);
            acc1 = s1.fma(Lanes.broadcast(Lanes.f16(w, o1)), acc1);
        }
        out[r] = Lanes.sum(acc0);
        if (both) {
            out[r + 1] = Lanes.sum(acc1);
        }
    }

    @Override
    void dequantize(long base, float[] out, int off) {
        for (int i = 0; i < cols / QK; i++) {
            long o = base + (long) BLOCK * i;
            float d = Lanes.f16(data, o);
            for (int j = 0; j < QK / 2; j++) {
                int q = data.get(ValueLayout.JAVA_BYTE, o + 2 + j) & 0xFF;
                out[off + QK * i + j] = ((q & 0xF) - 8) * d;
                out[off + QK * i + j + QK / 2] = ((q >> 4) - 8) * d;
            }
        }
    }
}
