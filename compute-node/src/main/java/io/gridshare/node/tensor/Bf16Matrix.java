package io.gridshare.node.tensor;

import static io.gridshare.node.tensor.Lanes.I;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/** bfloat16 weights: the upper half of a float's bits, widened by a shift. */
final class Bf16Matrix extends HalfMatrix {

    Bf16Matrix(MemorySegment data, int rows, int cols) {
        super(GgmlType.BF16, data, rows, cols);
    }

    static FloatVector bf16ToFloat(ShortVector h) {
        return ((IntVector) h.castShape(I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    @Override
    FloatVector widen(ShortVector h) {
        return bf16ToFloat(h);
    }

    @Override
    float widen(short h) {
        return Float16.bf16ToFloat(h);
    }
}
