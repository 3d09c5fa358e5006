package io.gridshare.node.tensor;

import static io.gridshare.node.tensor.Lanes.F;
import static io.gridshare.node.tensor.Lanes.I;
import static io.gridshare.node.tensor.Lanes.LANES;
import static io.gridshare.node.tensor.Lanes.LE;
import static io.gridshare.node.tensor.Lanes.S;
import static io.gridshare.node.tensor.Lanes.SHORT_LE;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * IEEE half-precision weights. The Vector API has no f16 conversion, so the kernel rebuilds the
 * float bits with integer lanes: normals by re-biasing the exponent, infinities and NaNs by a
 * second re-bias, subnormals (exactly) as {@code mantissa * 2^-24} through an int-to-float convert,
 * which keeps float subnormals (slow on many CPUs) out of the arithmetic.
 */
final class F16Matrix extends BlockMatrix {

    private static final int REBIAS = (127 - 15) << 23;

    F16Matrix(MemorySegment data, int rows, int cols) {
        super(GgmlType.F16, data, rows, cols);
    }

    static FloatVector halfToFloat(ShortVector h) {
        IntVector i = (IntVector) h.castShape(I, 0);
        IntVector abs = i.and(0x7fff);
        IntVector sign = i.and(0x8000).lanewise(VectorOperators.LSHL, 16);
        IntVector normal = abs.lanewise(VectorOperators.LSHL, 13).add(REBIAS);
        normal = normal.blend(normal.add(REBIAS), abs.compare(VectorOperators.GE, 0x7c00));
        FloatVector sub = ((FloatVector) abs.castShape(F, 0)).mul(0x1p-24f);
        IntVector bits = normal.blend(sub.reinterpretAsInts(), abs.compare(VectorOperators.LT, 0x400));
        return bits.or(sign).reinterpretAsFloats();
    }

    private static FloatVector load(MemorySegment w, long off) {
        return halfToFloat(ShortVector.fromMemorySegment(S, w, off, LE));
    }

    @Override
    float dot(long base, float[] x) {
        MemorySegment w = data;
        int n = cols;
        int vecEnd = n - n % LANES;
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F);
        int c = 0;
        for (; c + 2 * LANES <= vecEnd; c += 2 * LANES) {
            a0 = load(w, base + 2L * c).fma(FloatVector.fromArray(F, x, c), a0);
            a1 = load(w, base + 2L * (c + LANES)).fma(FloatVector.fromArray(F, x, c + LANES), a1);
        }
        for (; c < vecEnd; c += LANES) {
            a0 = load(w, base + 2L * c).fma(FloatVector.fromArray(F, x, c), a0);
        }
        float s = Lanes.sum(a0.add(a1));
        for (; c < n; c++) {
            s += Float.float16ToFloat(w.get(SHORT_LE, base + 2L * c)) * x[c];
        }
        return s;
    }

    /** {@link #dot} for four activations, each weight vector loaded and converted once. */
    @Override
    void dot4(long base, float[] x0, float[] x1, float[] x2, float[] x3, float[] o0, float[] o1, float[] o2,
            float[] o3, int r) {
        MemorySegment w = data;
        int n = cols, vecEnd = n - n % LANES;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, d0 = a0, d1 = a0;
        int c = 0;
        for (; c + 2 * LANES <= vecEnd; c += 2 * LANES) {
            FloatVector w0 = load(w, base + 2L * c), w1 = load(w, base + 2L * (c + LANES));
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
            FloatVector w0 = load(w, base + 2L * c);
            a0 = w0.fma(FloatVector.fromArray(F, x0, c), a0);
            b0 = w0.fma(FloatVector.fromArray(F, x1, c), b0);
            c0 = w0.fma(FloatVector.fromArray(F, x2, c), c0);
            d0 = w0.fma(FloatVector.fromArray(F, x3, c), d0);
        }
        float s0 = Lanes.sum(a0.add(a1)), s1 = Lanes.sum(b0.add(b1)), s2 = Lanes.sum(c0.add(c1)),
                s3 = Lanes.sum(d0.add(d1));
        for (; c < n; c++) {
            float v = Float.float16ToFloat(w.get(SHORT_LE, base + 2L * c));
            s0 += v * x0[c];
            s1 += v * x1[c];
            s2 += v * x2[c];
            s3 += v * x3[c];
        }
        o0[r] = s0;
        o1[r] = s1;
        o2[r] = s2;
        o3[r] = s3;
    }

    @Override
    void dequantize(long base, float[] out, int off) {
        for (int c = 0; c < cols; c++) {
            out[off + c] = Float.float16ToFloat(data.get(SHORT_LE, base + 2L * c));
        }
    }
}
