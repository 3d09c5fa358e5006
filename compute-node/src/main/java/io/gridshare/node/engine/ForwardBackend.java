package io.gridshare.node.engine;

import io.gridshare.node.model.LlamaConfig;

/**
 * The seam between the engine (tokenizer, sampling, slots, jobs) and the hardware that runs the
 * Llama-2 forward pass: one instance per loaded model on one backend (CPU, CUDA).
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>Lifetime.</b> Created by a {@link ForwardBackendFactory} for one
 *       {@link io.gridshare.node.model.LlamaCheckpoint}; the weights are prepared (mapped, or
 *       uploaded to a device) exactly once, in the factory. {@link #close()} frees every
 *       resource the backend holds, device memory included, after the engine has closed all
 *       slots. The checkpoint stays open (mapped) for the backend's whole lifetime.</li>
 *   <li><b>Slots.</b> {@link #allocateSlot()} returns the per-job state: the activation buffers
 *       and access to the KV cache for up to {@code config().seqLen()} positions. It needs at most
 *       {@link #bytesPerSlot()} bytes of the backend's memory (device memory for CUDA, heap and
 *       native memory for CPU); the engine checks {@link #freeSlotMemoryBytes()} first and
 *       refuses jobs that do not fit, so a backend never has to fail with an
 *       {@link OutOfMemoryError}. A slot is reused for many jobs without being cleared: position
 *       {@code p} of the KV cache is always written by {@code forward(slot, token, p, ...)} before
 *       any later position reads it; {@link BackendSlot#endJob()} marks the end of each job.</li>
 *   <li><b>KV blocks.</b> {@link #kvCache()} counts the cache in blocks. The CPU backend keeps one
 *       pool of blocks of {@link KvCacheStatus#CPU_BLOCK_POSITIONS} positions, allocated up front;
 *       a slot takes a block when {@code forward} first writes a position in it and returns all
 *       its blocks at {@link BackendSlot#endJob()}. The engine admits a job only when the blocks
 *       of its worst case (prompt plus {@code maxTokens}) fit beside the worst cases of the jobs
 *       it already runs, so taking a block never fails. CUDA keeps a whole-context cache per slot
 *       and counts one block per slot.</li>
 *   <li><b>Forward.</b> {@link #forward} runs one token at one position through the model,
 *       writes that position's keys and values into the slot's cache, and writes
 *       {@code config().vocabSize()} logits into the caller's array. Positions of one slot are
 *       fed in order 0, 1, 2, ... (a new job starts again at 0). The result must match llama2.c's
 *       {@code run.c} {@code forward()}: RMSNorm (eps 1e-5), RoPE with theta 10000 on
 *       pairs within each head, grouped-query causal attention, SwiGLU, final RMSNorm,
 *       classifier.</li>
 *   <li><b>Threads.</b> {@code forward} is called concurrently from several engine threads,
 *       each with a different slot; one slot is never used by two threads at once. A backend
 *       that cannot run passes concurrently serialises them internally. {@code forward} must not
 *       allocate per call on the hot path.</li>
 *   <li><b>Errors.</b> A failure inside {@code forward} (e.g. a CUDA error) is thrown as an
 *       unchecked exception; the engine ends that job with
 *       {@link FinishReason#ERROR} and keeps serving others.</li>
 * </ul>
 */
public interface ForwardBackend extends AutoCloseable {

    /** Backend name ("cpu", "cuda"), the devices it runs on and a human-readable detail line. */
    BackendInfo info();

    /** The model shape this backend was built for. */
    LlamaConfig config();

    /**
     * Memory {@link #allocateSlot()} takes on this backend, computed up front: the activations, and
     * the KV cache when slots hold their own (CUDA); a paged backend's blocks are in its pool.
     */
    long bytesPerSlot();

    /**
     * Memory a job of {@code positions} positions occupies here: its slot and the KV blocks its
     * positions reach.
     */
    default long bytesPerJob(int positions) {
        KvCacheStatus kv = kvCache();
        return bytesPerSlot() + (kv.blockPositions() >= config().seqLen() ? 0 : kv.blocksFor(positions) * kv.bytesPerBlock());
    }

    /** The KV cache in blocks: positions per block, blocks in all and held now, bytes per block. */
    KvCacheStatus kvCache();

    /**
     * Memory this backend can still hand to new slots now (free device memory for CUDA, the
     * heap headroom for CPU). The engine allocates a slot only when {@link #bytesPerSlot()} fits.
     */
    long freeSlotMemoryBytes();

    /**
     * Allocates one slot's state.
     *
     * @throws SlotAllocationException when the memory cannot be obtained after all
     */
    BackendSlot allocateSlot() throws SlotAllocationException;

    /**
     * Runs {@code token} at position {@code pos} for the job in {@code slot}.
     *
     * @param slot a slot from this backend's {@link #allocateSlot()}
     * @param token vocabulary id in {@code [0, vocabSize)}
     * @param pos position in {@code [0, seqLen)}; previous positions of this slot were fed before
     * @param logits receives {@code vocabSize} logits, at index 0
     */
    void forward(BackendSlot slot, int token, int pos, float[] logits);

    /**
     * Runs every row of one step (see {@link StepBatch}). A backend that batches reads each weight
     * once for all rows; the logits of a row must be exactly those {@link #forward} gives for the
     * same slot, token and position, whatever else is in the batch, so a job's tokens do not
     * depend on the jobs it shares steps with. The default runs the rows one by one.
     */
    default void forwardBatch(StepBatch batch) {
        float[] scratch = null;
        for (int i = 0; i < batch.count(); i++) {
            float[] out = batch.logits(i);
            if (out == null) {
                if (scratch == null) {
                    scratch = new float[config().vocabSize()];
                }
                out = scratch;
            }
            forward(batch.slot(i), batch.token(i), batch.position(i), out);
        }
    }

    /** Frees the weights' copies and everything else this backend holds. */
    @Override
    void close();
}
