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
        Q8Activation a = Q8Activation.of(x, cols, activationBlock());
        for (int r = from; r < to; r++) {
            out[r] = dot(r * rowBytes, a);
        }
    }

    /**
     * Each activation row quantized once per product, then per matrix row {@link #dotBatch}: the
     * row's bytes are read from memory once for all activation rows.
     */
    @Override
    final void rowsBatch(float[][] out, float[][] x, int batch, int from, int to) {
        Q8Activation[] a = Q8Activation.of(x, batch, cols, activationBlock());
        BatchScratch scratch = BatchScratch.of(batch, cols);
        for (int r = from; r < to; r++) {
            dotBatch(r * rowBytes, a, batch, scratch, out, r);
        }
    }

    /**
     * {@code out[b][r] = dot(base, a[b])} for {@code b < batch}, with the bits of {@link #dot};
     * kernels override it to read and unpack each block once for all activation rows.
     */
    void dotBatch(long base, Q8Activation[] a, int batch, BatchScratch scratch, float[][] out, int r) {
        for (int b = 0; b < batch; b++) {
            out[b][r] = dot(base, a[b]);
        }
    }

    @Override
    final float dot(long base, float[] x) {
        return dot(base, Q8Activation.of(x, cols, activationBlock()));
    }

    /**
     * Values per activation scale: {@link Q8Activation#QK} (as {@code block_q8_0}) unless the kernel
     * applies its sub-block scales in integers and needs one activation scale per weight block.
     */
    int activationBlock() {
        return Q8Activation.QK;
    }

    /** The dot product of the row starting at byte {@code base} with the quantized activation. */
    abstract float dot(long base, Q8Activation a);
}
