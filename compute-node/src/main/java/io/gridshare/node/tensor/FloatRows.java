package io.gridshare.node.tensor;

import static io.gridshare.node.tensor.Lanes.F;
import static io.gridshare.node.tensor.Lanes.LANES;

import jdk.incubator.vector.FloatVector;

/**
 * Dot products of a weight row already converted to floats (a per-thread scratch row) with one or
 * four activation rows, in the float kernels' fixed order: two accumulators (even and odd vectors,
 * the vectors past the last pair into the first), their fixed-tree sum, then a scalar tail. A
 * 16-bit matrix converts a row once and reuses it for every activation row, and gets the same bits
 * as converting inside the loop.
 */
final class FloatRows {

    private FloatRows() {}

    static float dot(float[] w, float[] x, int n) {
        int vecEnd = n - n % LANES;
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F);
        int c = 0;
        for (; c + 2 * LANES <= vecEnd; c += 2 * LANES) {
            a0 = FloatVector.fromArray(F, w, c).fma(FloatVector.fromArray(F, x, c), a0);
            a1 = FloatVector.fromArray(F, w, c + LANES).fma(FloatVector.fromArray(F, x, c + LANES), a1);
        }
        for (; c < vecEnd; c += LANES) {
            a0 = FloatVector.fromArray(F, w, c).fma(FloatVector.fromArray(F, x, c), a0);
        }
        float s = Lanes.sum(a0.add(a1));
        for (; c < n; c++) {
            s += w[c] * x[c];
        }
        return s;
    }

    /** {@code o_k[r] = dot(w, x_k, n)} for four activation rows, each weight vector loaded once. */
    static void dot4(float[] w, int n, float[] x0, float[] x1, float[] x2, float[] x3, float[] o0, float[] o1,
            float[] o2, float[] o3, int r) {
        int vecEnd = n - n % LANES;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, d0 = a0, d1 = a0;
        int c = 0;
        for (; c + 2 * LANES <= vecEnd; c += 2 * LANES) {
            FloatVector w0 = FloatVector.fromArray(F, w, c), w1 = FloatVector.fromArray(F, w, c + LANES);
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
            FloatVector w0 = FloatVector.fromArray(F, w, c);
            a0 = w0.fma(FloatVector.fromArray(F, x0, c), a0);
            b0 = w0.fma(FloatVector.fromArray(F, x1, c), b0);
            c0 = w0.fma(FloatVector.fromArray(F, x2, c), c0);
            d0 = w0.fma(FloatVector.fromArray(F, x3, c), d0);
        }
        float s0 = Lanes.sum(a0.add(a1)), s1 = Lanes.sum(b0.add(b1)), s2 = Lanes.sum(c0.add(c1)),
                s3 = Lanes.sum(d0.add(d1));
        for (; c < n; c++) {
            float v = w[c];
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

    /** {@code out[b][r] = dot(w, x[b], n)} for {@code b < batch}, four at a time. */
    static void dots(float[] w, int n, float[][] x, int batch, float[][] out, int r) {
        int b = 0;
        for (; b + 4 <= batch; b += 4) {
            dot4(w, n, x[b], x[b + 1], x[b + 2], x[b + 3], out[b], out[b + 1], out[b + 2], out[b + 3], r);
        }
        for (; b < batch; b++) {
            out[b][r] = dot(w, x[b], n);
        }
    }
}
