package io.gridshare.node.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Quantizes float rows into ggml's block layouts following ggml's reference quantizers
 * ({@code quantize_row_*_ref} with {@code make_qkx2_quants} and {@code make_qx_quants}), in float
 * arithmetic as ggml does it, so files written from its output read back in llama.cpp.
 */
public final class GgmlQuantizer {

    private GgmlQuantizer() {}

    /** {@code rowMajor} ({@code rows x cols}) in {@code type}'s layout, rows back to back. */
    public static byte[] quantize(GgmlType type, float[] rowMajor, int cols) {
        if (cols <= 0 || rowMajor.length % cols != 0) {
            throw new IllegalArgumentException(rowMajor.length + " values are not whole rows of " + cols);
        }
        long size = (rowMajor.length / cols) * type.bytesFor(cols);
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(size)).order(ByteOrder.LITTLE_ENDIAN);
        int n = type.blockElements();
        for (int b = 0; b < rowMajor.length; b += n) {
            switch (type) {
                case F32 -> out.putFloat(rowMajor[b]);
                case F16 -> out.putShort(Float16.fromFloat(rowMajor[b]));
                case BF16 -> out.putShort(Float16.floatToBf16(rowMajor[b]));
                case Q8_0 -> q8_0(rowMajor, b, out);
                case Q4_0 -> q4_0(rowMajor, b, out);
                case Q4_K -> kQuant(rowMajor, b, out, 15, -1f, 0.1f, 20);
                case Q5_K -> kQuant(rowMajor, b, out, 31, -0.5f, 0.1f, 15);
                case Q6_K -> q6K(rowMajor, b, out);
            }
        }
        return out.array();
    }

    /** C's {@code nearest_int}: round half to even through the float mantissa. */
    static int nearestInt(float f) {
        return (Float.floatToRawIntBits(f + 12582912f) & 0x007fffff) - 0x00400000;
    }

    /** C's {@code roundf}: half away from zero. */
    private static float roundf(float v) {
        return (float) Math.copySign(Math.floor(Math.abs((double) v) + 0.5), v);
    }

    private static void q8_0(float[] x, int o, ByteBuffer out) {
        float amax = 0f;
        for (int j = 0; j < 32; j++) {
            amax = Math.max(amax, Math.abs(x[o + j]));
        }
        float d = amax / 127;
        float id = d != 0 ? 1.0f / d : 0.0f;
        out.putShort(Float16.fromFloat(d));
        for (int j = 0; j < 32; j++) {
            out.put((byte) roundf(x[o + j] * id));
        }
    }

    private static void q4_0(float[] x, int o, ByteBuffer out) {
        float amax = 0f, max = 0f;
        for (int j = 0; j < 32; j++) {
            float v = x[o + j];
            if (amax < Math.abs(v)) {
                amax = Math.abs(v);
                max = v;
            }
        }
        float d = max / -8;
        float id = d != 0 ? 1.0f / d : 0.0f;
        out.putShort(Float16.fromFloat(d));
        for (int j = 0; j < 16; j++) {
            int x0 = Math.min(15, (byte) (int) (x[o + j] * id + 8.5f));
            int x1 = Math.min(15, (byte) (int) (x[o + 16 + j] * id + 8.5f));
            out.put((byte) (x0 | (x1 << 4)));
        }
    }

    /** Q4_K ({@code nmax} 15) and Q5_K ({@code nmax} 31), as {@code quantize_row_q4_K_ref} / {@code q5_K_ref}. */
    private static void kQuant(float[] x, int o, ByteBuffer out, int nmax, float rmin, float rdelta, int nstep) {
        int[] l = new int[256];
        float[] scales = new float[8], mins = new float[8], weights = new float[32];
        float maxScale = 0, maxMin = 0;
        for (int j = 0; j < 8; j++) {
            float sumX2 = 0;
            for (int i = 0; i < 32; i++) {
                sumX2 += x[o + 32 * j + i] * x[o + 32 * j + i];
            }
            float avX = (float) Math.sqrt(sumX2 / 32);
            for (int i = 0; i < 32; i++) {
                weights[i] = avX + Math.abs(x[o + 32 * j + i]);
            }
            float[] min = new float[1];
            scales[j] = makeQkx2Quants(32, nmax, x, o + 32 * j, weights, l, 32 * j, min, rmin, rdelta, nstep);
            mins[j] = min[0];
            maxScale = Math.max(maxScale, scales[j]);
            maxMin = Math.max(maxMin, mins[j]);
        }
        float invScale = maxScale > 0 ? 63.f / maxScale : 0.f;
        float invMin = maxMin > 0 ? 63.f / maxMin : 0.f;
        byte[] packed = new byte[12];
        for (int j = 0; j < 8; j++) {
            int ls = Math.min(63, nearestInt(invScale * scales[j]) & 0xFF);
            int lm = Math.min(63, nearestInt(invMin * mins[j]) & 0xFF);
            if (j < 4) {
                packed[j] = (byte) ls;
                packed[j + 4] = (byte) lm;
            } else {
                packed[j + 4] = (byte) ((ls & 0xF) | ((lm & 0xF) << 4));
                packed[j - 4] |= (byte) ((ls >> 4) << 6);
                packed[j] |= (byte) ((lm >> 4) << 6);
            }
        }
        short d = Float16.fromFloat(maxScale / 63.f), dmin = Float16.fromFloat(maxMin / 63.f);
        long lo = ByteBuffer.wrap(packed).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        int hi = ByteBuffer.wrap(packed).order(ByteOrder.LITTLE_ENDIAN).getInt(8);
        for (int j = 0; j < 8; j++) {
            float dl = Float16.toFloat(d) * KScales.scale(lo, hi, j);
            if (dl == 0) {
                continue;
            }
            float dm = Float16.toFloat(dmin) * KScales.min(lo, hi, j);
            for (int i = 0; i < 32; i++) {
                l[32 * j + i] = Math.max(0, Math.min(nmax, nearestInt((x[o + 32 * j + i] + dm) / dl)));
            }
        }
        out.putShort(d).putShort(dmin).put(packed);
        if (nmax == 31) {
            byte[] qh = new byte[32];
            for (int g = 0; g < 4; g++) {
                for (int i = 0; i < 32; i++) {
                    if (l[64 * g + i] > 15) {
                        l[64 * g + i] -= 16;
                        qh[i] |= (byte) (1 << (2 * g));
                    }
                    if (l[64 * g + 32 + i] > 15) {
                        l[64 * g + 32 + i] -= 16;
                        qh[i] |= (byte) (2 << (2 * g));
                    }
                }
            }
            out.put(qh);
        }
        for (int g = 0; g < 4; g++) {
            for (int i = 0; i < 32; i++) {
                out.put((byte) (l[64 * g + i] | (l[64 * g + 32 + i] << 4)));
            }
        }
    }

    /** ggml's {@code make_qkx2_quants}: an affine fit {@code scale * L - min} searched over iscales. */
    private static float makeQkx2Quants(int n, int nmax, float[] x, int xo, float[] weights, int[] l, int lo,
            float[] theMin, float rmin, float rdelta, int nstep) {
        float min = x[xo], max = x[xo];
        float sumW = weights[0];
        float sumX = sumW * x[xo];
        for (int i = 1; i < n; i++) {
            float v = x[xo + i];
            if (v < min) {
                min = v;
            }
            if (v > max) {
                max = v;
            }
            float w = weights[i];
            sumW += w;
            sumX += w * v;
        }
        if (min > 0) {
            min = 0;
        }
        if (max == min) {
            for (int i = 0; i < n; i++) {
                l[lo + i] = 0;
            }
            theMin[0] = -min;
            return 0.f;
        }
        float iscale = nmax / (max - min);
        float scale = 1 / iscale;
        float bestError = 0;
        for (int i = 0; i < n; i++) {
            int q = Math.max(0, Math.min(nmax, nearestInt(iscale * (x[xo + i] - min))));
            l[lo + i] = q;
            float diff = scale * q + min - x[xo + i];
            bestError += weights[i] * (diff * diff);
        }
        int[] aux = new int[n];
        for (int is = 0; is <= nstep; is++) {
            iscale = (rmin + rdelta * is + nmax) / (max - min);
            float sumL = 0, sumL2 = 0, sumXl = 0;
            for (int i = 0; i < n; i++) {
                int q = Math.max(0, Math.min(nmax, nearestInt(iscale * (x[xo + i] - min))));
                aux[i] = q;
                float w = weights[i];
                sumL += w * q;
                sumL2 += w * q * q;
                sumXl += w * q * x[xo + i];
            }
            float det = sumW * sumL2 - sumL * sumL;
            if (det > 0) {
                float thisScale = (sumW * sumXl - sumX * sumL) / det;
                float thisMin = (sumL2 * sumX - sumL * sumXl) / det;
                if (thisMin > 0) {
                    thisMin = 0;
                    thisScale = sumXl / sumL2;
                }
                float curError = 0;
                for (int i = 0; i < n; i++) {
                    float diff = thisScale * aux[i] + thisMin - x[xo + i];
                    curError += weights[i] * (diff * diff);
                }
                if (curError < bestError) {
                    System.arraycopy(aux, 0, l, lo, n);
                    bestError = curError;
                    scale = thisScale;
                    min = thisMin;
                }
            }
        }
        theMin[0] = -min;
        return scale;
    }

    private static void q6K(float[] x, int o, ByteBuffer out) {
        int[] l = new int[256];
        float[] scales = new float[16];
        float maxScale = 0, maxAbsScale = 0;
        for (int ib = 0; ib < 16; ib++) {
            float scale = makeQxQuants(16, 32, x, o + 16 * ib, l, 16 * ib);
            scales[ib] = scale;
            if (Math.abs(scale) > maxAbsScale) {
                maxAbsScale = Math.abs(scale);
                maxScale = scale;
            }
        }
        if (maxAbsScale < 1e-15f) {
            out.put(new byte[210]);
            return;
        }
        float iscale = -128.f / maxScale;
        short d = Float16.fromFloat(1 / iscale);
        byte[] sc = new byte[16];
        for (int ib = 0; ib < 16; ib++) {
            sc[ib] = (byte) Math.min(127, nearestInt(iscale * scales[ib]));
        }
        for (int j = 0; j < 16; j++) {
            float dl = Float16.toFloat(d) * sc[j];
            if (dl == 0) {
                continue;
            }
            for (int i = 0; i < 16; i++) {
                l[16 * j + i] = Math.max(-32, Math.min(31, nearestInt(x[o + 16 * j + i] / dl))) + 32;
            }
        }
        byte[] ql = new byte[128], qh = new byte[64];
        for (int n = 0; n < 2; n++) {
            for (int i = 0; i < 32; i++) {
                int b = 128 * n + i;
                ql[64 * n + i] = (byte) ((l[b] & 0xF) | ((l[b + 64] & 0xF) << 4));
                ql[64 * n + 32 + i] = (byte) ((l[b + 32] & 0xF) | ((l[b + 96] & 0xF) << 4));
                qh[32 * n + i] = (byte) ((l[b] >> 4) | ((l[b + 32] >> 4) << 2) | ((l[b + 64] >> 4) << 4)
                        | ((l[b + 96] >> 4) << 6));
            }
        }
        out.put(ql).put(qh).put(sc).putShort(d);
    }

    /** ggml's {@code make_qx_quants} with {@code rmse_type} 1 (weights x^2) and no importance weights. */
    private static float makeQxQuants(int n, int nmax, float[] x, int xo, int[] l, int lo) {
        float max = 0, amax = 0;
        for (int i = 0; i < n; i++) {
            float ax = Math.abs(x[xo + i]);
            if (ax > amax) {
                amax = ax;
                max = x[xo + i];
            }
        }
        if (amax < 1e-15f) {
            for (int i = 0; i < n; i++) {
                l[lo + i] = 0;
            }
            return 0.f;
        }
        float iscale = -nmax / max;
        float sumlx = 0, suml2 = 0;
        for (int i = 0; i < n; i++) {
            int q = Math.max(-nmax, Math.min(nmax - 1, nearestInt(iscale * x[xo + i])));
            l[lo + i] = q + nmax;
            float w = x[xo + i] * x[xo + i];
            sumlx += w * x[xo + i] * q;
            suml2 += w * q * q;
        }
        float scale = suml2 != 0 ? sumlx / suml2 : 0.0f;
        float best = scale * sumlx;
        for (int is = -9; is <= 9; is++) {
            if (is == 0) {
                continue;
            }
            iscale = -(nmax + 0.1f * is) / max;
            sumlx = suml2 = 0;
            for (int i = 0; i < n; i++) {
                int q = Math.max(-nmax, Math.min(nmax - 1, nearestInt(iscale * x[xo + i])));
                float w = x[xo + i] * x[xo + i];
                sumlx += w * x[xo + i] * q;
                suml2 += w * q * q;
            }
            if (suml2 > 0 && sumlx * sumlx > best * suml2) {
                for (int i = 0; i < n; i++) {
                    l[lo + i] = nmax + Math.max(-nmax, Math.min(nmax - 1, nearestInt(iscale * x[xo + i])));
                }
                scale = sumlx / suml2;
                best = scale * sumlx;
            }
        }
        return scale;
    }
}
