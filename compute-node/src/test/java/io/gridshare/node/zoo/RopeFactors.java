package io.gridshare.node.zoo;

import io.gridshare.node.tensor.GgmlType;

/**
 * Llama 3.1's RoPE scaling as llama.cpp's converter stores it: one divisor per rotated pair in
 * {@code rope_freqs.weight}. Pairs whose wavelength is shorter than the original context over
 * {@code high_freq_factor} keep their frequency, those longer than the context over
 * {@code low_freq_factor} are slowed by {@code factor}, and those between are interpolated.
 * Llama 3.2's values: factor 32, low 1, high 4, original context 8192.
 */
record RopeFactors(int ropeDims, float theta, double factor, double lowFreqFactor, double highFreqFactor,
                         int originalContext) {

    RopeFactors(int ropeDims, float theta) {
        this(ropeDims, theta, 32, 1, 4, 8192);
    }

    float[] factors() {
        double lowFreqWavelen = originalContext / lowFreqFactor;
        double highFreqWavelen = originalContext / highFreqFactor;
        float[] out = new float[ropeDims / 2];
        for (int j = 0; j < out.length; j++) {
            double freq = 1.0 / Math.pow(theta, 2.0 * j / ropeDims);
            double wavelen = 2 * Math.PI / freq;
            if (wavelen < highFreqWavelen) {
                out[j] = 1f;
            } else if (wavelen > lowFreqWavelen) {
                out[j] = (float) factor;
            } else {
                double smooth = (originalContext / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
                out[j] = (float) (1 / ((1 - smooth) / factor + smooth));
            }
        }
        return out;
    }
}
