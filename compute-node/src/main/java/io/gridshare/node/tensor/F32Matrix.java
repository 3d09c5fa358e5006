package io.gridshare.node.tensor;

import static io.gridshare.node.tensor.Lanes.F;
import static io.gridshare.node.tensor.Lanes.FLOAT_LE;
import static io.gridshare.node.tensor.Lanes.LANES;
import static io.gridshare.node.tensor.Lanes.LE;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * Float32 weights: two accumulators per row (even and odd vectors of the row, the rest into the
 * first), a scalar tail for columns past the last whole vector. Where {@link Lanes#F} is the
 * preferred species (every AVX2 and AVX-512 machine) the bits equal those of the llama2.c kernel
 * it replaced, which the golden tests pin down.
 */
final class F32Matrix extends BlockMatrix {

    F32Matrix(MemorySegment data, int rows, int cols) {
        super(GgmlType.F32, data, rows, cols);
    }

    private FloatVector load(long off) {
        return FloatVector.fromMemorySegment(F, data, off, LE);
    }

    @Override
    float dot(long base, float[] x) {
        int n = cols, vecEnd = n - n % LANES;
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F);
        int c = 0;
        for (; c + 2 * LANES <= vecEnd; c += 2 * LANES) {
            a0 = load(base + 4L * c).fma(FloatVector.fromArray(F, x, c), a0);
            a1 = load(base + 4L * (c + LANES)).fma(FloatVector.fromArray(F, x, c + LANES), a1);
        }
        for (; c < vecEnd; c += LANES) {
            a0 = load(base + 4L * c).fma(FloatVector.fromArray(F, x, c), a0);
        }
        float s = Lanes.sum(a0.add(a1));
        for (; c < n; c++) {
            s += data.get(FLOAT_LE, base + 4L * c) * x[c];
        }
        return s;
    }

    /** {@link #dot} for four activations, each weight vector loaded once. */
    @Override
    void dot4(long base, float[] x0, float[] x1, float[] x2, float[] x3, float[] o0, float[] o1, float[] o2,
            float[] o3, int r) {
        int n = cols, vecEnd = n - n % LANES;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, d0 = a0, d1 = a0;
        int c = 0;
        for (; c + 2 * LANES <= vecEnd; c += 2 * LANES) {
            FloatVector w0 = load(base + 4L * c), w1 = load(base + 4L * (c + LANES));
            a0 = w0.fma(FloatVector.fromArray(F, x0, c), a0);
            a1 = w1.fma(FloatVector.fromArray(F, x0, c + LANES), a1);
            b0 = w0.fma(FloatVector.fromArray(F, x1, c), b0);
            b1 = w1.fma(FloatVector.fromArray(F, x1, c + LANES), b1);
            c0 = w0.fma(FloatVector.fromArray(F, x2, c), c0);
            c1 = w1.fma(FloatVector.fromArray(F, x2, c + LANES), c1);
            d0 = w0.fma(FloatVector.fromArray(F, x3, c), d0);
            d1 = w1.fma(FloatVector.fromArray(F, x3, c + LANES), d1);
        }
        for (; c < vecEnd; c += LANES) {
            FloatVector w0 = load(base + 4L * c);
            a0 = w0.fma(FloatVector.fromArray(F, x0, c), a0);
            b0 = w0.fma(FloatVector.fromArray(F, x1, c), b0);
            c0 = w0.fma(FloatVector.fromArray(F, x2, c), c0);
            d0 = w0.fma(FloatVector.fromArray(F, x3, c), d0);
        }
        float s0 = Lanes.sum(a0.add(a1)), s1 = Lanes.sum(b0.add(b1)), s2 = Lanes.sum(c0.add(c1)),
                s3 = Lanes.sum(d0.add(d1));
        for (; c < n; c++) {
            float w = data.get(FLOAT_LE, base + 4L * c);
            s0 += w * x0[c];
            s1 += w * x1[c];
            s2 += w * x2[c];
            s3 += w * x3[c];
        }
        o0[r] = s0;
        o1[r] = s1;
        o2[r] = s2;
        o3[r] = s3;
    }

    @Override
    void dequantize(long base, float[] out, int off) {
        MemorySegment.copy(data, FLOAT_LE, base, out, off, cols);
    }
}
