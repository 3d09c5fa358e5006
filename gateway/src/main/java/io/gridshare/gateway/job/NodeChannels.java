package io.gridshare.gateway.job;

import io.gridshare.gateway.placement.Placement;
import java.util.Optional;
import java.util.function.Consumer;

/** Finds the channel to a node's link: a local session, or a relay to the member that owns the link. */
@FunctionalInterface
public interface NodeChannels {

    /** Empty when no link to the node is reachable now (it left, or its member did). */
    Optional<NodeChannel> channelTo(Placement.Selection.Reserved node);

    /**
     * The way to {@code nodeId}'s link on another gateway member for what belongs to no job (the
     * gateway's vouchers to the node, which only {@link NodeChannel#pay} carries). Empty when the grid
     * knows no other member holding the node's link, or this gateway runs alone.
     */
    default Optional<NodeChannel> linkedElsewhere(String nodeId) {
        return Optional.empty();
    }

    /**
     * Calls {@code listener} with the node id whenever a node links to another gateway member (so that
     * what this member owes it can go out again). A gateway that runs alone never calls it.
     */
    default void whenLinkedElsewhere(Consumer<String> listener) {
    }
}
