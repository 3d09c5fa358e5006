package io.gridshare.node.engine;

/**
 * @param total slots this engine was configured with
 * @param free slots not running a job now
 * @param bytesPerSlot memory one slot needs (KV cache and activations), computed up front
 */
public record SlotStatus(int total, int free, long bytesPerSlot) {}
