package io.gridshare.client;

import java.math.BigInteger;

/**
 * Receives a job's progress on the client's transport thread. The client asks the gateway for the
 * next message only after a callback returns, so a slow listener slows the stream down (back-
 * pressure) rather than buffering without bound.
 */
@FunctionalInterface
public interface TokenListener {

    /** Tokens, in order, each index exactly once. */
    void onTokens(TokenChunk chunk);

    /** The gateway accepted the job. */
    default void onAccepted(JobAccepted accepted) {
    }

    /** A voucher for {@code cumulativeAmount} on the job's channel was signed and sent. */
    default void onVoucherSent(BigInteger cumulativeAmount) {
    }

    /** Ignores everything. */
    static TokenListener ignoring() {
        return chunk -> { };
    }
}
