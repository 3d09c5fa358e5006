package io.gridshare.node.engine;

/**
 * One slot's state on a {@link ForwardBackend}: its activation buffers and its part of the KV
 * cache (its own whole-context cache, or the blocks of the backend's pool its positions reached).
 * Owned by the engine, used by one thread at a time.
 */
public interface BackendSlot extends AutoCloseable {

    /**
     * The slot's job has ended: give back what the job held by position (a paged backend returns
     * the job's KV blocks to its pool now). The slot stays usable; its next job starts at position 0.
     */
    default void endJob() {}

    /** Frees the slot's memory (device memory for CUDA). Idempotent. */
    @Override
    void close();
}
