package io.gridshare.node.tensor;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * What every weight matrix shares: its shape, its bytes and the row loop of {@link #matmul}, which
 * hands the type's kernel two rows at a time so that each load of {@code x} (and each scale of
 * the shared blocks' positions) serves both rows. An odd last row runs the pair kernel with the
 * row paired with itself; the second result is dropped.
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
        int r = from;
        for (; r + 1 < to; r += 2) {
            long base = r * rowBytes;
            pair(out, r, x, base, base + rowBytes, true);
        }
        if (r < to) {
            long base = r * rowBytes;
            pair(out, r, x, base, base, false);
        }
    }

    /**
     * Writes {@code out[r] = row at base0 . x} and, when {@code both}, {@code out[r + 1] = row at
     * base1 . x}.
     */
    abstract void pair(float[] out, int r, float[] x, long base0, long base1, boolean both);

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
