package io.gridshare.node.tensor;

import static io.gridshare.node.tensor.Lanes.F;
import static io.gridshare.node.tensor.Lanes.LANES;
import static io.gridshare.node.tensor.Lanes.LE;
import static io.gridshare.node.tensor.Lanes.S;
import static io.gridshare.node.tensor.Lanes.SHORT_LE;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;

/**
 * Weights stored as 16-bit floats (F16, BF16): every kernel widens a vector of 16-bit lanes to
 * floats and then runs the float product; the subclasses say how to widen.
 */
abstract class HalfMatrix extends BlockMatrix {

    HalfMatrix(GgmlType type, MemorySegment data, int rows, int cols) {
        super(type, data, rows, cols);
    }

    /** A vector of 16-bit weights as floats. */
    abstract FloatVector widen(ShortVector h);

    /** One 16-bit weight as a float, the same value as the lane of {@link #widen(ShortVector)}. */
    abstract float widen(short h);

    private FloatVector load(MemorySegment w, long off) {
        return widen(ShortVector.fromMemorySegment(S, w, off, LE));
    }

    @Override
    float dot(long base, float[] x) {
        MemorySegment w = data;
        int n = cols;
        int vecEnd = n - n % LANES;
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F);
        int c = 0;
        for (; c + 2 * LANES <= vecEnd; c += 2 * LANES) {
            a0 = load(w, base + 2L * c).fma(FloatVector.fromArray(F, x, c), a0);
            a1 = load(w, base + 2L * (c + LANES)).fma(FloatVector.fromArray(F, x, c + LANES), a1);
        }
        for (; c < vecEnd; c += LANES) {
            a0 = load(w, base + 2L * c).fma(FloatVector.fromArray(F, x, c), a0);
        }
        float s = Lanes.sum(a0.add(a1));
        for (; c < n; c++) {
            s += widen(w.get(SHORT_LE, base + 2L * c)) * x[c];
        }
        return s;
    }

    /**
     * Each row converted once into this thread's scratch, then multiplied with the activation rows
     * ({@link FloatRows}), the same steps and bits as {@link #dot}: the conversion runs in its own
     * small loop, which leaves C2 the inlining budget for the whole dot product (converting inside
     * the product's loop used it up, and the final sum, called out of line, boxed a vector per row).
     */
    @Override
    void rows(float[] out, float[] x, int from, int to) {
        float[] row = BatchScratch.of(1, cols).row;
        for (int r = from; r < to; r++) {
            toFloats(r * rowBytes, row);
            out[r] = FloatRows.dot(row, x, cols);
        }
    }

    @Override
    void rowsBatch(float[][] out, float[][] x, int batch, int from, int to) {
        float[] row = BatchScratch.of(batch, cols).row;
        for (int r = from; r < to; r++) {
            toFloats(r * rowBytes, row);
            FloatRows.dots(row, cols, x, batch, out, r);
        }
    }

    /** The row at byte {@code base} as floats in {@code row[0, cols)}, vectors converted as {@link #dot} converts them. */
    private void toFloats(long base, float[] row) {
        MemorySegment w = data;
        int n = cols, vecEnd = n - n % LANES;
        int c = 0;
        for (; c < vecEnd; c += LANES) {
            load(w, base + 2L * c).intoArray(row, c);
        }
        for (; c < n; c++) {
            row[c] = widen(w.get(SHORT_LE, base + 2L * c));
        }
    }

    @Override
    void dequantize(long base, float[] out, int off) {
        for (int c = 0; c < cols; c++) {
            out[off + c] = widen(data.get(SHORT_LE, base + 2L * c));
        }
    }
}
