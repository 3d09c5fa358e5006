package io.gridshare.node.engine.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.gridshare.node.tensor.GgmlType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The tests' dequantizer, the oracle of the kernel tests, reads hand-made ggml blocks right. */
class QuantFixturesTest {

    private static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final short HALF_ONE = 0x3C00;
    private static final short HALF_HALF = 0x3800;

    private static MemorySegment bytes(int n) {
        return Arena.ofAuto().allocate(n);
    }

    @Test
    @DisplayName("a Q8_0 weight is the block's f16 scale times its int8")
    void q8_0() {
        MemorySegment block = bytes(2 * 34);
        block.set(SHORT_LE, 34, HALF_HALF); // second block (row 1 of a 32-column matrix): d = 0.5
        block.set(ValueLayout.JAVA_BYTE, 34 + 2, (byte) -3);
        block.set(ValueLayout.JAVA_BYTE, 34 + 2 + 31, (byte) 127);
        assertThat(QuantFixtures.weight(GgmlType.Q8_0, block, 34, 1, 0)).isEqualTo(-1.5f);
        assertThat(QuantFixtures.weight(GgmlType.Q8_0, block, 34, 1, 31)).isEqualTo(63.5f);
        assertThat(QuantFixtures.weight(GgmlType.Q8_0, block, 34, 0, 31)).isZero();
    }

    @Test
    @DisplayName("a Q4_K weight is d * scale * nibble - dmin * min, with ggml's 6-bit scale packing")
    void q4_k() {
        MemorySegment block = bytes(144);
        block.set(SHORT_LE, 0, HALF_ONE);   // d = 1
        block.set(SHORT_LE, 2, HALF_HALF);  // dmin = 0.5
        long scales = 4, qs = 16;
        block.set(ValueLayout.JAVA_BYTE, scales, (byte) 0b11_000101);     // sub 0 scale 5; top bits 3 -> sub 4 scale
        block.set(ValueLayout.JAVA_BYTE, scales + 1, (byte) 4);           // sub 1 scale 4
        block.set(ValueLayout.JAVA_BYTE, scales + 4, (byte) 0b10_000010); // sub 0 min 2; top bits 2 -> sub 4 min
        block.set(ValueLayout.JAVA_BYTE, scales + 5, (byte) 1);           // sub 1 min 1
        block.set(ValueLayout.JAVA_BYTE, scales + 8, (byte) 0x96);        // sub 4: scale low 6, min low 9
        block.set(ValueLayout.JAVA_BYTE, qs, (byte) 0x37);                // weight 0: 7 (sub 0), weight 32: 3 (sub 1)
        block.set(ValueLayout.JAVA_BYTE, qs + 64 + 2, (byte) 0x09);       // weight 130: 9 (sub 4)

        assertThat(QuantFixtures.q4kScaleMin(block, scales, 4)).containsExactly(6 | 3 << 4, 9 | 2 << 4);
        assertThat(QuantFixtures.weight(GgmlType.Q4_K, block, 144, 0, 0)).isCloseTo(1 * 5 * 7 - 0.5f * 2, within(0f));
        assertThat(QuantFixtures.weight(GgmlType.Q4_K, block, 144, 0, 32)).isCloseTo(1 * 4 * 3 - 0.5f * 1, within(0f));
        assertThat(QuantFixtures.weight(GgmlType.Q4_K, block, 144, 0, 130)).isCloseTo(54 * 9 - 0.5f * 41, within(0f));
    }

    @Test
    @DisplayName("random fixtures dequantize to weights of about the asked magnitude")
    void randomFixturesHaveTheAskedScale() {
        for (GgmlType type : KernelModule.SUPPORTED.keySet()) {
            QuantFixtures.TestMatrix m = QuantFixtures.random(type, 4, 512, 0.1f, 3);
            float[] row = new float[512];
            float max = 0;
            for (int r = 0; r < 4; r++) {
                m.dequantizeRow(r, row, 0);
                for (float w : row) {
                    max = Math.max(max, Math.abs(w));
                }
            }
            assertThat(max).as("largest |weight| of %s", type).isBetween(0.01f, 0.2f);
        }
    }
}
