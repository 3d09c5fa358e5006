package io.gridshare.node.tensor;

import static io.gridshare.node.tensor.Lanes.F;
import static io.gridshare.node.tensor.Lanes.I;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * IEEE half-precision weights. The Vector API has no f16 conversion, so the kernel rebuilds the
 * float bits with integer lanes: normals by re-biasing the exponent, infinities and NaNs by a
 * second re-bias, subnormals (exactly) as {@code mantissa * 2^-24} through an int-to-float convert,
 * which keeps float subnormals (slow on many CPUs) out of the arithmetic.
 */
final class F16Matrix extends HalfMatrix {

    private static final int REBIAS = (127 - 15) << 23;

    F16Matrix(MemorySegment data, int rows, int cols) {
        super(GgmlType.F16, data, rows, cols);
    }

    static FloatVector halfToFloat(ShortVector h) {
        IntVector i = (IntVector) h.castShape(I, 0);
        IntVector abs = i.and(0x7fff);
        IntVector sign = i.and(0x8000).lanewise(VectorOperators.LSHL, 16);
        IntVector normal = abs.lanewise(VectorOperators.LSHL, 13).add(REBIAS);
        normal = normal.blend(normal.add(REBIAS), abs.compare(VectorOperators.GE, 0x7c00));
        FloatVector sub = ((FloatVector) abs.castShape(F, 0)).mul(0x1p-24f);
        IntVector bits = normal.blend(sub.reinterpretAsInts(), abs.compare(VectorOperators.LT, 0x400));
        return bits.or(sign).reinterpretAsFloats();
    }

    @Override
    FloatVector widen(ShortVector h) {
        return halfToFloat(h);
    }

    @Override
    float widen(short h) {
        return Float.float16ToFloat(h);
    }
}
