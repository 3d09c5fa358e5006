package io.gridshare.node.tensor;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * What every weight matrix shares: its shape, its bytes, argument checks and the row loop of
 * {@link #matmul}. The quantized kernels take one row per call: a kernel that handles two rows
 * (sharing the loads of {@code x}) has twice the vector operations, which pushes C2 past its
 * inlining node budget, and a Vector API call left out of line boxes its vectors on every call.
 */
abstract class BlockMatrix implements WeightMatrix {

    final GgmlType type;
    final int rows;
    final int cols;
    final MemorySegment data;
    final long rowBytes;

    BlockMatrix(GgmlType type, MemorySegment data, int rows, int cols) {
        this.type = type;
        this.data = Objects.requireNonNull(data, "data");
        this.rows = rows;
        this.cols = cols;
        this.rowBytes = type.bytesFor(cols);
    }

    @Override
    public final GgmlType type() {
        return type;
    }

    @Override
    public final int rows() {
        return rows;
    }

    @Override
    public final int cols() {
        return cols;
    }

    @Override
    public final MemorySegment data() {
        return data;
    }

    @Override
    public final long rowBytes() {
        return rowBytes;
    }

    @Override
    public final void matmul(float[] out, float[] x, int from, int to) {
        Objects.checkFromToIndex(from, to, rows);
        if (x.length < cols) {
            throw new IllegalArgumentException("x has " + x.length + " elements, the " + type + " matrix has "
                    + cols + " columns");
        }
        if (out.length < to) {
            throw new IllegalArgumentException("out has " + out.length + " elements, rows up to " + to
                    + " were asked for");
        }
        rows(out, x, from, to);
    }

    @Override
    public final void matmulBatch(float[][] out, float[][] x, int batch, int from, int to) {
        Objects.checkFromToIndex(from, to, rows);
        if (batch < 0 || batch > x.length || batch > out.length) {
            throw new IllegalArgumentException("a batch of " + batch + " rows needs as many activation and output rows, got "
                    + x.length + " and " + out.length);
        }
        for (int b = 0; b < batch; b++) {
            if (x[b].length < cols) {
                throw new IllegalArgumentException("x[" + b + "] has " + x[b].length + " elements, the " + type
                        + " matrix has " + cols + " columns");
            }
            if (out[b].length < to) {
                throw new IllegalArgumentException("out[" + b + "] has " + out[b].length + " elements, rows up to "
                        + to + " were asked for");
            }
        }
        rowsBatch(out, x, batch, from, to);
    }

    /**
     * {@link #matmulBatch} with its arguments checked. The matrix is taken row by row, and each row
     * is multiplied with every activation row while its bytes are still in the L1 cache, so memory
     * delivers the weights once; kernels that decode a row once for a tile of four activation rows
     * override {@link #dot4}. Either way each {@code out[b][r]} comes from {@link #dot}'s arithmetic,
     * the same bits as {@link #matmul}.
     */
    void rowsBatch(float[][] out, float[][] x, int batch, int from, int to) {
        for (int r = from; r < to; r++) {
            long base = r * rowBytes;
            int b = 0;
            for (; b + 4 <= batch; b += 4) {
                dot4(base, x[b], x[b + 1], x[b + 2], x[b + 3], out[b], out[b + 1], out[b + 2], out[b + 3], r);
            }
            for (; b < batch; b++) {
                out[b][r] = dot(base, x[b]);
            }
        }
    }

    /**
     * {@code o0[r] = dot(base, x0)}, ... {@code o3[r] = dot(base, x3)} with the bits of {@link #dot};
     * kernels override it to load and convert the row's weights once for the four activations.
     */
    void dot4(long base, float[] x0, float[] x1, float[] x2, float[] x3, float[] o0, float[] o1, float[] o2,
            float[] o3, int r) {
        o0[r] = dot(base, x0);
        o1[r] = dot(base, x1);
        o2[r] = dot(base, x2);
        o3[r] = dot(base, x3);
    }

    /** {@code out[r] = row r . x} for {@code r} in {@code [from, to)}, arguments already checked. */
    void rows(float[] out, float[] x, int from, int to) {
        for (int r = from; r < to; r++) {
            out[r] = dot(r * rowBytes, x);
        }
    }

    /** The dot product of the row starting at byte {@code base} with {@code x[0, cols)}. */
    abstract float dot(long base, float[] x);

    @Override
    public final void dequantizeRow(int row, float[] out, int off) {
        Objects.checkIndex(row, rows);
        Objects.checkFromIndexSize(off, cols, out.length);
        dequantize(row * rowBytes, out, off);
    }

    /** Writes the row starting at byte {@code base} to {@code out[off, off + cols)}, as ggml dequantizes it. */
    abstract void dequantize(long base, float[] out, int off);

    @Override
    public String toString() {
        return type + "[" + rows + "x" + cols + "]";
    }
}
