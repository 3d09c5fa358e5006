package io.gridshare.node.engine.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The CPU backend's element-wise arithmetic with the Vector API: RMSNorm, softmax, e^x, SwiGLU,
 * attention scores and dot products. The matrix products live with the weights' types in
 * {@code io.gridshare.node.tensor}.
 */
public final class VectorKernels {

    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();

    /** SUM_SHUFFLES[k] moves lane i + 2^k to lane i, for the fixed reduction tree of {@link #sum}. */
    @SuppressWarnings("unchecked")
    private static final VectorShuffle<Float>[] SUM_SHUFFLES = new VectorShuffle[Integer.numberOfTrailingZeros(LANES)];

    static {
        for (int k = 0; k < SUM_SHUFFLES.length; k++) {
            SUM_SHUFFLES[k] = VectorShuffle.iota(SPECIES, 1 << k, 1, true);
        }
    }

    private VectorKernels() {}

    /**
     * Sum of the lanes in a fixed pairwise order. {@code reduceLanes(ADD)} sums in a different
     * order when the JIT has compiled it than when it has not, so a job's logits would depend on
     * the JIT's progress; lane-wise adds of shuffled vectors give the same bits at every tier,
     * which keeps resumed jobs exactly on the original's track.
     */
    static float sum(FloatVector v) {
        for (int k = SUM_SHUFFLES.length - 1; k >= 0; k--) {
            v = v.add(v.rearrange(SUM_SHUFFLES[k]));
        }
        return v.lane(0);
    }

    /** Lanes per vector on this CPU (8 with AVX2, 16 with AVX-512). */
    public static int lanes() {
        return LANES;
    }

    /** {@code out = weight * x / sqrt(mean(x^2) + 1e-5)} as in llama2.c. {@code out} may be {@code x}. */
    public static void rmsnorm(float[] out, float[] x, float[] weight, int n) {
        rmsnorm(out, x, weight, n, 1e-5f);
    }

    /** {@code out = weight * x / sqrt(mean(x^2) + eps)}. {@code out} may be {@code x}. */
    public static void rmsnorm(float[] out, float[] x, float[] weight, int n, float eps) {
        float ss = 0f;
        for (int i = 0; i < n; i++) {
            ss += x[i] * x[i];
        }
        ss /= n;
        ss += eps;
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
        float total = 0f;
        i = 0;
        if (vecEnd > 0) {
            FloatVector acc = FloatVector.zero(SPECIES);
            for (; i < vecEnd; i += LANES) {
                FloatVector e = exp(FloatVector.fromArray(SPECIES, x, off + i).sub(max));
                e.intoArray(x, off + i);
                acc = acc.add(e);
            }
            total = sum(acc);
        }
        for (; i < n; i++) {
            float e = exp(x[off + i] - max);
            x[off + i] = e;
            total += e;
        }
        i = 0;
        for (; i < vecEnd; i += LANES) {
            FloatVector.fromArray(SPECIES, x, off + i).div(total).intoArray(x, off + i);
        }
        for (; i < n; i++) {
            x[off + i] /= total;
        }
    }

    // e^x as Cephes' expf: x = n ln2 + r with |r| <= ln2 / 2, e^r by a degree-7 polynomial, 2^n
    // through the exponent bits. Built from lane-wise IEEE operations only, so the compiled and the
    // interpreted code (and the scalar tail) give the same bits, unlike VectorOperators.EXP.
    private static final float EXP_HI = 88.3762626647949f, EXP_LO = -87.3365447505531f;
    private static final float LOG2E = 1.44269504088896341f, ROUND = 12582912f; // 1.5 * 2^23
    private static final float C1 = 0.693359375f, C2 = -2.12194440e-4f;
    private static final float P0 = 1.9875691500e-4f, P1 = 1.3981999507e-3f, P2 = 8.3334519073e-3f,
            P3 = 4.1665795894e-2f, P4 = 1.6666665459e-1f, P5 = 5.0000001201e-1f;

