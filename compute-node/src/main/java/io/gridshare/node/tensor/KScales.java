package io.gridshare.node.tensor;

/**
 * The 12-byte scale field of ggml's Q4_K and Q5_K blocks ({@code get_scale_min_k4}): eight 6-bit
 * sub-block scales and eight 6-bit mins. Sub-blocks 0-3 keep scale and min in the low six bits of
 * bytes {@code j} and {@code j + 4}; sub-blocks 4-7 keep their low four bits in the nibbles of byte
 * {@code j + 4} (scale low, min high) and their top two bits in the top bits of bytes {@code j - 4}
 * (scale) and {@code j} (min). The field is read as one long (bytes 0-7) and one int (bytes 8-11).
 */
final class KScales {

    private KScales() {}

    private static int b(long lo, int hi, int k) {
        return k < 8 ? (int) (lo >>> (8 * k)) & 0xFF : (hi >>> (8 * (k - 8))) & 0xFF;
    }

    /** The 6-bit scale of sub-block {@code j} (0-7). */
    static int scale(long lo, int hi, int j) {
        return j < 4 ? b(lo, hi, j) & 63 : (b(lo, hi, j + 4) & 0xF) | ((b(lo, hi, j - 4) >> 6) << 4);
    }

    /**
     * All eight 6-bit scales at once, byte {@code j} of the result being sub-block {@code j}'s:
     * with bytes 0-3, 4-7 and 8-11 as ints {@code u0, u1, u2}, scales 0-3 are the low six bits of
     * {@code u0}'s bytes and scales 4-7 the nibbles of {@code u2} under {@code u0}'s top bits.
     * Branch-free, so a kernel can unpack a block's scales with a dozen integer operations.
     */
    static long scales(long lo, int hi) {
        int u0 = (int) lo;
        long low = u0 & 0x3F3F3F3F;
        long high = (hi & 0x0F0F0F0F) | (((u0 >>> 6) & 0x03030303) << 4);
        return (low & 0xFFFFFFFFL) | (high << 32);
    }

    /** All eight 6-bit mins, as {@link #scales} (from {@code u1}'s low bits, {@code u2}'s high nibbles and {@code u1}'s top bits). */
    static long mins(long lo, int hi) {
        int u1 = (int) (lo >>> 32);
        long low = u1 & 0x3F3F3F3F;
        long high = ((hi >>> 4) & 0x0F0F0F0F) | (((u1 >>> 6) & 0x03030303) << 4);
        return (low & 0xFFFFFFFFL) | (high << 32);
    }

    /** Byte {@code j} of a packed {@link #scales} or {@link #mins} value. */
    static int at(long packed, int j) {
        return (int) (packed >>> (8 * j)) & 0xFF;
    }

    /** The 6-bit min of sub-block {@code j} (0-7). */
    static int min(long lo, int hi, int j) {
        return j < 4 ? b(lo, hi, j + 4) & 63 : (b(lo, hi, j + 4) >> 4) | ((b(lo, hi, j) >> 6) << 4);
    }
}
