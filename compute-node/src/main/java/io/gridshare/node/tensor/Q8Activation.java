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
 * An activation vector quantized to int8 in blocks of 32, as llama.cpp quantizes {@code x} to
 * {@code block_q8_0} before a product with quantized weights: per block a float scale
 * {@code d = max|x| / 127} and values {@code q = rint(x / d)} in [-127, 127], kept as shorts so
 * that the kernels load them straight into 16-bit lanes. The quantized kernels compute the exact
 * dot product of a row with {@code x̂ = d * q} (up to float rounding); {@link #value} gives
 * {@code x̂} for tests. Also kept: {@code d * sum(q)} per block, for the K-quants' block mins.
 *
 * <p>Quantization is a pure function of {@code x}, so products stay deterministic. Each thread
 * keeps one instance ({@link #of}); it remembers the last {@code x} and skips the work when the
 * next product reads the same values (the q/k/v and gate/up products share their input).
 */
final class Q8Activation {

    static final int QK = 32;
    private static final VectorSpecies<Short> SH = Lanes.S;
    /** 1.5 * 2^23: adding it rounds a float of magnitude below 2^22 to the nearest integer (ties to even). */
    private static final float MAGIC = 12582912f;
    private static final int MAGIC_BITS = Float.floatToRawIntBits(MAGIC);
    private static final ThreadLocal<Q8Activation> SCRATCH = ThreadLocal.withInitial(Q8Activation::new);

    short[] q = new short[0];
    float[] d = new float[0];
    float[] sum = new float[0];
    private float[] source = new float[0];
    private int n = -1;

    /** This thread's scratch activation holding {@code x[0, n)} quantized ({@code n} a multiple of 32). */
    static Q8Activation of(float[] x, int n) {
        Q8Activation a = SCRATCH.get();
        if (a.n != n || !Arrays.equals(a.source, 0, n, x, 0, n)) {
            a.quantize(x, n);
        }
        return a;
    }

    /**
     * This thread's scratch activations holding {@code x[b][0, n)} quantized for {@code b < batch}:
     * separate from {@link #of(float[], int)}'s, with the same skip of rows quantized before.
     */
    static Q8Activation[] of(float[][] x, int batch, int n) {
        Batch holder = BATCH.get();
        Q8Activation[] a = holder.rows;
        if (a.length < batch) {
            a = Arrays.copyOf(a, Math.max(batch, 2 * a.length));
            for (int b = holder.rows.length; b < a.length; b++) {
                a[b] = new Q8Activation();
            }
            holder.rows = a;
        }
        for (int b = 0; b < batch; b++) {
            Q8Activation row = a[b];
            if (row.n != n || !Arrays.equals(row.source, 0, n, x[b], 0, n)) {
                row.quantize(x[b], n);
            }
        }
        return a;
    }

    private static final class Batch {
        Q8Activation[] rows = new Q8Activation[0];
    }

    private static final ThreadLocal<Batch> BATCH = ThreadLocal.withInitial(Batch::new);

    /** A fresh activation (tests). */
    static Q8Activation quantized(float[] x, int n) {
        Q8Activation a = new Q8Activation();
        a.quantize(x, n);
        return a;
    }

    /** The dequantized value {@code x̂[i]} the kernels multiply with. */
    float value(int i) {
        return q[i] * d[i / QK];
    }

    private void quantize(float[] x, int n) {
        if (q.length < n) {
            q = new short[n];
            d = new float[n / QK];
            sum = new float[n / QK];
            source = new float[n];
        }
        this.n = -1; // invalid until complete
        for (int b = 0; b < n / QK; b++) {
            int o = QK * b;
            FloatVector m = FloatVector.zero(F);
            for (int k = 0; k < QK; k += LANES) {
                m = m.max(FloatVector.fromArray(F, x, o + k).abs());
            }
            float amax = m.reduceLanes(VectorOperators.MAX); // max is exact in any order
            if (!Float.isFinite(amax)) {
                // a non-finite input must not vanish into a finite product
                Arrays.fill(q, o, o + QK, (short) 0);
                d[b] = Float.NaN;
                sum[b] = Float.NaN;
                continue;
            }
            float scale = amax / 127f;
            float inv = amax == 0f ? 0f : 127f / amax;
            IntVector s = IntVector.zero(Lanes.I);
            for (int k = 0; k < QK; k += LANES) {
                FloatVector v = FloatVector.fromArray(F, x, o + k).mul(inv).add(MAGIC);
                IntVector qi = v.reinterpretAsInts().sub(MAGIC_BITS);
                s = s.add(qi);
                ((ShortVector) qi.castShape(SH, 0)).intoArray(q, o + k);
            }
            d[b] = scale;
            sum[b] = scale * s.reduceLanes(VectorOperators.ADD); // integer sum: exact in any order
        }
        System.arraycopy(x, 0, source, 0, n);
        this.n = n;
    }
}
