package io.gridshare.gateway;

import io.gridshare.gateway.config.GatewaySettings;
import io.gridshare.gateway.grpc.InferenceService;
import io.gridshare.gateway.grpc.NodeLinkService;
import io.gridshare.gateway.job.JobCoordinator;
import io.gridshare.gateway.job.JobMeter;
import io.gridshare.gateway.job.NodeChannel;
import io.gridshare.gateway.job.NodeChannels;
import io.gridshare.gateway.link.LinkRegistry;
import io.gridshare.gateway.link.NodeLinks;
import io.gridshare.gateway.link.NodeStakeCheck;
import io.gridshare.gateway.observe.GatewayObserver;
import io.gridshare.gateway.placement.Placement;
import io.grpc.BindableService;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The gateway's job and link services wired together, without CDI: the CDI beans build one, and so do
 * the in-process tests.
 */
public final class GatewayServices implements AutoCloseable {

    private final GatewaySettings settings;
    private final Placement placement;
    private final LinkRegistry links;
    private final JobCoordinator jobs;
    private final InferenceService inference;
    private final NodeLinkService nodeLink;
    private final NodeChannels remote;
    private final NodeLinks nodeLinks;

    /** No other gateway members: every node is linked here. */
    public static final Function<LinkRegistry, NodeChannels> STANDALONE = links -> node -> Optional.empty();

    /**
     * @param remoteChannels builds the channels to nodes linked to other gateway members from this
     *     member's link registry; {@link #STANDALONE} for a gateway that runs alone
     */
    public GatewayServices(GatewaySettings settings, Placement placement, NodeStakeCheck stakeCheck, JobMeter meter,
                           GatewayObserver observer, Function<LinkRegistry, NodeChannels> remoteChannels) {
        this.settings = settings;
        this.placement = placement;
        this.links = new LinkRegistry(settings, placement, stakeCheck, observer);
        this.remote = remoteChannels.apply(links);
        // node vouchers go to the node's link on this member, else on the member the grid names
        this.nodeLinks = new NodeLinks(links, remote);
        meter.useLinks(nodeLinks);
        NodeChannels channels = node -> route(node, remote);
        this.jobs = new JobCoordinator(settings, placement, channels, meter, observer);
        this.inference = new InferenceService(jobs, observer, settings.feePerToken());
        this.nodeLink = new NodeLinkService(links);
    }

    private Optional<NodeChannel> route(Placement.Selection.Reserved node, NodeChannels remote) {
        return node.ownerMember().equals(placement.localMember()) ? links.local(node.nodeId())
                : remote.channelTo(node);
    }

    public GatewaySettings settings() {
        return settings;
    }

    public Placement placement() {
        return placement;
    }

    public LinkRegistry links() {
        return links;
    }

    /** The way to any node's link, on this member or another: what the node payer sends vouchers through. */
    public NodeLinks nodeLinks() {
        return nodeLinks;
    }

    public JobCoordinator jobs() {
        return jobs;
    }

    public List<BindableService> grpcServices() {
        return List.of(inference, nodeLink);
    }

    @Override
    public void close() {
        jobs.cancelAll("gateway shutting down");
        links.close();
        if (remote instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing the cluster routing failed", e);
            }
        }
    }
}
