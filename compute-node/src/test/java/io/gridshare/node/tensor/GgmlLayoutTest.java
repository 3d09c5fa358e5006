package io.gridshare.node.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/**
 * Hand-assembled blocks decode to the values ggml's layouts define, both through
 * {@code dequantizeRow} and through {@code matmul} with one-hot vectors (which pins the kernels'
 * reading of the same bytes). Expected values are computed from the layout description, element
 * by element, not with the production decoding.
 */
class GgmlLayoutTest {

    private static final short ONE = 0x3C00, HALF = 0x3800, TWO = 0x4000, QUARTER = 0x3400;

    private static ByteBuffer block(int bytes) {
        return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static void assertDecodes(GgmlType type, ByteBuffer bytes, float[] expected) {
        WeightMatrix m = WeightMatrices.of(type, MemorySegment.ofArray(bytes.array()), 1, expected.length);
        float[] row = new float[expected.length];
        m.dequantizeRow(0, row, 0);
        assertThat(row).as("%s dequantizeRow", type).containsExactly(expected);
        float[] x = new float[expected.length], out = new float[1];
        for (int c = 0; c < expected.length; c++) {
            x[c] = 1f;
            m.matmul(out, x, 0, 1);
            assertThat(out[0]).as("%s matmul with one-hot column %d", type, c).isEqualTo(expected[c]);
            x[c] = 0f;
        }
    }

    @Test
    void q8_0IsAnF16ScaleThen32SignedBytes() {
        ByteBuffer b = block(34).putShort(HALF);
        float[] expected = new float[32];
        for (int j = 0; j < 32; j++) {
            byte q = (byte) (j * 9 - 128);
            b.put(q);
            expected[j] = 0.5f * q;
        }
        assertDecodes(GgmlType.Q8_0, b, expected);
    }

    @Test
    void q4_0KeepsTheFirstHalfInLowNibblesAndTheSecondInHighNibblesCentredOn8() {
        ByteBuffer b = block(18).putShort(TWO);
        float[] expected = new float[32];
        for (int j = 0; j < 16; j++) {
            int lo = j, hi = (j * 5 + 3) & 0xF;
            b.put((byte) (lo | hi << 4));
            expected[j] = 2f * (lo - 8);
            expected[j + 16] = 2f * (hi - 8);
        }
        assertDecodes(GgmlType.Q4_0, b, expected);
    }

    // 6-bit scales and mins with top bits set in sub-blocks 4-7, so the packing is exercised
    private static final int[] SC = {1, 2, 3, 63, 17, 33, 50, 62};
    private static final int[] MN = {5, 6, 7, 8, 20, 40, 61, 47};

    private static byte[] packedScales() {
        byte[] p = new byte[12];
        for (int j = 0; j < 4; j++) {
            p[j] = (byte) (SC[j] | (SC[j + 4] >> 4) << 6);
            p[j + 4] = (byte) (MN[j] | (MN[j + 4] >> 4) << 6);
            p[j + 8] = (byte) ((SC[j + 4] & 0xF) | (MN[j + 4] & 0xF) << 4);
        }
        return p;
    }

    @Test
    void q4_KPacksSixBitScalesAndMinsAndPairsSubBlocksInTheNibblesOf32Bytes() {
        ByteBuffer b = block(144).putShort(ONE).putShort(HALF).put(packedScales());
        byte[] qs = new byte[128];
        for (int k = 0; k < 128; k++) {
            qs[k] = (byte) (k * 7 + 1);
        }
        b.put(qs);
        float[] expected = new float[256];
        for (int e = 0; e < 256; e++) {
            int j = e / 32, l = e % 32;
            int q = ((qs[32 * (j / 2) + l] & 0xFF) >> (4 * (j % 2))) & 0xF;
            expected[e] = 1f * SC[j] * q - 0.5f * MN[j];
        }
        assertDecodes(GgmlType.Q4_K, b, expected);
    }

    @Test
    void q5_KTakesTheFifthBitOfSubBlockJFromBitJOfQh() {
        ByteBuffer b = block(176).putShort(QUARTER).putShort(ONE).put(packedScales());
        byte[] qh = new byte[32], qs = new byte[128];
        for (int l = 0; l < 32; l++) {
            qh[l] = (byte) (l * 37 + 11);
        }
        for (int k = 0; k < 128; k++) {
            qs[k] = (byte) (k * 13 + 5);
        }
        b.put(qh).put(qs);
        float[] expected = new float[256];
        for (int e = 0; e < 256; e++) {
            int j = e / 32, l = e % 32;
            int q = ((qs[32 * (j / 2) + l] & 0xFF) >> (4 * (j % 2))) & 0xF;
            q += 16 * (((qh[l] & 0xFF) >> j) & 1);
            expected[e] = 0.25f * SC[j] * q - 1f * MN[j];
        }
        assertDecodes(GgmlType.Q5_K, b, expected);
    }

    @Test
    void q6_KSplitsEachWeightIntoANibbleOfQlAndTwoBitsOfQhWithSigned16WeightScales() {
        byte[] ql = new byte[128], qh = new byte[64], sc = new byte[16];
        for (int k = 0; k < 128; k++) {
            ql[k] = (byte) (k * 11 + 3);
        }
        for (int k = 0; k < 64; k++) {
            qh[k] = (byte) (k * 29 + 7);
        }
        for (int k = 0; k < 16; k++) {
            sc[k] = (byte) (k * 17 - 120);
        }
        ByteBuffer b = block(210).put(ql).put(qh).put(sc).putShort(QUARTER);
        float[] expected = new float[256];
        for (int e = 0; e < 256; e++) {
            int n = e / 128, m = (e % 128) / 32, l = e % 32;
            int low = ((ql[64 * n + 32 * (m % 2) + l] & 0xFF) >> (4 * (m / 2))) & 0xF;
            int high = ((qh[32 * n + l] & 0xFF) >> (2 * m)) & 3;
            expected[e] = 0.25f * sc[8 * n + 2 * m + l / 16] * ((low | high << 4) - 32);
        }
        assertDecodes(GgmlType.Q6_K, b, expected);
    }

    @Test
    void f16DecodesNormalsSubnormalsAndInfinities() {
        short[] bits = {0x3C00, (short) 0xC000, 0x0001, (short) 0x83FF, 0x7BFF, 0x7C00, 0x0000, 0x3555};
        float[] expected = {1f, -2f, 0x1p-24f, -0x3FFp-24f, 65504f, Float.POSITIVE_INFINITY, 0f, 0.33325195f};
        ByteBuffer b = block(2 * 32);
        float[] all = new float[32];
        for (int i = 0; i < 32; i++) {
            b.putShort(bits[i % 8]);
            all[i] = expected[i % 8];
        }
        WeightMatrix m = WeightMatrices.of(GgmlType.F16, MemorySegment.ofArray(b.array()), 1, 32);
        float[] row = new float[32];
        m.dequantizeRow(0, row, 0);
        assertThat(row).containsExactly(all);
        float[] x = new float[32], out = new float[1];
        for (int c = 5; c < 32; c += 8) {
            x[c] = 1f; // 0 * inf is NaN, so the infinities' columns are checked on their own
        }
        m.matmul(out, x, 0, 1);
        assertThat(out[0]).isEqualTo(Float.POSITIVE_INFINITY);

        ByteBuffer finite = block(2 * 32);
        for (int i = 0; i < 32; i++) {
            finite.putShort(i % 8 == 5 ? (short) 0x0200 : bits[i % 8]);
            all[i] = i % 8 == 5 ? 0x200p-24f : all[i];
        }
        assertDecodes(GgmlType.F16, finite, all);
    }

    @Test
    void bf16IsTheTopHalfOfAFloatAndRoundsToNearestEven() {
        assertThat(Float16.bf16ToFloat((short) 0x3F80)).isEqualTo(1f);
        assertThat(Float16.floatToBf16(Float.intBitsToFloat(0x3F808000))).isEqualTo((short) 0x3F80); // tie to even
        assertThat(Float16.floatToBf16(Float.intBitsToFloat(0x3F818000))).isEqualTo((short) 0x3F82); // tie to even
        assertThat(Float16.floatToBf16(Float.intBitsToFloat(0x3F808001))).isEqualTo((short) 0x3F81);
        ByteBuffer b = block(2 * 16);
        float[] expected = new float[16];
        for (int i = 0; i < 16; i++) {
            b.putShort((short) (0x3F80 + i * 0x111));
            expected[i] = Float.intBitsToFloat((0x3F80 + i * 0x111) << 16);
        }
        assertDecodes(GgmlType.BF16, b, expected);
    }
}
