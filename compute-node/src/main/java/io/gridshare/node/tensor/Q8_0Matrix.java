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

    /** {@link #dot} for four activations: each block's weights widened once, the same steps per activation. */
    @Override
    void dot4(long base, Q8Activation a0, Q8Activation a1, Q8Activation a2, Q8Activation a3,
            float[] o0, float[] o1, float[] o2, float[] o3, int r) {
        MemorySegment w = data;
        short[] q0 = a0.q, q1 = a1.q, q2 = a2.q, q3 = a3.q;
        float[] d0 = a0.d, d1 = a1.d, d2 = a2.d, d3 = a3.d;
        int blocks = cols / QK;
        FloatVector c0 = FloatVector.zero(F), c1 = FloatVector.zero(F), c2 = FloatVector.zero(F), c3 = FloatVector.zero(F);
        for (int i = 0; i < blocks; i++) {
            long o = base + (long) BLOCK * i;
            int xi = QK * i;
            ShortVector q = Lanes.shorts(w, o + 2);
            IntVector s0 = Lanes.pairSum(q.mul(ShortVector.fromArray(QS, q0, xi)));
            IntVector s1 = Lanes.pairSum(q.mul(ShortVector.fromArray(QS, q1, xi)));
            IntVector s2 = Lanes.pairSum(q.mul(ShortVector.fromArray(QS, q2, xi)));
            IntVector s3 = Lanes.pairSum(q.mul(ShortVector.fromArray(QS, q3, xi)));
            for (int k = QL; k < QK; k += QL) {
                q = Lanes.shorts(w, o + 2 + k);
                s0 = s0.add(Lanes.pairSum(q.mul(ShortVector.fromArray(QS, q0, xi + k))));
                s1 = s1.add(Lanes.pairSum(q.mul(ShortVector.fromArray(QS, q1, xi + k))));
                s2 = s2.add(Lanes.pairSum(q.mul(ShortVector.fromArray(QS, q2, xi + k))));
                s3 = s3.add(Lanes.pairSum(q.mul(ShortVector.fromArray(QS, q3, xi + k))));
            }
            float d = Lanes.f16(w, o);
            c0 = Lanes.toFloats(s0).fma(Lanes.broadcast(d * d0[i]), c0);
            c1 = Lanes.toFloats(s1).fma(Lanes.broadcast(d * d1[i]), c1);
            c2 = Lanes.toFloats(s2).fma(Lanes.broadcast(d * d2[i]), c2);
            c3 = Lanes.toFloats(s3).fma(Lanes.broadcast(d * d3[i]), c3);
        }
        o0[r] = Lanes.sum(c0);
        o1[r] = Lanes.sum(c1);
        o2[r] = Lanes.sum(c2);
        o3[r] = Lanes.sum(c3);
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
