package io.gridshare.node.tensor;

import java.lang.foreign.MemorySegment;

/** Builds the {@link WeightMatrix} implementation for a {@link GgmlType}. */
public final class WeightMatrices {

    private WeightMatrices() {}

    /**
     * A {@code [rows][cols]} matrix of {@code type} over {@code data}, read in place.
     *
     * @throws IllegalArgumentException when {@code cols} is not a whole number of the type's blocks,
     *     or {@code data} does not hold exactly {@code rows} rows of {@code cols} weights
     */
    public static WeightMatrix of(GgmlType type, MemorySegment data, int rows, int cols) {
        if (rows < 0 || cols <= 0) {
            throw new IllegalArgumentException("a " + type + " matrix needs rows >= 0 and cols > 0, got "
                    + rows + "x" + cols);
        }
        if (cols % type.blockElements() != 0) {
            throw new IllegalArgumentException("a " + type + " row of " + cols + " columns is not a whole number of "
                    + type.blockElements() + "-element blocks");
        }
        long expected = Math.multiplyExact((long) rows, type.bytesFor(cols));
        if (data.byteSize() != expected) {
            throw new IllegalArgumentException("a " + rows + "x" + cols + " " + type + " matrix takes " + expected
                    + " bytes, but the data has " + data.byteSize() + " bytes");
        }
        return switch (type) {
            case F32 -> new F32Matrix(data, rows, cols);
            case F16 -> new F16Matrix(data, rows, cols);
            case BF16 -> new Bf16Matrix(data, rows, cols);
            case Q8_0 -> new Q8_0Matrix(data, rows, cols);
            case Q4_0 -> new Q4_0Matrix(data, rows, cols);
            case Q4_K -> new Q4KMatrix(data, rows, cols);
            case Q5_K -> new Q5KMatrix(data, rows, cols);
            case Q6_K -> new Q6KMatrix(data, rows, cols);
        };
    }
}
