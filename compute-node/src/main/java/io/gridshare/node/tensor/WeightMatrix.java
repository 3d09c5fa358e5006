package io.gridshare.node.tensor;

import java.lang.foreign.MemorySegment;

/**
 * A row-major {@code [rows][cols]} weight matrix in one {@link GgmlType}, read in place from
 * memory (normally a slice of a memory-mapped model file). Quantized matrices stay quantized:
 * products dequantize inside the kernel, a block at a time, never a float copy of the matrix.
 *
 * <p>Implementations are immutable and safe to use from several threads at once; the hot-path
 * methods do not allocate.
 */
public interface WeightMatrix {

    GgmlType type();

    int rows();

    int cols();

    /** The raw bytes (rows × row bytes), e.g. for an upload to a device. */
    MemorySegment data();

    /** {@code out[r] = dot(row r, x[0, cols))} for rows {@code [from, to)}. */
    void matmul(float[] out, float[] x, int from, int to);

    /**
     * {@code out[b][r] = dot(row r, x[b])} for the first {@code batch} activation rows and matrix
     * rows {@code [from, to)}: a decode step's product for all its jobs. A kernel that batches reads
     * each weight block once for all activation rows; whatever it does, {@code out[b]} must equal
     * {@link #matmul}{@code (out[b], x[b], from, to)} bit for bit, so that a job's tokens do not
     * depend on the jobs it shares a step with. The default runs {@link #matmul} per activation row.
     */
    default void matmulBatch(float[][] out, float[][] x, int batch, int from, int to) {
        for (int b = 0; b < batch; b++) {
            matmul(out[b], x[b], from, to);
        }
    }

    /** Writes row {@code row} as floats to {@code out[off, off + cols)} (embedding lookups, tests). */
    void dequantizeRow(int row, float[] out, int off);

    /** Bytes of one row. */
    default long rowBytes() {
        return type().bytesFor(cols());
    }
}
