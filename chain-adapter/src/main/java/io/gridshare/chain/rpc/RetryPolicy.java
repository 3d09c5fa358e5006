package io.gridshare.chain.rpc;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with jitter for transient RPC failures (connection refused, I/O errors,
 * HTTP 5xx, rate limits). Reverts and other JSON-RPC errors are never retried.
 *
 * @param maxAttempts total attempts, at least 1
 * @param initialBackoff wait before the second attempt
 * @param maxBackoff upper bound of one wait
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
        }
    }

    /** Five attempts, 100 ms doubling up to 2 s: rides out a node restart of a few seconds. */
    public static RetryPolicy defaults() {
        return new RetryPolicy(5, Duration.ofMillis(100), Duration.ofSeconds(2));
    }

    /** One attempt, no retry: for probes and tests of failure paths. */
    public static RetryPolicy none() {
        return new RetryPolicy(1, Duration.ZERO, Duration.ZERO);
    }

    /** The wait before attempt {@code attempt + 1} (attempt counts from 1), with ±20 % jitter. */
    public Duration backoff(int attempt) {
        long base = initialBackoff.toMillis() << Math.min(attempt - 1, 20);
        long capped = Math.min(base, maxBackoff.toMillis());
        if (capped <= 0) {
            return Duration.ZERO;
        }
        long jitter = (long) (capped * 0.2 * (ThreadLocalRandom.current().nextDouble() * 2 - 1));
        return Duration.ofMillis(Math.max(0, capped + jitter));
    }
}
