package io.gridshare.node.tensor;

/**
 * Conversions between float and the two 16-bit float formats of ggml tensors: IEEE half
 * precision ({@code F16}) and bfloat16 ({@code BF16}, the top half of a float's bits). Both
 * narrowings round to nearest, ties to even, as ggml's {@code GGML_FP32_TO_FP16} and
 * {@code GGML_FP32_TO_BF16} do.
 */
public final class Float16 {

    private Float16() {}

    /** The float value of IEEE half-precision bits {@code h}. */
    public static float toFloat(short h) {
        return Float.float16ToFloat(h);
    }

    /** {@code f} rounded to the nearest half-precision value (ties to even; overflow to infinity). */
    public static short fromFloat(float f) {
        return Float.floatToFloat16(f);
    }

    /** The float value of bfloat16 bits {@code b}. */
    public static float bf16ToFloat(short b) {
        return Float.intBitsToFloat(b << 16);
    }

    /** {@code f} rounded to the nearest bfloat16 (ties to even); a NaN stays a quiet NaN. */
    public static short floatToBf16(float f) {
        int u = Float.floatToRawIntBits(f);
        if ((u & 0x7fffffff) > 0x7f800000) {
            return (short) ((u >>> 16) | 64);
        }
        return (short) ((u + (0x7fff + ((u >>> 16) & 1))) >>> 16);
    }
}
