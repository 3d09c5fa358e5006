package io.gridshare.gateway.grid;

/**
 * What a node reports on each heartbeat.
 *
 * @param freeSlots       slots the node itself considers free
 * @param activeJobs      jobs the node is running (lets the grid tell which reservations the node has
 *                        not seen yet, see {@link NodeEntry#effectiveFreeSlots})
 * @param load            fraction of slots in use, 0..1
 * @param freeVramBytes   free device memory over all GPUs
 * @param tokensPerSecond recent engine speed
 */
public record NodeHeartbeat(int freeSlots, int activeJobs, float load, long freeVramBytes, float tokensPerSecond) {
    public NodeHeartbeat {
        if (freeSlots < 0 || activeJobs < 0) {
            throw new IllegalArgumentException(
                    "freeSlots and activeJobs must be >= 0, were " + freeSlots + " and " + activeJobs);
        }
        load = Float.isFinite(load) ? Math.max(0f, Math.min(1f, load)) : 0f;
        tokensPerSecond = Float.isFinite(tokensPerSecond) ? Math.max(0f, tokensPerSecond) : 0f;
    }
}
