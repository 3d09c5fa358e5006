package io.gridshare.node.engine;

import io.gridshare.node.engine.cpu.VectorKernels;
import java.util.Arrays;

/**
 * Chooses the next token from logits as llama2.c's {@code run.c} does: argmax at temperature 0;
 * otherwise softmax of {@code logits / temperature} and a draw with the uniform number
 * {@link CounterRng#uniform(long, long)} of the job's seed and the token's index — from the whole
 * distribution, or from the smallest set of most likely tokens whose probability exceeds
 * {@code topP} (nucleus sampling). One per slot: its buffers are reused for every token.
 */
public final class Sampler {

    private final float[] probs;
    private final long[] keys;
    private float lastLogProbability;

    public Sampler(int vocabSize) {
        probs = new float[vocabSize];
        keys = new long[vocabSize];
    }

    /** Heap bytes one sampler holds for a vocabulary. */
    public static long bytes(int vocabSize) {
        return 12L * vocabSize + 64;
    }

    /**
     * Samples a token; {@link #lastLogProbability()} then holds its natural-log probability under
     * {@code softmax(logits / temperature)} (temperature 1 for greedy), before top-p truncation.
     * {@code logits} is left unchanged.
     */
    public int sample(float[] logits, SamplingParams params, long index) {
        int n = probs.length;
        if (params.temperature() == 0f) {
            int best = 0;
            float max = logits[0];
            for (int i = 1; i < n; i++) {
                if (logits[i] > max) {
                    max = logits[i];
                    best = i;
                }
            }
            lastLogProbability = (float) -Math.log(VectorKernels.sumExp(logits, n, max));
            return best;
        }
        float temperature = params.temperature();
        for (int i = 0; i < n; i++) {
            probs[i] = logits[i] / temperature;
        }
        VectorKernels.softmax(probs, 0, n);
        float coin = CounterRng.uniform(params.seed(), index);
        float topP = params.topP();
        int chosen = (topP <= 0f || topP >= 1f) ? sampleMult(coin) : sampleTopP(topP, coin);
        lastLogProbability = (float) Math.log(probs[chosen]);
        return chosen;
    }

    /** Log-probability of the token the last {@link #sample} call returned. */
    public float lastLogProbability() {
        return lastLogProbability;
    }

    private int sampleMult(float coin) {
        float cdf = 0f;
        for (int i = 0; i < probs.length; i++) {
            cdf += probs[i];
            if (coin < cdf) {
                return i;
            }
        }
        return probs.length - 1; // rounding
    }

    private int sampleTopP(float topP, float coin) {
        int n = probs.length;
        // tokens below this cannot be in the nucleus (run.c's cut-off); skipping them keeps the sort short
        float cutoff = (1.0f - topP) / (n - 1);
        int m = 0;
        for (int i = 0; i < n; i++) {
            if (probs[i] >= cutoff) {
                // probabilities are non-negative, so their float bits sort like the values
                keys[m++] = ((long) Float.floatToRawIntBits(probs[i]) << 32) | (0xFFFFFFFFL - i);
            }
        }
        Arrays.sort(keys, 0, m); // ascending: walk from the end for descending probability, lower id first on ties
        float cumulative = 0f;
        int last = 0; // all of them unless the nucleus closes earlier
        for (int j = m - 1; j >= 0; j--) {
            cumulative += Float.intBitsToFloat((int) (keys[j] >>> 32));
            if (cumulative > topP) {
                last = j;
                break;
            }
        }
        float r = coin * cumulative;
        float cdf = 0f;
        for (int j = m - 1; j >= last; j--) {
            cdf += Float.intBitsToFloat((int) (keys[j] >>> 32));
            if (r < cdf) {
                return id(keys[j]);
            }
        }
        return id(keys[last]);
    }

    private static int id(long key) {
        return (int) (0xFFFFFFFFL - (key & 0xFFFFFFFFL));
    }
}
