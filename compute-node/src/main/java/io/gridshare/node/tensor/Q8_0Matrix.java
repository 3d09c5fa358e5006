package io.gridshare.node.tensor;

import static io.gridshare.node.tensor.Lanes.F;
import static io.gridshare.node.tensor.Lanes.LANES;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;

/**
 * ggml's {@code block_q8_0}: an f16 scale {@code d} then 32 int8 weights, value {@code d * q}.
 * Each block's 32 products are summed unscaled in a fresh register and scaled once into the row's
 * accumulator, so consecutive blocks' work overlaps.
 */
final class Q8_0Matrix extends BlockMatrix {

    private static final int QK = 32;
    private static final int BLOCK = 34;

    Q8_0Matrix(MemorySegment data, int rows, int cols) {
        super(GgmlType.Q8_0, data, rows, cols);
    }

    @Override
    float dot(long base, float[] x) {
        MemorySegment w = data;
        int blocks = cols / QK;
        FloatVector acc = FloatVector.zero(F);
        for (int i = 0; i < blocks; i++) {
            long o = base + (long) BLOCK * i;
            int xi = QK * i;
            FloatVector s = FloatVector.zero(F);
            for (int k = 0; k < QK; k += LANES) {
                s = Lanes.toFloats(Lanes.bytes(w, o + 2 + k)).fma(FloatVector.fromArray(F, x, xi + k), s);
            }
            acc = s.fma(Lanes.broadcast(Lanes.f16(w, o)), acc);
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
