package io.gridshare.node.tensor;

import static io.gridshare.node.tensor.Lanes.F;
import static io.gridshare.node.tensor.Lanes.FLOAT_LE;
import static io.gridshare.node.tensor.Lanes.LANES;
import static io.gridshare.node.tensor.Lanes.LE;

import io.gridshare.node.engine.cpu.VectorKernels;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/** Float32 weights: two accumulators per row, a scalar tail for columns past the last whole vector. */
final class F32Matrix extends BlockMatrix {

    F32Matrix(MemorySegment data, int rows, int cols) {
        super(GgmlType.F32, data, rows, cols);
    }

    @Override
    void rows(float[] out, float[] x, int from, int to) {
        VectorKernels.matmul(out, x, data, cols, from, to);
    }

    @Override
    float dot(long base, float[] x) {
        MemorySegment w = data;
        int vecEnd = cols - cols % LANES;
        FloatVector a0 = FloatVector.zero(F);
        int c = 0;
        for (; c < vecEnd; c += LANES) {
            a0 = FloatVector.fromMemorySegment(F, w, base + 4L * c, LE).fma(FloatVector.fromArray(F, x, c), a0);
        }
        float s = Lanes.sum(a0);
        for (; c < cols; c++) {
            s += w.get(FLOAT_LE, base + 4L * c) * x[c];
        }
        return s;
    }

    @Override
    void dequantize(long base, float[] out, int off) {
        MemorySegment.copy(data, FLOAT_LE, base, out, off, cols);
    }
}
