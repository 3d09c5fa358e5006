package io.gridshare.node.engine;

/**
 * Runs jobs of one loaded model on one backend (CUDA or CPU). Many jobs run at once, each in its
 * own slot with its own KV cache; a scheduler (the node link) submits and cancels them.
 *
 * <p>Implementations are thread-safe. Tokens are delivered to each job's {@link TokenSink} from an
 * engine thread, in order, as they are produced.
 */
public interface InferenceEngine extends AutoCloseable {

    /** The model this engine serves: name, hashes, shape. */
    ModelDescriptor model();

    /** Which backend runs the forward pass ("cuda" or "cpu") and on what devices. */
    BackendInfo backend();

    /**
     * Slots in total, how many more jobs at the model's whole context fit now (free slots, KV blocks
     * not promised to running jobs, nobody queued), and the memory one such job needs.
     */
    SlotStatus slots();

    /** The KV cache in blocks, for metrics; by default one block per slot. */
    default KvCacheStatus kvCache() {
        SlotStatus s = slots();
        return new KvCacheStatus(Math.max(1, model().contextLength()), s.total(), s.total() - s.free(), s.bytesPerSlot());
    }

    /** Jobs waiting for KV blocks or a slot, and how long admitted jobs waited. */
    default QueueStatus queue() {
        return QueueStatus.NONE;
    }

    /** Steps and jobs per step of the engine's batching loop; null when the engine does not batch. */
    default StepStats steps() {
        return null;
    }

    /**
     * Starts a job in a free slot, or queues it until KV blocks or a slot free up.
     *
     * @throws JobRefusedException when the request cannot run here: the queue is full
     *     ({@code NO_FREE_SLOT}), prompt plus {@code maxTokens} beyond the context length or the
     *     whole KV cache ({@code CONTEXT_TOO_LONG}), a slot that would not fit in memory, or invalid
     *     sampling parameters. The message says which and what to do.
     */
    Job submit(JobRequest request, TokenSink sink) throws JobRefusedException;

    /** Cancels running jobs and frees every resource (device memory included). */
    @Override
    void close();
}
