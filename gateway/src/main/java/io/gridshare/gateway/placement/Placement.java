package io.gridshare.gateway.placement;

import java.math.BigInteger;
import java.util.List;
import java.util.Set;

/**
 * The job services' one view of the availability grid: publish linked nodes, pick and reserve a slot,
 * release it. Everything the gateway's services need from the grid goes through here, so the grid's
 * implementation (one member in memory, or the Hazelcast IMap) is swapped in one place.
 */
public interface Placement {

    /** Publishes (or replaces) a node linked to this member. */
    void publish(NodeEntry entry);

    /** Refreshes a node's entry from a heartbeat; keeps it from expiring. */
    void refresh(String nodeId, int freeSlots, float load, float tokensPerSecond);

    /** Removes a node (link closed or expired). */
    void remove(String nodeId);

    /**
     * Picks the best node that serves {@code model} (name or hash) at no more than
     * {@code maxPricePerToken} (null: any price), skipping {@code excluded}, and reserves one of its
     * slots atomically: no two callers, on any member, get the same slot.
     */
    Selection reserve(String model, BigInteger maxPricePerToken, Set<String> excluded);

    /** Gives back a slot that {@link #reserve} handed out. */
    void release(String nodeId);

    /** Models served now, aggregated over all nodes. */
    List<ModelSummary> models();

    /** The member id of this gateway member, as used in {@link NodeEntry#ownerMember()}. */
    String localMember();

    /** A model aggregated over the grid. */
    record ModelSummary(String name, String modelHash, int freeSlots, int totalSlots, int nodes,
                        BigInteger minPricePerToken, int contextLength) {}

    /** What {@link #reserve} found. */
    sealed interface Selection {
        /** A slot on {@code node} is now held for the caller; release it when the job ends. */
        record Reserved(NodeEntry node, NodeEntry.Model model) implements Selection {}

        /** No linked node serves the model. */
        record UnknownModel() implements Selection {}

        /** Nodes serve the model, but all above the tenant's maximum price. */
        record PriceTooHigh(BigInteger cheapest) implements Selection {}

        /** Nodes serve the model within the price, but none has a free slot now. */
        record NoFreeSlot() implements Selection {}
    }
}
