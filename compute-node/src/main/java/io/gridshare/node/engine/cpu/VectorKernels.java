package io.gridshare.node.engine.cpu;

import io.gridshare.node.model.LlamaCheckpoint;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The CPU backend's arithmetic: matrix-vector products over memory-mapped float32 weights with
 * the Vector API, and the small element-wise steps of the forward pass. Each matmul row is one
 * dot product over the row's weights, accumulated in four independent vector registers so fused
 * multiply-adds overlap instead of waiting on each other.
 */
public final class VectorKernels {

    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private VectorKernels() {}

    /** Lanes per vector on this CPU (8 with AVX2, 16 with AVX-512). */
    public static int lanes() {
        return LANES;
    }

    /**
     * {@code out[r] = sum_c w[r][c] * x[c]} for rows {@code [from, to)} of a row-major
     * {@code [rows][cols]} float32 matrix.
     */
    public static void matmul(float[] out, float[] x, MemorySegment w, int cols, int from, int to) {
        long rowBytes = 4L * cols;
        int vecEnd = cols - cols % LANES;
        int unrolledEnd = cols - cols % (2 * LANES);
        // two rows per pass share each load of x
        int r = from;
        for (; r + 1 < to; r += 2) {
            long base0 = r * rowBytes;
            long base1 = base0 + rowBytes;
            FloatVector a0 = FloatVector.zero(SPECIES), a1 = FloatVector.zero(SPECIES);
            FloatVector b0 = FloatVector.zero(SPECIES), b1 = FloatVector.zero(SPECIES);
            int c = 0;
            for (; c < unrolledEnd; c += 2 * LANES) {
                FloatVector x0 = FloatVector.fromArray(SPECIES, x, c);
                FloatVector x1 = FloatVector.fromArray(SPECIES, x, c + LANES);
                a0 = FloatVector.fromMemorySegment(SPECIES, w, base0 + 4L * c, LE).fma(x0, a0);
                a1 = FloatVector.fromMemorySegment(SPECIES, w, base0 + 4L * (c + LANES), LE).fma(x1, a1);
                b0 = FloatVector.fromMemorySegment(SPECIES, w, base1 + 4L * c, LE).fma(x0, b0);
                b1 = FloatVector.fromMemorySegment(SPECIES, w, base1 + 4L * (c + LANES), LE).fma(x1, b1);
            }
            for (; c < vecEnd; c += LANES) {
                FloatVector x0 = FloatVector.fromArray(SPECIES, x, c);
                a0 = FloatVector.fromMemorySegment(SPECIES, w, base0 + 4L * c, LE).fma(x0, a0);
                b0 = FloatVector.fromMemorySegment(SPECIES, w, base1 + 4L * c, LE).fma(x0, b0);
            }
            float s0 = a0.add(a1).reduceLanes(VectorOperators.ADD);
            float s1 = b0.add(b1).reduceLanes(VectorOperators.ADD);
            for (; c < cols; c++) {
                s0 += w.get(LlamaCheckpoint.FLOAT_LE, base0 + 4L * c) * x[c];
                s1 += w.get(LlamaCheckpoint.FLOAT_LE, base1 + 4L * c) * x[c];
            }
            out[r] = s0;
            out[r + 1] = s1;
        }
        if (r < to) {
            out[r] = dot(w, r * rowBytes, x, cols);
        }
    }

    /** Dot product of a float32 row in {@code w} starting at byte {@code base} with {@code x[0, n)}. */
    static float dot(MemorySegment w, long base, float[] x, int n) {
        int vecEnd = n - n % LANES;
        FloatVector a0 = FloatVector.zero(SPECIES), a1 = FloatVector.zero(SPECIES);
        int c = 0;
        for (; c + LANES < vecEnd; c += 2 * LANES) {
            a0 = FloatVector.fromMemorySegment(SPECIES, w, base + 4L * c, LE).fma(FloatVector.fromArray(SPECIES, x, c), a0);
            a1 = FloatVector.fromMemorySegment(SPECIES, w, base + 4L * (c + LANES), LE)
                    .fma(FloatVector.fromArray(SPECIES, x, c + LANES), a1);
        }
        for (; c < vecEnd; c += LANES) {
            a0 = FloatVector.fromMemorySegment(SPECIES, w, base + 4L * c, LE).fma(FloatVector.fromArray(SPECIES, x, c), a0);
        }
        float s = a0.add(a1).reduceLanes(VectorOperators.ADD);
        for (; c < n; c++) {
            s += w.get(LlamaCheckpoint.FLOAT_LE, base + 4L * c) * x[c];
        }
        return s;
    }

