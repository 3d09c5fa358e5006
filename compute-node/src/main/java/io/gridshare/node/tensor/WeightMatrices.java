package io.gridshare.node.tensor;

import io.gridshare.node.engine.cpu.VectorKernels;
import java.lang.foreign.MemorySegment;

/** PLACEHOLDER (replaced by the quantized kernels' factory): F32 only. */
public final class WeightMatrices {

    private WeightMatrices() {}

    public static WeightMatrix of(GgmlType type, MemorySegment data, int rows, int cols) {
        if (type != GgmlType.F32) {
            throw new IllegalArgumentException("type " + type + " not supported yet");
        }
        return new WeightMatrix() {
            @Override public GgmlType type() { return type; }
            @Override public int rows() { return rows; }
            @Override public int cols() { return cols; }
            @Override public MemorySegment data() { return data; }
            @Override public void matmul(float[] out, float[] x, int from, int to) {
                VectorKernels.matmul(out, x, data, cols, from, to);
            }
            @Override public void dequantizeRow(int row, float[] out, int off) {
                MemorySegment.copy(data, java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN),
                        4L * row * cols, out, off, cols);
            }
        };
    }
}
