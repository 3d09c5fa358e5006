package io.gridshare.node.tensor;

import static io.gridshare.node.tensor.Lanes.F;
import static io.gridshare.node.tensor.Lanes.LANES;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * An activation vector quantized to int8 as llama.cpp quantizes {@code x} before a product with
 * quantized weights: per block of {@link #QK} ({@code block_q8_0}, for Q8_0) or {@link #QK_K}
 * ({@code block_q8_K}, for the K-quants, whose kernels then apply the weights' sub-block scales in
 * integers) a float scale {@code d = max|x| / 127} and values {@code q = rint(x / d)} in
 * [-127, 127], kept as shorts so that the kernels load them straight into 16-bit lanes. The
 * quantized kernels compute the exact dot product of a row with {@code x̂ = d * q} (up to float
 * rounding); {@link #value} gives {@code x̂} for tests. Also kept per block {@code d * sum(q)}, and
 * per 32 values the integer {@code sum(q)}, for the K-quants' block mins.
 *
 * <p>Quantization is a pure function of {@code x}, so products stay deterministic. Each thread
 * keeps one instance per block size ({@link #of}); it remembers the last {@code x} and skips the
 * work when the next product reads the same values (the q/k/v and gate/up products share their input).
 */
final class Q8Activation {

    static final int QK = 32;
    static final int QK_K = 256;
    private static final VectorSpecies<Short> SH = Lanes.S;
    /** 1.5 * 2^23: adding it rounds a float of magnitude below 2^22 to the nearest integer (ties to even). */
    private static final float MAGIC = 12582912f;
    private static final int MAGIC_BITS = Float.floatToRawIntBits(MAGIC);
    private static final ThreadLocal<Q8Activation> SCRATCH = ThreadLocal.withInitial(() -> new Q8Activation(QK));
    private static final ThreadLocal<Q8Activation> SCRATCH_K = ThreadLocal.withInitial(() -> new Q8Activation(QK_K));
    private static final ThreadLocal<Batch> BATCH = ThreadLocal.withInitial(Batch::new);
    private static final ThreadLocal<Batch> BATCH_K = ThreadLocal.withInitial(Batch::new);

    final int block;
    short[] q = new short[0];
    float[] d = new float[0];
    float[] sum = new float[0];
    /** {@code sum(q)} of each 32 values. */
    int[] isum = new int[0];
    private float[] source = new float[0];
    private int n = -1;

    private Q8Activation(int block) {
        this.block = block;
    }

    /** This thread's scratch activation holding {@code x[0, n)} quantized per 32 ({@code n} a multiple of 32). */
    static Q8Activation of(float[] x, int n) {
        return of(x, n, QK);
    }

    /** This thread's scratch activation holding {@code x[0, n)} quantized per {@code block} (32 or 256). */
    static Q8Activation of(float[] x, int n, int block) {
        return (block == QK ? SCRATCH : SCRATCH_K).get().holding(x, n);
    }

    /**
     * This thread's scratch activations holding {@code x[b][0, n)} quantized per {@code block} for
     * {@code b < batch}: separate from {@link #of(float[], int, int)}'s, with the same skip of rows
     * quantized before.
     */
    static Q8Activation[] of(float[][] x, int batch, int n, int block) {
        Batch holder = (block == QK ? BATCH : BATCH_K).get();
        Q8Activation[] a = holder.rows;
        if (a.length < batch) {
            a = Arrays.copyOf(a, Math.max(batch, 2 * a.length));
            for (int b = holder.rows.length; b < a.length; b++) {
                a[b] = new Q8Activation(block);
            }
            holder.rows = a;
        }
        for (int b = 0; b < batch; b++) {
            a[b].holding(x[b], n);
        }
        return a;
    }

    private static final class Batch {
        Q8Activation[] rows = new Q8Activation[0];
    }

    /** A fresh activation quantized per 32 (tests). */
    static Q8Activation quantized(float[] x, int n) {
        return quantized(x, n, QK);
    }

    /** A fresh activation quantized per {@code block} (tests). */
    static Q8Activation quantized(float[] x, int n, int block) {
        Q8Activation a = new Q8Activation(block);
        a.quantize(x, n);
        return a;
    }

    private Q8Activation holding(float[] x, int n) {
        if (this.n != n || !Arrays.equals(source, 0, n, x, 0, n)) {
            quantize(x, n);
        }
        return this;
    }

    /** The dequantized value {@code x̂[i]} the kernels multiply with. */
    float value(int i) {
        return q[i] * d[i / block];
    }

    private void quantize(float[] x, int n) {
        if (q.length < n) {
            q = new short[n];
            d = new float[n / block];
            sum = new float[n / block];
            isum = new int[n / QK];
            source = new float[n];
        }
        this.n = -1; // invalid until complete
        for (int b = 0; b < n / block; b++) {
            int o = block * b;
            FloatVector m = FloatVector.zero(F);
            for (int k = 0; k < block; k += LANES) {
                m = m.max(FloatVector.fromArray(F, x, o + k).abs());
            }
            float amax = m.reduceLanes(VectorOperators.MAX); // max is exact in any order
            if (!Float.isFinite(amax)) {
                // a non-finite input must not vanish into a finite product
                Arrays.fill(q, o, o + block, (short) 0);
                Arrays.fill(isum, o / QK, (o + block) / QK, 0);
                d[b] = Float.NaN;
                sum[b] = Float.NaN;
                continue;
            }
            float scale = amax / 127f;
            float inv = amax == 0f ? 0f : 127f / amax;
            int total = 0;
            for (int s0 = o; s0 < o + block; s0 += QK) {
                IntVector s = IntVector.zero(Lanes.I);
                for (int k = s0; k < s0 + QK; k += LANES) {
                    FloatVector v = FloatVector.fromArray(F, x, k).mul(inv).add(MAGIC);
                    IntVector qi = v.reinterpretAsInts().sub(MAGIC_BITS);
                    s = s.add(qi);
                    ((ShortVector) qi.castShape(SH, 0)).intoArray(q, k);
                }
                int t = s.reduceLanes(VectorOperators.ADD); // integer sum: exact in any order
                isum[s0 / QK] = t;
                total += t;
            }
            d[b] = scale;
            sum[b] = scale * total;
        }
        System.arraycopy(x, 0, source, 0, n);
        this.n = n;
    }
}
