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
