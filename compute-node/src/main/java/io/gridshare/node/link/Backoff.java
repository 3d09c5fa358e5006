package io.gridshare.node.link;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential reconnect backoff with jitter: attempt n waits a random time in
 * [d/2, d] where d = min(max, initial × 2^n), so many nodes that lost the same gateway do not
 * dial back in lockstep. Not thread-safe; one per link.
 */
final class Backoff {

    private final Duration initial;
    private final Duration max;
    private int attempt;

    Backoff(Duration initial, Duration max) {
        this.initial = initial;
        this.max = max;
    }

    /** The delay before the next attempt; each call doubles the ceiling until {@code max}. */
    Duration next() {
        long ceiling = ceilingMillis(attempt);
        if (attempt < 62) {
            attempt++;
        }
        long floor = ceiling / 2;
        return Duration.ofMillis(floor + ThreadLocalRandom.current().nextLong(ceiling - floor + 1));
    }

    /** After a successful handshake: the next drop starts from the initial delay again. */
    void reset() {
        attempt = 0;
    }

    long ceilingMillis(int n) {
        long base = Math.max(1, initial.toMillis());
        long maxMillis = max.toMillis();
        if (n >= 62 || base > (maxMillis >> Math.min(n, 62))) {
            return maxMillis;
        }
        return Math.min(maxMillis, base << n);
    }
}
