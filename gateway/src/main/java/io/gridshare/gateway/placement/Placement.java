package io.gridshare.gateway.placement;

import java.math.BigInteger;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * The job services' one view of the availability grid: publish linked nodes, pick and reserve a slot,
 * release it. Everything the gateway's services need from the grid goes through here, so the grid's
 * implementation (the Hazelcast grid and scheduler, or one member in memory) is swapped in one place.
 */
public interface Placement {

    /** Publishes (or replaces) a node linked to this member. */
    void publish(LinkedNode node);

    /**
     * Refreshes a node's entry from a heartbeat; keeps it from expiring. Completes with false when the
     * grid no longer has the node (it expired): publish it again.
     */
    CompletionStage<Boolean> refresh(String nodeId, int freeSlots, int activeJobs, float load, long freeVramBytes,
                                     float tokensPerSecond);

    /** Removes a node (link closed or expired). */
    void remove(String nodeId);

    /**
     * Picks the best node that serves {@code model} (name or hash) at no more than
     * {@code maxPricePerToken} (null: any price), skipping {@code excluded}, and reserves one of its
     * slots atomically for {@code jobId}: no two callers, on any member, get the same slot.
     */
    Selection reserve(String jobId, String tenantId, String model, BigInteger maxPricePerToken, Set<String> excluded);

    /** Gives back a slot that {@link #reserve} handed out. Idempotent. */
    void release(Selection.Reserved reserved);

    /** Models served now, aggregated over all nodes. */
    List<ModelSummary> models();

    /** The member id of this gateway member, as used in {@link LinkedNode#ownerMember()}. */
    String localMember();

    /**
     * A model aggregated over the grid. Slots, nodes and price are summed or minimized over the nodes
     * serving it; the rest describes the model, the same on every node that serves its hash.
     *
     * @param totalSlots slots over all nodes serving it (free or not)
     * @param architecture e.g. "llama", "qwen2"
     * @param parameters number of weights
     * @param quantization stored types of the weight matrices, e.g. "Q4_K ×96, Q6_K ×17"
     * @param chat whether the model renders chat requests with its own template
     */
    record ModelSummary(String name, String modelHash, int freeSlots, int totalSlots, int nodes,
                        BigInteger minPricePerToken, int contextLength, String architecture, long parameters,
                        String quantization, boolean chat) {}

    /** What {@link #reserve} found. */
    sealed interface Selection {
        /**
         * A slot on {@code nodeId} is now held for the job; release it when the job ends.
         *
         * @param handle the grid's own record of the reservation, handed back on release
         */
        record Reserved(String nodeId, String ownerMember, BigInteger pricePerToken, String modelHash,
                        String modelName, int contextLength, Object handle) implements Selection {}

        /** No slot was reserved; {@code message} says why and what to do. */
        record Refused(Reason reason, String message) implements Selection {}
    }

    /** Why no slot was reserved. */
    enum Reason {
        /** No linked node serves the model (NOT_FOUND). */
        UNKNOWN_MODEL,
        /** Nodes serve the model, but all above the tenant's maximum price (FAILED_PRECONDITION). */
        PRICE_TOO_HIGH,
        /** Nodes serve the model within the price, but none has a free slot now (RESOURCE_EXHAUSTED). */
        NO_FREE_SLOT,
        /** The tenant holds its fair share of scarce slots (RESOURCE_EXHAUSTED). */
        TENANT_LIMIT
    }
}
