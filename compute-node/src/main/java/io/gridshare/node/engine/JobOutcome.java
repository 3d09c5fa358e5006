package io.gridshare.node.engine;

/**
 * How a job ended.
 *
 * @param reason why it stopped
 * @param promptTokens prompt length in tokens (BOS included)
 * @param generatedTokens tokens in the output, emitted tokens of a resumed job included
 * @param error the failure when {@code reason} is {@link FinishReason#ERROR}, else null
 */
public record JobOutcome(FinishReason reason, int promptTokens, int generatedTokens, Throwable error) {}
