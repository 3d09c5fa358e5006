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

    /** Slots in total and free now, and the memory one slot needs. */
    SlotStatus slots();

    /**
     * Starts a job in a free slot.
     *
     * @throws JobRefusedException when the request cannot run here: no free slot, prompt plus
     *     {@code maxTokens} beyond the context length, a slot that would not fit in memory, or
     *     invalid sampling parameters. The message says which and what to do.
     */
    Job submit(JobRequest request, TokenSink sink) throws JobRefusedException;

    /** Cancels running jobs and frees every resource (device memory included). */
    @Override
    void close();
}
