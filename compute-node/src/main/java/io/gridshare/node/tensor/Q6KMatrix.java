package io.gridshare.node.tensor;

import static io.gridshare.node.tensor.Lanes.F;
import static io.gridshare.node.tensor.Lanes.LANES;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;

/**
 * ggml's {@code block_q6_K}: 128 bytes {@code ql} of low nibbles, 64 bytes {@code qh} of 2-bit high
 * parts, 16 int8 scales, f16 {@code d}, for 256 weights in 16 sub-blocks of 16. Each half of 128
 * weights uses 64 bytes of {@code ql}, 32 of {@code qh} and 8 scales; for {@code l < 32}:
 * weight {@code l} is {@code ql[l]} low | {@code qh[l]} bits 0-1, {@code l + 32} is {@code ql[l + 32]}
 * low | bits 2-3, {@code l + 64} is {@code ql[l]} high | bits 4-5, {@code l + 96} is
 * {@code ql[l + 32]} high | bits 6-7; value {@code d * sc[l / 16 + 2m] * (q - 32)} for quarter m.
 */
final class Q6KMatrix extends BlockMatrix {

    private static final int QK = 256;
    private static final int BLOCK = 210;
    private static final int QH = 128;
    private static final int SC = 192;
    private static final int D = 208;

    Q6KMatrix(MemorySegment data, int rows, int cols) {
        super(GgmlType.Q6_K, data, rows, cols);
    }

    @Override
    float dot(long base, float[] x) {
        MemorySegment w = data;
        int blocks = cols / QK;
        FloatVector acc = FloatVector.zero(F);
        for (int i = 0; i < blocks; i++) {
            long o = base + (long) BLOCK * i;
            float d = Lanes.f16(w, o + D);
            for (int n = 0; n < 2; n++) {
                // quarter m: nibbles from ql[32 * (m & 1) + l], low for m < 2, high after; qh bits 2m, 2m + 1
                for (int m = 0; m < 4; m++) {
                    long ql = o + 64 * n + 32 * (m & 1);
                    long qh = o + QH + 32 * n;
                    int nibbleShift = 4 * (m >> 1), highShift = 2 * m;
                    int xq = QK * i + 128 * n + 32 * m;
                    FloatVector t = FloatVector.zero(F);
                    for (int k = 0; k < 32; k += LANES) {
                        ByteVector low = Lanes.shr(Lanes.bytes(w, ql + k), nibbleShift).and((byte) 0xF);
                        ByteVector high = Lanes.shl(Lanes.shr(Lanes.bytes(w, qh + k), highShift), 4).and(HIGH);
                        t = Lanes.toFloats(low.or(high).sub(BIAS)).mul(FloatVector.fromArray(F, x, xq + k))
                                .fma(scale(w, o + SC + 8 * n + 2 * m + (k >> 4), d), t);
                    }
                    acc = acc.add(t);
                }
            }
        }
        return Lanes.sum(acc);
    }

    private static FloatVector scale(MemorySegment w, long off, float d) {
        return Lanes.broadcast(d * w.get(ValueLayout.JAVA_BYTE, off));
    }

    private static final byte BIAS = 32;
    private static final byte HIGH = 0x30;

    @Override
    void dequantize(long base, float[] out, int off) {
        for (int i = 0; i < cols / QK; i++) {
            long o = base + (long) BLOCK * i;
            float d = Lanes.f16(data, o + D);
            for (int n = 0; n < 2; n++) {
                for (int l = 0; l < 32; l++) {
                    int a = data.get(ValueLayout.JAVA_BYTE, o + 64 * n + l) & 0xFF;
                    int c = data.get(ValueLayout.JAVA_BYTE, o + 64 * n + 32 + l) & 0xFF;
                    int h = data.get(ValueLayout.JAVA_BYTE, o + QH + 32 * n + l) & 0xFF;
                    long row = off + QK * i + 128 * n + l;
                    long sc = o + SC + 8 * n + l / 16;
                    put(out, row, d, sc, (a & 0xF) | ((h & 3) << 4));
                    put(out, row + 32, d, sc + 2, (c & 0xF) | (((h >> 2) & 3) << 4));
                    put(out, row + 64, d, sc + 4, (a >> 4) | (((h >> 4) & 3) << 4));
                    put(out, row + 96, d, sc + 6, (c >> 4) | (((h >> 6) & 3) << 4));
                }
            }
        }
    }

    private void put(float[] out, long at, float d, long sc, int q) {
        out[(int) at] = d * data.get(ValueLayout.JAVA_BYTE, sc) * (q - 32);
    }
}
