package io.gridshare.node.tensor;

import static io.gridshare.node.tensor.Lanes.F;
import static io.gridshare.node.tensor.Lanes.QL;
import static io.gridshare.node.tensor.Lanes.QS;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;

/**
 * ggml's {@code block_q8_0}: an f16 scale {@code d} then 32 int8 weights, value {@code d * q}.
 * Each block's 32 integer products (weight × quantized activation) are summed in int lanes, then
 * converted and scaled once by both blocks' scales into the row's float accumulator.
 */
final class Q8_0Matrix extends Q8BlockMatrix {

    private static final int QK = 32;
    private static final int BLOCK = 34;

    Q8_0Matrix(MemorySegment data, int rows, int cols) {
        super(GgmlType.Q8_0, data, rows, cols);
    }

    @Override
    float dot(long base, Q8Activation a) {
        MemorySegment w = data;
        short[] xq = a.q;
        float[] xd = a.d;
        int blocks = cols / QK;
        FloatVector acc = FloatVector.zero(F);
        for (int i = 0; i < blocks; i++) {
            long o = base + (long) BLOCK * i;
            int xi = QK * i;
            IntVector s = Lanes.pairSum(Lanes.shorts(w, o + 2).mul(ShortVector.fromArray(QS, xq, xi)));
            for (int k = QL; k < QK; k += QL) {
                s = s.add(Lanes.pairSum(Lanes.shorts(w, o + 2 + k).mul(ShortVector.fromArray(QS, xq, xi + k))));
            }
            acc = Lanes.toFloats(s).fma(Lanes.broadcast(Lanes.f16(w, o) * xd[i]), acc);
        }
        return Lanes.sum(acc);
    }

    @Override
    void dequantize(long base, float[] out, int off) {
        for (int i = 0; i < cols / QK; i++) {
            long o = base + (long) BLOCK * i;
            float d = Lanes.f16(data, o);
            for (int j = 0; j < QK; j++) {
                out[off + QK * i + j] = data.get(ValueLayout.JAVA_BYTE, o + 2 + j) * d;
            }
        }
    }
}
