package io.gridshare.node.engine.cuda;

import io.gridshare.node.tensor.GgmlType;
import io.gridshare.node.tensor.WeightMatrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

/**
 * Weight matrices in ggml block layouts for the CUDA tests: random bytes laid out as ggml lays
 * them, and an independent scalar dequantizer written from the layout (the oracle the kernels
 * are checked against).
 */
final class QuantFixtures {

    private static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private QuantFixtures() {}

    /**
     * A {@code rows x cols} matrix of {@code type} with random content whose weights are about
     * {@code scale} in magnitude, in native memory (as a mapped file would be). Types without a
     * dequantizer here get raw random bytes.
     */
    static TestMatrix random(GgmlType type, int rows, int cols, float scale, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        long rowBytes = type.bytesFor(cols);
        MemorySegment data = Arena.ofAuto().allocate(rowBytes * rows, 16);
        long at8 = 0;
        for (; at8 + 8 <= data.byteSize(); at8 += 8) {
            data.set(ValueLayout.JAVA_LONG_UNALIGNED, at8, random.nextLong());
        }
        for (; at8 < data.byteSize(); at8++) {
            data.set(ValueLayout.JAVA_BYTE, at8, (byte) random.nextInt(256));
        }
        long blocks = data.byteSize() / type.blockBytes();
        for (long b = 0; b < blocks; b++) {
            long at = b * type.blockBytes();
            switch (type) {
                case F32 -> data.set(FLOAT_LE, at, (float) random.nextDouble(-scale, scale));
                case F16 -> data.set(SHORT_LE, at, Float.floatToFloat16((float) random.nextDouble(-scale, scale)));
                // int8 quants span +-127, nibbles 0..15 times 6-bit scales up to 63
                case Q8_0 -> data.set(SHORT_LE, at, Float.floatToFloat16((float) random.nextDouble(0.2, 1) * scale / 127));
                case Q4_K -> {
                    data.set(SHORT_LE, at, Float.floatToFloat16((float) random.nextDouble(0.2, 1) * scale / (15 * 63)));
                    data.set(SHORT_LE, at + 2, Float.floatToFloat16((float) random.nextDouble(0, 1) * scale / (2 * 63)));
                }
                default -> { } // raw random bytes: enough for tests that only look at the type
            }
        }
        return new TestMatrix(type, rows, cols, data);
    }

    /** Weight {@code i} of {@code row}, from the layout alone. */
    static float weight(GgmlType type, MemorySegment data, long rowBytes, int row, int i) {
        long base = rowBytes * row;
        return switch (type) {
            case F32 -> data.get(FLOAT_LE, base + 4L * i);
            case F16 -> Float.float16ToFloat(data.get(SHORT_LE, base + 2L * i));
            case Q8_0 -> {
                long block = base + (long) (i / 32) * 34;
                yield Float.float16ToFloat(data.get(SHORT_LE, block)) * data.get(ValueLayout.JAVA_BYTE, block + 2 + i % 32);
            }
            case Q4_K -> {
                long block = base + (long) (i / 256) * 144;
                int e = i % 256;
                int group = e / 64;
                boolean high = e % 64 >= 32;
                int q = data.get(ValueLayout.JAVA_BYTE, block + 16 + 32L * group + e % 32) & 0xff;
                q = high ? q >> 4 : q & 0xf;
                int sub = 2 * group + (high ? 1 : 0);
                int[] scaleMin = q4kScaleMin(data, block + 4, sub);
                float d = Float.float16ToFloat(data.get(SHORT_LE, block));
                float dmin = Float.float16ToFloat(data.get(SHORT_LE, block + 2));
                yield d * scaleMin[0] * q - dmin * scaleMin[1];
            }
            default -> throw new IllegalArgumentException("no dequantizer for " + type);
        };
    }

    /**
     * Sub-block {@code j}'s 6-bit (scale, min) from the 12 packed bytes at {@code at}: sub-blocks
     * 0..3 are the low 6 bits of bytes j and j + 4; sub-blocks 4..7 take their low 4 bits from
     * byte j + 4 (scale: low nibble, min: high nibble) and their top 2 bits from the top bits of
     * bytes j - 4 (scale) and j (min).
     */
    static int[] q4kScaleMin(MemorySegment data, long at, int j) {
        int[] q = new int[12];
        for (int i = 0; i < 12; i++) {
            q[i] = data.get(ValueLayout.JAVA_BYTE, at + i) & 0xff;
        }
        if (j < 4) {
            return new int[] {q[j] & 63, q[j + 4] & 63};
        }
        return new int[] {(q[j + 4] & 0xf) | ((q[j - 4] >> 6) << 4), (q[j + 4] >> 4) | ((q[j] >> 6) << 4)};
    }

    /** dot(row, x) in double, from the scalar dequantizer. */
    static double dot(WeightMatrix m, int row, float[] x, int xOff) {
        double sum = 0;
        for (int i = 0; i < m.cols(); i++) {
            sum += (double) weight(m.type(), m.data(), m.rowBytes(), row, i) * x[xOff + i];
        }
        return sum;
    }

    /** sum |w| |x| of a row: the scale of the rounding error a float dot product may carry. */
    static double magnitude(WeightMatrix m, int row, float[] x, int xOff) {
        double sum = 0;
        for (int i = 0; i < m.cols(); i++) {
            sum += Math.abs((double) weight(m.type(), m.data(), m.rowBytes(), row, i) * x[xOff + i]);
        }
        return sum;
    }

    /** A matrix in native memory, its products computed by the scalar dequantizer. */
    record TestMatrix(GgmlType type, int rows, int cols, MemorySegment data) implements WeightMatrix {

        @Override
        public void matmul(float[] out, float[] x, int from, int to) {
            for (int r = from; r < to; r++) {
                out[r] = (float) dot(this, r, x, 0);
            }
        }

        @Override
        public void dequantizeRow(int row, float[] out, int off) {
            for (int i = 0; i < cols; i++) {
                out[off + i] = weight(type, data, rowBytes(), row, i);
            }
        }
    }
}
