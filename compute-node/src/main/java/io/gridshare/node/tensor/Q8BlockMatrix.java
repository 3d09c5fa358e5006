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

    @Override
    final float dot(long base, float[] x) {
        return dot(base, Q8Activation.of(x, cols));
    }

    /** The dot product of the row starting at byte {@code base} with the quantized activation. */
    abstract float dot(long base, Q8Activation a);
}
