package io.gridshare.gateway.job;

import io.gridshare.gateway.placement.Placement;
import java.util.Optional;

/** Finds the channel to a node's link: a local session, or a relay to the member that owns the link. */
@FunctionalInterface
public interface NodeChannels {

    /** Empty when no link to the node is reachable now (it left, or its member did). */
    Optional<NodeChannel> channelTo(Placement.Selection.Reserved node);
}
