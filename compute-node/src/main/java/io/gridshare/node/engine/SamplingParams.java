package io.gridshare.node.engine;

/**
 * How the next token is chosen. Sampling randomness is a pure function of {@code (seed, token
 * index)}, so a job resumed on another node continues exactly as it would have.
 *
 * @param temperature 0 for greedy (argmax); otherwise logits are divided by it before softmax
 * @param topP nucleus sampling cut-off in (0, 1]; 0 or 1 disables it
 * @param seed caller-given seed
 */
public record SamplingParams(float temperature, float topP, long seed) {
    public static SamplingParams greedy() {
        return new SamplingParams(0f, 1f, 0L);
    }
}