    /** {@code out = weight * x / sqrt(mean(x^2) + 1e-5)} as in llama2.c. {@code out} may be {@code x}. */
    public static void rmsnorm(float[] out, float[] x, float[] weight, int n) {
        float ss = 0f;
        for (int i = 0; i < n; i++) {
            ss += x[i] * x[i];
        }
        ss /= n;
        ss += 1e-5f;
        ss = 1f / (float) Math.sqrt(ss);
        for (int i = 0; i < n; i++) {
            out[i] = weight[i] * (ss * x[i]);
        }
    }

    /** In-place softmax of {@code x[off, off + n)}. */
    public static void softmax(float[] x, int off, int n) {
        int vecEnd = n - n % LANES;
        float max = Float.NEGATIVE_INFINITY;
        int i = 0;
        if (vecEnd > 0) {
            FloatVector m = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
            for (; i < vecEnd; i += LANES) {
                m = m.max(FloatVector.fromArray(SPECIES, x, off + i));
            }
            max = m.reduceLanes(VectorOperators.MAX);
        }
        for (; i < n; i++) {
            max = Math.max(max, x[off + i]);
        }
        float sum = 0f;
        i = 0;
        if (vecEnd > 0) {
            FloatVector acc = FloatVector.zero(SPECIES);
            for (; i < vecEnd; i += LANES) {
                FloatVector e = FloatVector.fromArray(SPECIES, x, off + i).sub(max).lanewise(VectorOperators.EXP);
                e.intoArray(x, off + i);
                acc = acc.add(e);
            }
            sum = acc.reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) {
            float e = (float) Math.exp(x[off + i] - max);
            x[off + i] = e;
            sum += e;
        }
        float inv = 1f / sum;
        i = 0;
        for (; i < vecEnd; i += LANES) {
            FloatVector.fromArray(SPECIES, x, off + i).mul(inv).intoArray(x, off + i);
        }
        for (; i < n; i++) {
            x[off + i] *= inv;
        }
    }

    /**
     * {@code att[ao + t] = q[qo, qo + headSize) . k[t] / scale} for positions {@code t < n}, with the
     * keys of one head stored dimension-major: {@code k[kBase + d * stride + t]}.
     */
    static void attentionScores(float[] att, int ao, float[] q, int qo, float[] k, int kBase, int stride,
                                int headSize, int n, float scale) {
        int vecEnd = n - n % LANES;
        int t = 0;
        for (; t < vecEnd; t += LANES) {
            FloatVector acc = FloatVector.zero(SPECIES);
            for (int d = 0; d < headSize; d++) {
                acc = FloatVector.fromArray(SPECIES, k, kBase + d * stride + t).fma(FloatVector.broadcast(SPECIES, q[qo + d]), acc);
            }
            acc.div(scale).intoArray(att, ao + t);
        }
        for (; t < n; t++) {
            float sc = 0f;
            for (int d = 0; d < headSize; d++) {
                sc += q[qo + d] * k[kBase + d * stride + t];
            }
            att[ao + t] = sc / scale;
        }
    }

    /** Dot product of {@code a[ao, ao + n)} and {@code b[bo, bo + n)}. */
    static float dot(float[] a, int ao, float[] b, int bo, int n) {
        float s = 0f;
        int i = 0;
        if (n >= LANES) {
            FloatVector acc = FloatVector.zero(SPECIES);
            int vecEnd = n - n % LANES;
            for (; i < vecEnd; i += LANES) {
                acc = FloatVector.fromArray(SPECIES, a, ao + i).fma(FloatVector.fromArray(SPECIES, b, bo + i), acc);
            }
            s = acc.reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) {
            s += a[ao + i] * b[bo + i];
        }
        return s;
    }

    /** {@code out[oo, oo + n) += a * v[vo, vo + n)}. */
    static void axpy(float[] out, int oo, float a, float[] v, int vo, int n) {
        int i = 0;
        if (n >= LANES) {
            FloatVector av = FloatVector.broadcast(SPECIES, a);
            int vecEnd = n - n % LANES;
            for (; i < vecEnd; i += LANES) {
                FloatVector.fromArray(SPECIES, v, vo + i).fma(av, FloatVector.fromArray(SPECIES, out, oo + i))
                        .intoArray(out, oo + i);
            }
        }
        for (; i < n; i++) {
            out[oo + i] += a * v[vo + i];
        }
    }
}
