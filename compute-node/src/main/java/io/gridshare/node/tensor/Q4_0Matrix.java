package io.gridshare.node.tensor;

import static io.gridshare.node.tensor.Lanes.F;
import static io.gridshare.node.tensor.Lanes.LANES;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;

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
    float dot(long base, float[] x) {
        MemorySegment w = data;
        int blocks = cols / QK;
        FloatVector acc = FloatVector.zero(F);
        for (int i = 0; i < blocks; i++) {
            long o = base + (long) BLOCK * i;
            int xi = QK * i;
            FloatVector s = FloatVector.zero(F), t = FloatVector.zero(F);
            for (int k = 0; k < QK / 2; k += LANES) {
                ByteVector q = Lanes.bytes(w, o + 2 + k);
                s = Lanes.toFloats(q.and((byte) 0xF).sub((byte) 8)).fma(FloatVector.fromArray(F, x, xi + k), s);
                t = Lanes.toFloats(Lanes.shr(q, 4).and((byte) 0xF).sub((byte) 8))
                        .fma(FloatVector.fromArray(F, x, xi + QK / 2 + k), t);
            }
            acc = s.add(t).fma(Lanes.broadcast(Lanes.f16(w, o)), acc);
        }
        return Lanes.sum(acc);
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
