package io.gridshare.chain.events;

import org.web3j.protocol.core.methods.response.Log;

/**
 * Receives logs from a {@link LogWatcher}, in chain order. Delivery is at least once: after a
 * reorg, or a crash before the cursor was saved, a log may come again; {@link LogWatcher#key}
 * identifies a log within its block for idempotent handling.
 */
public interface LogListener {
    void onLog(Log log);

    /** Blocks from {@code fromBlock} on were replaced: undo what their logs did; they are re-delivered. */
    default void onReorg(long fromBlock) {
    }
}
