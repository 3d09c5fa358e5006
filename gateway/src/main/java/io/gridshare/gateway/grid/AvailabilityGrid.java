package io.gridshare.gateway.grid;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/**
 * The availability grid: live nodes, their models, free slots and prices, shared by all gateway members.
 *
 * <p>A node's entry lives while heartbeats refresh it ({@link #nodeExpiry()}); the member holding the
 * node's link {@linkplain #publish publishes} it and forwards its heartbeats. Slots are handed out by
 * {@link #reserve}: an atomic check-and-decrement on the member that owns the entry's partition, so two
 * members never hand out the same slot.
 */
public interface AvailabilityGrid extends AutoCloseable {

    /** The UUID of this gateway's member: the owner to write into entries of nodes linked here. */
    UUID localMember();

    /** How long a node entry lives without a heartbeat. */
    Duration nodeExpiry();

    /**
     * Puts a node into the grid (on Hello, and again on a reconnect), refreshing its expiry. Reservations
     * an earlier entry of the same node holds are kept: their jobs release them when they end.
     */
    void publish(NodeEntry node);

    /**
     * Records a heartbeat and refreshes the node's expiry.
     *
     * @return false when the node is not in the grid (it expired, or its owner left): publish it again
     */
    boolean heartbeat(String nodeId, NodeHeartbeat heartbeat);

    /** {@link #heartbeat} without blocking the caller. */
    CompletionStage<Boolean> heartbeatAsync(String nodeId, NodeHeartbeat heartbeat);

    /**
     * Removes a node whose link closed, if its link is held by this member (a node that has already
     * reconnected to another member keeps its new entry).
     *
     * @return true when an entry was removed
     */
    boolean remove(String nodeId);

    /** The node's current entry. */
    Optional<NodeEntry> node(String nodeId);

    /** The member holding the node's link, if the node is live. */
    default Optional<UUID> ownerOf(String nodeId) {
        return node(nodeId).map(NodeEntry::ownerMember);
    }

    /** Live nodes that have the model, a free slot, and a price within the query's maximum. */
    List<NodeEntry> candidates(ModelQuery query);

    /** Models offered now, with free slots and lowest prices. */
    List<ModelAvailability> models();

    /** Number of live nodes. */
    int size();

    /**
     * Reserves one slot of a node for a job. Idempotent per job: reserving again for the same job returns
     * the same reservation without taking a second slot.
     *
     * @return empty when the node has no free slot or is not in the grid
     */
    Optional<SlotReservation> reserve(String nodeId, String jobId, ModelQuery query);

    /**
     * Frees a reservation's slot. Idempotent: releasing a job twice frees one slot.
     *
     * @return true when this call freed the slot
     */
    boolean release(SlotReservation reservation);

    /** Registers a listener told (on this member) when any node expires or is removed. */
    UUID addNodeGoneListener(NodeGoneListener listener);

    void removeNodeGoneListener(UUID registration);

    /** Stops listening to the cluster; does not shut the Hazelcast member down. */
    @Override
    void close();
}
