package io.gridshare.node.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Which jobs of an engine may run: a job starts when a slot is free and the KV blocks of its worst
 * case (prompt plus {@code maxTokens} positions) fit beside the worst cases of the running jobs, so
 * a running job always finds a block for its next position. Jobs that do not fit now wait in FIFO
 * order, up to a bound; a waiting job is never overtaken, so a long job is not starved by short
 * ones. Not thread-safe: the engine calls it under its lock.
 */
final class Admission {

    private final String model;
    private final int maxJobs;
    private final int totalBlocks;
    private final int bound;
    private final ArrayDeque<ActiveJob> queue = new ArrayDeque<>();
    private int running;
    private int reserved;
    private long admitted;
    private long waitNanos;

    Admission(String model, int maxJobs, int totalBlocks, int bound) {
        this.model = model;
        this.maxJobs = maxJobs;
        this.totalBlocks = totalBlocks;
        this.bound = bound;
    }

    /**
     * The KV blocks of a job's worst case, prompt plus {@code maxTokens} positions.
     *
     * @throws JobRefusedException when they exceed the whole cache ({@code CONTEXT_TOO_LONG}, naming
     *     the sizes), or the cache has no block at all ({@code OUT_OF_MEMORY}: the node, not the job,
     *     is at fault, so another node may run it)
     */
    static int worstCaseBlocks(KvCacheStatus kv, String jobId, int promptTokens, int maxTokens, String model)
            throws JobRefusedException {
        long positions = (long) promptTokens + maxTokens;
        int blocks = kv.blocksFor(positions);
        if (kv.totalBlocks() == 0) {
            throw new JobRefusedException(JobRefusedException.Reason.OUT_OF_MEMORY, "job " + jobId + ": model " + model
                    + " has no KV cache on this node (0 blocks: the heap had no room beyond the reserve); raise -Xmx or "
                    + EngineConfig.KV_CACHE_BYTES_ENV + ", or use another node");
        }
        if (blocks > kv.totalBlocks()) {
            throw new JobRefusedException(JobRefusedException.Reason.CONTEXT_TOO_LONG, "job " + jobId + ": prompt of "
                    + promptTokens + " tokens plus maxTokens " + maxTokens + " needs " + positions + " positions = "
                    + blocks + " KV blocks of " + kv.blockPositions() + ", but the KV cache of model " + model
                    + " on this node holds " + kv.totalBlocks() + " blocks (" + (long) kv.totalBlocks() * kv.blockPositions()
                    + " positions) in all; shorten the prompt, lower maxTokens or use a node with a larger "
                    + EngineConfig.KV_CACHE_BYTES_ENV);
        }
        return blocks;
    }

    /** Whether {@code job} may start at once: nothing waits ahead of it and it fits. */
    boolean fitsNow(ActiveJob job) {
        return queue.isEmpty() && fits(job);
    }

    private boolean fits(ActiveJob job) {
        return running < maxJobs && reserved + job.blocks <= totalBlocks;
    }

    /** Counts {@code job} as running and its worst case as reserved. */
    void start(ActiveJob job) {
        running++;
        reserved += job.blocks;
        admitted++;
        waitNanos += System.nanoTime() - job.submittedNanos;
    }

    /** Puts {@code job} at the end of the queue, or refuses it when the queue is full. */
    void enqueue(ActiveJob job) throws JobRefusedException {
        if (queue.size() >= bound) {
            throw new JobRefusedException(JobRefusedException.Reason.NO_FREE_SLOT, "job " + job.id() + ": model " + model
                    + " runs " + running + " job(s) holding " + reserved + " of " + totalBlocks + " KV blocks and "
                    + queue.size() + " more wait (the queue holds " + bound + "); retry later or on another node");
        }
        queue.add(job);
    }

    /** A started job has ended: its slot and reservation are free. */
    void finished(ActiveJob job) {
        running--;
        reserved -= job.blocks;
    }

    /** Takes the queued jobs that fit now, in order, stopping at the first that does not. */
    List<ActiveJob> admitWaiting() {
        List<ActiveJob> started = new ArrayList<>();
        while (!queue.isEmpty() && fits(queue.peek())) {
            ActiveJob job = queue.poll();
            start(job);
            started.add(job);
        }
        return started;
    }

    /** Removes a waiting job (cancelled); false when it is not waiting. */
    boolean removeWaiting(ActiveJob job) {
        return queue.remove(job);
    }

    /** Empties the queue (the engine closes). */
    List<ActiveJob> drain() {
        List<ActiveJob> all = new ArrayList<>(queue);
        queue.clear();
        return all;
    }

    int running() {
        return running;
    }

    int reserved() {
        return reserved;
    }

    int queued() {
        return queue.size();
    }

    QueueStatus status() {
        return new QueueStatus(queue.size(), bound, admitted, waitNanos);
    }
}
