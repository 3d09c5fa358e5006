package io.gridshare.node.tensor;

import static io.gridshare.node.tensor.Lanes.F;
import static io.gridshare.node.tensor.Lanes.I;
import static io.gridshare.node.tensor.Lanes.LANES;
import static io.gridshare.node.tensor.Lanes.LE;
import static io.gridshare.node.tensor.Lanes.S;
import static io.gridshare.node.tensor.Lanes.SHORT_LE;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/** bfloat16 weights: the upper half of a float's bits, widened by a shift. */
final class Bf16Matrix extends BlockMatrix {

    Bf16Matrix(MemorySegment data, int rows, int cols) {
        super(GgmlType.BF16, data, rows, cols);
    }

    static FloatVector bf16ToFloat(ShortVector h) {
        return ((IntVector) h.castShape(I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    private static FloatVector load(MemorySegment w, long off) {
        return bf16ToFloat(ShortVector.fromMemorySegment(S, w, off, LE));
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
            s += Float16.bf16ToFloat(w.get(SHORT_LE, base + 2L * c)) * x[c];
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
            row[c] = Float16.bf16ToFloat(w.get(SHORT_LE, base + 2L * c));
        }
    }

    @Override
    void dequantize(long base, float[] out, int off) {
        for (int c = 0; c < cols; c++) {
            out[off + c] = Float16.bf16ToFloat(data.get(SHORT_LE, base + 2L * c));
        }
    }
}
