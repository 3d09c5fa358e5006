package io.gridshare.node.bench;

/**
 * One benchmark job as its sink saw it.
 *
 * @param promptTokens prompt length the engine evaluated (BOS included)
 * @param generatedTokens tokens the job produced
 * @param ttftNanos from its submit to its first token
 * @param decodeNanos from its first token to its last
 */
public record JobTiming(int promptTokens, int generatedTokens, long ttftNanos, long decodeNanos) {

    /** Tokens after the first over the time after the first; 0 for a job of fewer than two tokens. */
    public double decodeTokensPerSecond() {
        return generatedTokens > 1 && decodeNanos > 0 ? (generatedTokens - 1) / (decodeNanos / 1e9) : 0;
    }
}
