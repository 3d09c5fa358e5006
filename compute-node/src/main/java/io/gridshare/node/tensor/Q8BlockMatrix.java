package io.gridshare.node.tensor;

import java.lang.foreign.MemorySegment;

/**
 * A quantized matrix whose kernel multiplies integer weights with the int8-quantized activation
 * ({@link Q8Activation}) in 16-bit lanes and scales each block's integer sum once, as llama.cpp's
 * {@code vec_dot} kernels do, instead of converting every weight to a float. The activation is
 * quantized once per product (per thread), not once per row.
 */
abstract class Q8BlockMatrix extends BlockMatrix {

    Q8BlockMatrix(GgmlType type, MemorySegment data, int rows, int cols) {
        super(type, data, rows, cols);
    }

    @Override
    final void rows(float[] out, float[] x, int from, int to) {
        Q8Activation a = Q8Activation.of(x, cols);
        for (int r = from; r < to; r++) {
            out[r] = dot(r * rowBytes, a);
        }
    }

    /**
     * Each activation row quantized once per product, then per matrix row the kernel's {@link #dot4}
     * over tiles of four activation rows (one decode of the weights for all four) and {@link #dot}
     * for the rest.
     */
    @Override
    final void rowsBatch(float[][] out, float[][] x, int batch, int from, int to) {
        Q8Activation[] a = Q8Activation.of(x, batch, cols);
        for (int r = from; r < to; r++) {
            long base = r * rowBytes;
            int b = 0;
            for (; b + 4 <= batch; b += 4) {
                dot4(base, a[b], a[b + 1], a[b + 2], a[b + 3], out[b], out[b + 1], out[b + 2], out[b + 3], r);
            }
            for (; b < batch; b++) {
                out[b][r] = dot(base, a[b]);
            }
        }
    }

    /**
     * {@code o0[r] = dot(base, a0)}, ... {@code o3[r] = dot(base, a3)} with the bits of {@link #dot};
     * kernels override it to read and unpack each block once for the four activations.
     */
    void dot4(long base, Q8Activation a0, Q8Activation a1, Q8Activation a2, Q8Activation a3,
            float[] o0, float[] o1, float[] o2, float[] o3, int r) {
        o0[r] = dot(base, a0);
        o1[r] = dot(base, a1);
        o2[r] = dot(base, a2);
        o3[r] = dot(base, a3);
    }

    @Override
    final float dot(long base, float[] x) {
        return dot(base, Q8Activation.of(x, cols));
    }

    /** The dot product of the row starting at byte {@code base} with the quantized activation. */
    abstract float dot(long base, Q8Activation a);
}