    /** e^x per lane, the same bits as {@link #exp(float)} on each lane. */
    public static FloatVector exp(FloatVector x) {
        x = x.max(EXP_LO).min(EXP_HI);
        FloatVector t = x.fma(LOG2E, ROUND);
        FloatVector n = t.sub(ROUND);
        FloatVector r = n.fma(bc(-C1), x);
        r = n.fma(bc(-C2), r);
        FloatVector p = r.fma(P0, P1);
        p = p.fma(r, bc(P2));
        p = p.fma(r, bc(P3));
        p = p.fma(r, bc(P4));
        p = p.fma(r, bc(P5));
        p = p.fma(r.mul(r), r).add(1f);
        var scale = t.reinterpretAsInts().sub(0x4B400000 - 127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return p.mul(scale);
    }

    private static FloatVector bc(float v) {
        return FloatVector.broadcast(SPECIES, v);
    }

    /** e^x within 2 ulp (Cephes expf), clamped to the float range. */
    public static float exp(float x) {
        x = Math.min(Math.max(x, EXP_LO), EXP_HI);
        float t = Math.fma(x, LOG2E, ROUND);
        float n = t - ROUND;
        float r = Math.fma(n, -C1, x);
        r = Math.fma(n, -C2, r);
        float p = Math.fma(r, P0, P1);
        p = Math.fma(p, r, P2);
        p = Math.fma(p, r, P3);
        p = Math.fma(p, r, P4);
        p = Math.fma(p, r, P5);
        p = Math.fma(p, r * r, r) + 1f;
        return p * Float.intBitsToFloat((Float.floatToRawIntBits(t) - (0x4B400000 - 127)) << 23);
    }

    /** {@code sum_i e^(x[i] - shift)} over {@code x[0, n)}, with the JIT-independent {@link #exp}. */
    public static float sumExp(float[] x, int n, float shift) {
        int vecEnd = n - n % LANES;
        float total = 0f;
        int i = 0;
        if (vecEnd > 0) {
            FloatVector acc = FloatVector.zero(SPECIES);
            for (; i < vecEnd; i += LANES) {
                acc = acc.add(exp(FloatVector.fromArray(SPECIES, x, i).sub(shift)));
            }
            total = sum(acc);
        }
        for (; i < n; i++) {
            total += exp(x[i] - shift);
        }
        return total;
    }

    /**
     * {@code att[ao + t] = q[qo, qo + headSize) . k[t] / scale} for positions {@code t < n}, with the
     * keys of one head stored dimension-major: {@code k[kBase + d * stride + t]}.
     */
    public static void attentionScores(float[] att, int ao, float[] q, int qo, float[] k, int kBase, int stride,
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

    /** RoPE tables as run.c computes them in float: angle {@code pos * 10000^(-2j / headSize)}. */
    public static void ropeTables(int headSize, int seqLen, float[] cos, float[] sin) {
        int half = headSize / 2;
        for (int pos = 0; pos < seqLen; pos++) {
            for (int j = 0; j < half; j++) {
                float freq = 1.0f / (float) Math.pow(10000.0f, (2 * j) / (float) headSize);
                float val = pos * freq;
                cos[pos * half + j] = (float) Math.cos(val);
                sin[pos * half + j] = (float) Math.sin(val);
            }
        }
    }

    /**
     * Rotates each (even, odd) pair of every head of {@code q[0, dim)} and {@code k[0, kvDim)} by
     * the angle of its pair index at {@code pos}.
     */
    public static void rope(float[] q, float[] k, int dim, int kvDim, int headSize, float[] cos, float[] sin, int pos) {
        int half = headSize / 2;
        int base = pos * half;
        for (int i = 0; i < dim; i += 2) {
            int j = (i % headSize) >> 1;
            float fcr = cos[base + j], fci = sin[base + j];
            float q0 = q[i], q1 = q[i + 1];
            q[i] = q0 * fcr - q1 * fci;
            q[i + 1] = q0 * fci + q1 * fcr;
            if (i < kvDim) {
                float k0 = k[i], k1 = k[i + 1];
                k[i] = k0 * fcr - k1 * fci;
                k[i + 1] = k0 * fci + k1 * fcr;
            }
        }
    }

    /** SwiGLU: {@code hb[i] = silu(hb[i]) * hb2[i]}, {@code silu(x) = x / (1 + e^-x)}. */
    public static void swiglu(float[] hb, float[] hb2, int n) {
        int vecEnd = n - n % LANES;
        int i = 0;
        for (; i < vecEnd; i += LANES) {
            FloatVector v = FloatVector.fromArray(SPECIES, hb, i);
            FloatVector silu = v.mul(FloatVector.broadcast(SPECIES, 1f).div(exp(v.neg()).add(1f)));
            silu.mul(FloatVector.fromArray(SPECIES, hb2, i)).intoArray(hb, i);
        }
        for (; i < n; i++) {
            float val = hb[i];
            val *= (1.0f / (1.0f + exp(-val)));
            hb[i] = val * hb2[i];
        }
    }

    /** Dot product of {@code a[ao, ao + n)} and {@code b[bo, bo + n)}. */
    public static float dot(float[] a, int ao, float[] b, int bo, int n) {
        float s = 0f;
        int i = 0;
        if (n >= LANES) {
            FloatVector acc = FloatVector.zero(SPECIES);
            int vecEnd = n - n % LANES;
            for (; i < vecEnd; i += LANES) {
                acc = FloatVector.fromArray(SPECIES, a, ao + i).fma(FloatVector.fromArray(SPECIES, b, bo + i), acc);
            }
            s = sum(acc);
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
