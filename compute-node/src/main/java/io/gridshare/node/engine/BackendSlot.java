package io.gridshare.node.engine;

/**
 * One slot's state on a {@link ForwardBackend}: its KV cache and activation buffers. Owned by
 * the engine, used by one thread at a time.
 */
public interface BackendSlot extends AutoCloseable {

    /** Frees the slot's memory (device memory for CUDA). Idempotent. */
    @Override
    void close();
}
