package io.gridshare.node.engine;

import io.gridshare.node.engine.LlamaEngine.SlotContext;
import io.gridshare.node.model.LlamaConfig;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * An engine's slots: the backend slot, logits and sampler of each running job, kept for reuse when
 * the job ends. New ones are allocated only after checking that their memory fits, so a full
 * backend refuses a job instead of failing with an {@link OutOfMemoryError}. Not thread-safe: the
 * engine calls it under its lock.
 */
final class SlotContexts {

    private final ForwardBackend backend;
    private final String model;
    private final LlamaConfig shape;
    private final long hostBytes;
    private final ArrayDeque<SlotContext> idle = new ArrayDeque<>();
    private final List<SlotContext> all = new ArrayList<>();

    /** @param hostBytes heap one slot takes besides the backend's part (logits, sampler) */
    SlotContexts(ForwardBackend backend, String model, long hostBytes) {
        this.backend = backend;
        this.model = model;
        this.shape = backend.config();
        this.hostBytes = hostBytes;
    }

    /** Memory one new slot takes. */
    long allocationBytes() {
        return backend.bytesPerSlot() + hostBytes;
    }

    /**
     * Allocates {@code count} slots now, without the free-memory check (their memory was set aside
     * when the backend sized its pool).
     *
     * @throws IllegalStateException when the heap cannot hold them after all
     */
    void preallocate(int count) {
        try {
            for (int i = 0; i < count; i++) {
                SlotContext slot = newSlot();
                all.add(slot);
                idle.push(slot);
            }
        } catch (SlotAllocationException | OutOfMemoryError e) {
            closeAll();
            throw new IllegalStateException("model " + model + ": the heap cannot hold the activations of " + count
                    + " slots (" + allocationBytes() + " bytes each) beside the KV cache; raise -Xmx, lower the"
                    + " slots or " + EngineConfig.KV_CACHE_BYTES_ENV, e);
        }
    }

    /** An idle slot, or a new one when its memory fits. */
    SlotContext acquire(String jobId) throws JobRefusedException {
        SlotContext slot = idle.poll();
        if (slot != null) {
            return slot;
        }
        long free = backend.freeSlotMemoryBytes();
        if (free < allocationBytes()) {
            throw new JobRefusedException(JobRefusedException.Reason.OUT_OF_MEMORY, "job " + jobId + ": a slot of "
                    + model + " needs " + allocationBytes() + " bytes but only " + free + " are free on the "
                    + backend.info().name() + " backend; wait for a job to end or use another node");
        }
        try {
            slot = newSlot();
        } catch (SlotAllocationException e) {
            throw new JobRefusedException(JobRefusedException.Reason.OUT_OF_MEMORY, "job " + jobId + ": " + e.getMessage());
        } catch (OutOfMemoryError e) {
            throw new JobRefusedException(JobRefusedException.Reason.OUT_OF_MEMORY, "job " + jobId
                    + ": the heap cannot hold another slot of " + allocationBytes() + " bytes");
        }
        all.add(slot);
        return slot;
    }

    private SlotContext newSlot() throws SlotAllocationException {
        return new SlotContext(backend.allocateSlot(), new float[shape.vocabSize()], new Sampler(shape.vocabSize()));
    }

    /** A slot whose job ended, for the next job. */
    void giveBack(SlotContext slot) {
        idle.push(slot);
    }

    /** Frees every slot (the engine closes). */
    void closeAll() {
        all.forEach(s -> s.backendSlot().close());
        all.clear();
        idle.clear();
    }
}
