package io.gridshare.node.engine;

/**
 * A backend's KV cache counted in blocks: each block holds the keys and values of
 * {@code blockPositions} consecutive positions of one job, for every layer. A job holds the blocks
 * its positions reach, so a short job costs little; a backend whose slots each keep a whole
 * context (CUDA) counts one block per slot, with {@code blockPositions} the whole context.
 *
 * @param blockPositions positions one block holds
 * @param totalBlocks blocks the backend has for all jobs together
 * @param usedBlocks blocks held by jobs now
 * @param bytesPerBlock memory of one block
 */
public record KvCacheStatus(int blockPositions, int totalBlocks, int usedBlocks, long bytesPerBlock) {

    /** Positions per block of the CPU backend's paged cache: one AVX-512 vector of floats. */
    public static final int CPU_BLOCK_POSITIONS = 16;

    public KvCacheStatus {
        if (blockPositions < 1 || totalBlocks < 0 || usedBlocks < 0 || usedBlocks > totalBlocks || bytesPerBlock < 0) {
            throw new IllegalArgumentException("inconsistent KV cache status: " + blockPositions + " positions per block, "
                    + usedBlocks + " of " + totalBlocks + " blocks used, " + bytesPerBlock + " bytes per block");
        }
    }

    /** Blocks not held by any job. */
    public int freeBlocks() {
        return totalBlocks - usedBlocks;
    }

    /** Blocks a job reaching {@code positions} positions holds. */
    public int blocksFor(long positions) {
        return (int) ((positions + blockPositions - 1) / blockPositions);
    }
}
