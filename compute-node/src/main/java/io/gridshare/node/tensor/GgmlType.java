package io.gridshare.node.tensor;

import java.util.Arrays;
import java.util.Optional;

/**
 * The element types of ggml tensors that a node can serve, with ggml's numeric ids (as stored in a
 * GGUF tensor info) and block layouts. Quantized types pack {@link #blockElements()} weights into
 * {@link #blockBytes()} bytes; a row of a matrix is always a whole number of blocks.
 *
 * <p>Bit layouts (little-endian, as ggml writes them):
 * <ul>
 *   <li>{@code Q4_0}: f16 scale d, 16 bytes of nibbles; element j (j &lt; 16) is the low nibble of
 *       byte j, element j + 16 the high nibble; value {@code d * (q - 8)}.</li>
 *   <li>{@code Q8_0}: f16 scale d, 32 int8; value {@code d * q}.</li>
 *   <li>{@code Q4_K}: f16 d, f16 dmin, 12 bytes of packed 6-bit scales and mins for 8 sub-blocks of
 *       32, 128 bytes of nibbles; value {@code d * sc * q - dmin * m}.</li>
 *   <li>{@code Q5_K}: as Q4_K plus 32 bytes of fifth bits (qh) before the 128 bytes of nibbles.</li>
 *   <li>{@code Q6_K}: 128 bytes of low nibbles (ql), 64 bytes of high 2-bit pairs (qh), 16 int8
 *       sub-block scales, f16 d; value {@code d * sc * (q - 32)} for 16 sub-blocks of 16.</li>
 * </ul>
 */
public enum GgmlType {
    F32(0, 1, 4),
    F16(1, 1, 2),
    Q4_0(2, 32, 18),
    Q8_0(8, 32, 34),
    Q4_K(12, 256, 144),
    Q5_K(13, 256, 176),
    Q6_K(14, 256, 210),
    BF16(30, 1, 2);

    private final int id;
    private final int blockElements;
    private final int blockBytes;

    GgmlType(int id, int blockElements, int blockBytes) {
        this.id = id;
        this.blockElements = blockElements;
        this.blockBytes = blockBytes;
    }

    /** ggml's numeric id ({@code enum ggml_type}). */
    public int id() {
        return id;
    }

    /** Weights per block (1 for the float types). */
    public int blockElements() {
        return blockElements;
    }

    /** Bytes per block. */
    public int blockBytes() {
        return blockBytes;
    }

    /** Whether the type stores blocks of quantized weights with scales. */
    public boolean quantized() {
        return blockElements > 1;
    }

    /**
     * Bytes that {@code elements} weights take.
     *
     * @throws IllegalArgumentException when {@code elements} is not a whole number of blocks
     */
    public long bytesFor(long elements) {
        if (elements < 0 || elements % blockElements != 0) {
            throw new IllegalArgumentException(elements + " elements are not a whole number of " + name()
                    + " blocks of " + blockElements);
        }
        return Math.multiplyExact(elements / blockElements, (long) blockBytes);
    }

    /** The type with ggml id {@code id}, if this node supports it. */
    public static Optional<GgmlType> byId(int id) {
        return Arrays.stream(values()).filter(t -> t.id == id).findFirst();
    }

    /** The supported type names, for error messages. */
    public static String supported() {
        return Arrays.toString(values());
    }
}
