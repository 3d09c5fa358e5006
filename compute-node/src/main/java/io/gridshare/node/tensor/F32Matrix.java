package io.gridshare.node.tensor;

import static io.gridshare.node.tensor.Lanes.F;
import static io.gridshare.node.tensor.Lanes.FLOAT_LE;
import static io.gridshare.node.tensor.Lanes.LANES;
import static io.gridshare.node.tensor.Lanes.LE;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/** Float32 weights: two accumulators per row, a scalar tail for columns past the last whole vector. */
final class F32Matrix extends BlockMatrix {

    F32Matrix(MemorySegment data, int rows, int cols) {
        super(GgmlType.F32, data, rows, cols);
    }

    @Override
    void pair(float[] out, int r, float[] x, long b0, long b1, boolean both) {
        MemorySegment w = data;
        int n = cols;
        int vecEnd = n - n % LANES;
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F);
        FloatVector c0 = FloatVector.zero(F), c1 = FloatVector.zero(F);
        int c = 0;
        for (; c + 2 * LANES <= vecEnd; c += 2 * LANES) {
            FloatVector x0 = FloatVector.fromArray(F, x, c);
            FloatVector x1 = FloatVector.fromArray(F, x, c + LANES);
            a0 = FloatVector.fromMemorySegment(F, w, b0 + 4L * c, LE).fma(x0, a0);
            a1 = FloatVector.fromMemorySegment(F, w, b0 + 4L * (c + LANES), LE).fma(x1, a1);
            c0 = FloatVector.fromMemorySegment(F, w, b1 + 4L * c, LE).fma(x0, c0);
            c1 = FloatVector.fromMemorySegment(F, w, b1 + 4L * (c + LANES), LE).fma(x1, c1);
        }
        for (; c < vecEnd; c += LANES) {
            FloatVector x0 = FloatVector.fromArray(F, x, c);
            a0 = FloatVector.fromMemorySegment(F, w, b0 + 4L * c, LE).fma(x0, a0);
            c0 = FloatVector.fromMemorySegment(F, w, b1 + 4L * c, LE).fma(x0, c0);
        }
        float s0 = Lanes.sum(a0.add(a1));
        float s1 = Lanes.sum(c0.add(c1));
        for (; c < n; c++) {
            s0 += w.get(FLOAT_LE, b0 + 4L * c) * x[c];
            s1 += w.get(FLOAT_LE, b1 + 4L * c) * x[c];
        }
        out[r] = s0;
        if (both) {
            out[r + 1] = s1;
        }
    }

    @Override
    void dequantize(long base, float[] out, int off) {
        MemorySegment.copy(data, FLOAT_LE, base, out, off, cols);
    }
}
