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

    /** The 6-bit min of sub-block {@code j} (0-7). */
    static int min(long lo, int hi, int j) {
        return j < 4 ? b(lo, hi, j + 4) & 63 : (b(lo, hi, j + 4) >> 4) | ((b(lo, hi, j) >> 6) << 4);
    }
}
