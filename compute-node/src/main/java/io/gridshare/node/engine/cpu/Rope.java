package io.gridshare.node.engine.cpu;

import io.gridshare.node.model.ArchitectureParams;
import io.gridshare.node.model.ArchitectureParams.RopeStyle;

/**
 * Rotary position embeddings for every position of the served context, precomputed as cos/sin
 * tables {@code [pos][ropeDims / 2]}. Frequencies are {@code theta^(-2j / ropeDims)}, divided by
 * the model's per-pair factors when it has them (Llama 3's {@code llama3} rope scaling); the
 * angle is computed in float as llama2.c does, so llama2.c checkpoints keep their golden outputs.
 */
final class Rope {

    private final int headSize, ropeDims, half;
    private final RopeStyle style;
    private final float[] cos, sin;

    Rope(ArchitectureParams p, int headSize, int positions) {
        this.headSize = headSize;
        this.ropeDims = p.ropeDims();
        this.half = ropeDims / 2;
        this.style = p.ropeStyle();
        this.cos = new float[positions * half];
        this.sin = new float[positions * half];
        float[] factors = p.ropeFreqFactors();
        for (int j = 0; j < half; j++) {
            float freq = 1.0f / (float) Math.pow(p.ropeTheta(), (2 * j) / (float) ropeDims);
            if (factors != null) {
                freq /= factors[j];
            }
            for (int pos = 0; pos < positions; pos++) {
                float val = pos * freq;
                cos[pos * half + j] = (float) Math.cos(val);
                sin[pos * half + j] = (float) Math.sin(val);
            }
        }
    }

    /** Rotates every head of {@code v[0, width)} (a multiple of the head size) for position {@code pos}. */
    void apply(float[] v, int width, int pos) {
        int base = pos * half;
        for (int h = 0; h < width; h += headSize) {
            if (style == RopeStyle.ADJACENT) {
                for (int j = 0; j < half; j++) {
                    int i = h + 2 * j;
                    float fcr = cos[base + j], fci = sin[base + j];
                    float v0 = v[i], v1 = v[i + 1];
                    v[i] = v0 * fcr - v1 * fci;
                    v[i + 1] = v0 * fci + v1 * fcr;
                }
            } else {
                for (int j = 0; j < half; j++) {
                    int i = h + j;
                    float fcr = cos[base + j], fci = sin[base + j];
                    float v0 = v[i], v1 = v[i + half];
                    v[i] = v0 * fcr - v1 * fci;
                    v[i + half] = v0 * fci + v1 * fcr;
                }
            }
        }
    }

    long bytes() {
        return 8L * cos.length;
    }
}
