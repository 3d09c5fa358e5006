package io.gridshare.node.engine.cpu;

import io.gridshare.node.engine.EngineConfig;
import io.gridshare.node.engine.KvCacheStatus;
import io.gridshare.node.model.LlamaConfig;

/**
 * The CPU backend's KV cache: a fixed number of blocks, allocated up front, each holding
 * {@link #BLOCK} positions of one job for every layer, laid out {@code [layer][K or V][kvDim][BLOCK]}
 * so that the keys of one head dimension over a block's positions are one vector of 16 floats. The
 * blocks live in float arrays of at most {@code maxArrayFloats} each (Java's array limit), a whole
 * number of blocks per array. Taking and returning blocks is thread-safe; the data is not guarded,
 * since a block belongs to one slot between {@link #take()} and {@link #release}.
 */
final class KvBlockPool {

    /** Positions per block. */
    static final int BLOCK = KvCacheStatus.CPU_BLOCK_POSITIONS;
    /** The largest float array the JVM reliably allocates. */
    static final int MAX_ARRAY_FLOATS = Integer.MAX_VALUE - 16;

    private final int blockFloats;
    private final int blocksPerArray;
    private final float[][] arrays;
    private final int total;
    private final int[] free;
    private int freeCount;

    /**
     * @param blocks blocks in the pool
     * @param blockFloats floats per block: {@code layers * 2 * kvDim * BLOCK}
     * @param maxArrayFloats the most floats one backing array holds (at least one block)
     */
    KvBlockPool(int blocks, int blockFloats, int maxArrayFloats) {
        if (blocks < 0 || blockFloats < 1 || maxArrayFloats < blockFloats) {
            throw new IllegalArgumentException("a KV pool of " + blocks + " blocks of " + blockFloats
                    + " floats in arrays of at most " + maxArrayFloats + " floats cannot be built");
        }
        this.blockFloats = blockFloats;
        this.blocksPerArray = maxArrayFloats / blockFloats;
        this.total = blocks;
        int arrayCount = (blocks + blocksPerArray - 1) / blocksPerArray;
        this.arrays = new float[arrayCount][];
        for (int a = 0; a < arrayCount; a++) {
            int inArray = Math.min(blocksPerArray, blocks - a * blocksPerArray);
            arrays[a] = new float[inArray * blockFloats];
        }
        this.free = new int[blocks];
        // handed out lowest id first, so a lightly used pool touches few arrays
        for (int i = 0; i < blocks; i++) {
            free[i] = blocks - 1 - i;
        }
        this.freeCount = blocks;
    }

    /**
     * The pool of a model, allocated now so that admission counts blocks that exist:
     * {@code kvCacheBytes}, or by default the heap's headroom, capped at what {@code slots} jobs at
     * the whole context need.
     *
     * @param headroom heap free beyond the reserve and the slots' activations
     * @throws IllegalArgumentException when the configured size holds no block or exceeds the headroom
     * @throws IllegalStateException when the heap cannot hold the pool after all
     */
    static KvBlockPool forModel(LlamaConfig c, EngineConfig config, long headroom, int maxArrayFloats) {
        int blockFloats = c.layers() * 2 * c.kvDim() * BLOCK;
        long perBlock = bytesPerBlock(blockFloats);
        // logits and sampler of each slot live on the heap too
        headroom = Math.max(0, headroom - config.slots() * (16L * c.vocabSize() + 64));
        long cap = config.slots() * (long) ((c.seqLen() + BLOCK - 1) / BLOCK);
        long blocks;
        if (config.kvCacheBytes() > 0) {
            blocks = Math.min(cap, config.kvCacheBytes() / perBlock);
            if (blocks == 0) {
                throw new IllegalArgumentException("a KV cache of " + config.kvCacheBytes() + " bytes ("
                        + EngineConfig.KV_CACHE_BYTES_ENV + ") holds no block of " + perBlock + " bytes (" + BLOCK
                        + " positions of " + c.layers() + " layers); set at least " + perBlock);
            }
            if (blocks * perBlock > headroom) {
                throw new IllegalArgumentException("a KV cache of " + blocks * perBlock + " bytes ("
                        + EngineConfig.KV_CACHE_BYTES_ENV + "=" + config.kvCacheBytes() + ") does not fit the "
                        + headroom + " bytes the heap has free beyond the reserve; raise -Xmx or lower it");
            }
        } else {
            blocks = Math.min(cap, headroom / perBlock);
        }
        try {
            return new KvBlockPool((int) Math.min(Integer.MAX_VALUE - 8, blocks), blockFloats, maxArrayFloats);
        } catch (OutOfMemoryError e) {
            throw new IllegalStateException("the heap cannot hold a KV cache of " + blocks + " blocks ("
                    + blocks * perBlock + " bytes); raise -Xmx or set " + EngineConfig.KV_CACHE_BYTES_ENV + " lower", e);
        }
    }

    /** Bytes of one block. */
    static long bytesPerBlock(int blockFloats) {
        return 4L * blockFloats;
    }

    int blockFloats() {
        return blockFloats;
    }

    int totalBlocks() {
        return total;
    }

    /** Number of backing arrays. */
    int arrays() {
        return arrays.length;
    }

    synchronized int usedBlocks() {
        return total - freeCount;
    }

    /** A free block's id, or -1 when every block is held. */
    synchronized int take() {
        return freeCount == 0 ? -1 : free[--freeCount];
    }

    /** Returns {@code count} blocks, {@code ids[0, count)}, to the pool. */
    synchronized void release(int[] ids, int count) {
        if (freeCount + count > total) {
            throw new IllegalStateException("KV blocks returned twice: " + (freeCount + count) + " free of " + total);
        }
        System.arraycopy(ids, 0, free, freeCount, count);
        freeCount += count;
    }

    /** The array holding block {@code id}. */
    float[] array(int id) {
        return arrays[id / blocksPerArray];
    }

    /** Where block {@code id} starts in its {@link #array}. */
    int offset(int id) {
        return (id % blocksPerArray) * blockFloats;
    }
}
