package io.gridshare.node.engine;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What the step loop of one engine did: steps, rows and jobs per step (a histogram of the batch
 * size), time in the forward pass, and time from submission to first token. Read by the node's
 * metrics; cheap enough to update on every step.
 */
public final class StepStats {

    /** Upper bounds of the batch-size histogram's buckets (jobs per step); the last is open. */
    public static final int[] BATCH_BUCKETS = {1, 2, 4, 8, 16, 32, 64, 128};

    private final AtomicLong steps = new AtomicLong();
    private final AtomicLong rows = new AtomicLong();
    private final AtomicLong jobs = new AtomicLong();
    private final AtomicLong forwardNanos = new AtomicLong();
    private final AtomicLongArray jobsPerStep = new AtomicLongArray(BATCH_BUCKETS.length + 1);
    private final AtomicLong firstTokens = new AtomicLong();
    private final AtomicLong firstTokenNanos = new AtomicLong();

    void step(int rowCount, int jobCount, long nanos) {
        steps.incrementAndGet();
        rows.addAndGet(rowCount);
        jobs.addAndGet(jobCount);
        forwardNanos.addAndGet(nanos);
        int b = 0;
        while (b < BATCH_BUCKETS.length && jobCount > BATCH_BUCKETS[b]) {
            b++;
        }
        jobsPerStep.incrementAndGet(b);
    }

    void firstToken(long nanosSinceSubmit) {
        firstTokens.incrementAndGet();
        firstTokenNanos.addAndGet(nanosSinceSubmit);
    }

    public long steps() {
        return steps.get();
    }

    public long rows() {
        return rows.get();
    }

    /** Sum over steps of the jobs in each step. */
    public long jobs() {
        return jobs.get();
    }

    public long forwardNanos() {
        return forwardNanos.get();
    }

    /** Steps whose job count fell in bucket {@code i} of {@link #BATCH_BUCKETS} (the last: above all bounds). */
    public long stepsInBucket(int i) {
        return jobsPerStep.get(i);
    }

    public long firstTokens() {
        return firstTokens.get();
    }

    /** Sum over jobs of the time from submission to their first token. */
    public long firstTokenNanos() {
        return firstTokenNanos.get();
    }
}
