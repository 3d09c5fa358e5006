package io.gridshare.gateway.link;

import io.gridshare.gateway.job.NodeChannel;
import io.gridshare.gateway.job.NodeChannels;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The way from the gateway's node payer to a node's link wherever it is: the link on this member
 * first, else the member the grid names (through the cluster); and the news that a node linked, here
 * or on another member, so that a voucher it missed goes out again.
 *
 * <p>A function because that is what {@code JobMeter.useLinks} carries; a payer that can re-send
 * registers with {@link #onLinked}.
 */
public final class NodeLinks implements Function<String, Optional<NodeChannel>> {

    private final LinkRegistry local;
    private final NodeChannels cluster;

    /**
     * @param local   this member's links
     * @param cluster the other members' links ({@code GatewayServices.STANDALONE}'s: none)
     */
    public NodeLinks(LinkRegistry local, NodeChannels cluster) {
        this.local = local;
        this.cluster = cluster;
    }

    /** The channel to the node's link: this member's, else another member's; empty when linked nowhere. */
    @Override
    public Optional<NodeChannel> apply(String nodeId) {
        String id = nodeId.toLowerCase(Locale.ROOT);
        return local.local(id).or(() -> cluster.linkedElsewhere(id));
    }

    /** Calls {@code listener} with the node id each time a node links to any gateway member. */
    public void onLinked(Consumer<String> listener) {
        local.onLinked(listener);
        cluster.whenLinkedElsewhere(listener);
    }
}
