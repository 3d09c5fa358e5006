package io.gridshare.node.engine;

/**
 * The engine's admission queue: jobs waiting for KV blocks or a slot, and how long admitted jobs
 * waited.
 *
 * @param queued jobs waiting now
 * @param bound the most jobs that may wait; more are refused
 * @param admitted jobs admitted so far (those that never waited included)
 * @param waitNanos total time from submission to admission over the admitted jobs
 */
public record QueueStatus(int queued, int bound, long admitted, long waitNanos) {

    /** An engine without a queue. */
    public static final QueueStatus NONE = new QueueStatus(0, 0, 0, 0);
}
