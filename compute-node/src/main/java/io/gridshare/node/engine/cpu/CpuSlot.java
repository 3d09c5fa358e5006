package io.gridshare.node.engine.cpu;

import io.gridshare.node.engine.BackendSlot;
import io.gridshare.node.model.LlamaConfig;

/**
 * Heap state of one slot: the activations of one token and the block table of its job's KV cache,
 * the blocks of the backend's {@link KvBlockPool} that its positions reached, in position order.
 * Used by one thread at a time.
 */
final class CpuSlot implements BackendSlot {

    final float[] x, xb, xb2, hb, hb2, q, k, v, att;
    /** Per-dimension vector accumulators of the attention's weighted sum. */
    final float[] acc;
    private final KvBlockPool pool;
    /** Block {@code b} (positions {@code [16b, 16b + 16)}) lives at {@code blockArray[b][blockOffset[b]]}. */
    final float[][] blockArray;
    final int[] blockOffset;
    private final int[] blockId;
    private int held;

    CpuSlot(LlamaConfig c, KvBlockPool pool) {
        x = new float[c.dim()];
        xb = new float[c.dim()];
        xb2 = new float[c.dim()];
        hb = new float[c.hiddenDim()];
        hb2 = new float[c.hiddenDim()];
        q = new float[c.dim()];
        k = new float[c.kvDim()];
        v = new float[c.kvDim()];
        att = new float[c.heads() * c.seqLen()];
        acc = new float[c.headSize() * VectorKernels.lanes()];
        this.pool = pool;
        int blocks = (c.seqLen() + KvBlockPool.BLOCK - 1) / KvBlockPool.BLOCK;
        blockArray = new float[blocks][];
        blockOffset = new int[blocks];
        blockId = new int[blocks];
    }

    /** Heap one slot takes besides its KV blocks. */
    static long bytes(LlamaConfig c) {
        int blocks = (c.seqLen() + KvBlockPool.BLOCK - 1) / KvBlockPool.BLOCK;
        long floats = 5L * c.dim() + 2L * c.hiddenDim() + 2L * c.kvDim() + (long) c.heads() * c.seqLen()
                + (long) c.headSize() * VectorKernels.lanes();
        long refsAndInts = 8L * blocks + 4L * blocks * 2;
        return 4 * floats + refsAndInts + 16 * 14; // plus array headers
    }

    /**
     * Makes sure the block holding {@code pos} is held, taking blocks from the pool as the job's
     * positions cross into them.
     *
     * @throws IllegalStateException when the pool is empty: the engine admitted more than the pool
     *     holds, or the slot is driven without the engine's admission
     */
    void reach(int pos) {
        int needed = pos / KvBlockPool.BLOCK + 1;
        while (held < needed) {
            int id = pool.take();
            if (id < 0) {
                throw new IllegalStateException("the KV cache pool's " + pool.totalBlocks() + " blocks are all held;"
                        + " position " + pos + " has no block (admit jobs by their worst-case blocks, or raise "
                        + "GRIDSHARE_NODE_KV_CACHE_BYTES)");
            }
            blockId[held] = id;
            blockArray[held] = pool.array(id);
            blockOffset[held] = pool.offset(id);
            held++;
        }
    }

    /** Blocks this slot holds now. */
    int heldBlocks() {
        return held;
    }

    @Override
    public void endJob() {
        pool.release(blockId, held);
        for (int b = 0; b < held; b++) {
            blockArray[b] = null;
        }
        held = 0;
    }

    @Override
    public void close() {
        endJob();
    }
}
