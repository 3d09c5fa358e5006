package io.gridshare.node.link;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A running node: one {@link GatewayLink} per configured gateway, all sharing the node's engines,
 * slots and key through one {@link NodeContext}. A job from any gateway takes a slot from the same
 * pool.
 *
 * <p>In-process use (tests, the local network launcher):
 * <pre>{@code
 * NodeContext node = new NodeContext(new NodeKey(credentials), List.of(engine), new SlotPool(4),
 *         discovery, BigInteger.valueOf(1_000), "0.1.0", new NodeMetrics(), PaymentListener.IGNORE);
 * try (NodeAgent agent = NodeAgent.start(node, List.of(GatewayAddress.parse("127.0.0.1:9090")),
 *         LinkSettings.defaults())) { ... }
 * }</pre>
 */
public final class NodeAgent implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(NodeAgent.class.getName());

    private final NodeContext node;
    private final List<GatewayLink> links;
    private final boolean closeEngines;

    private NodeAgent(NodeContext node, List<GatewayLink> links, boolean closeEngines) {
        this.node = node;
        this.links = List.copyOf(links);
        this.closeEngines = closeEngines;
    }

    /**
     * Dials every gateway and returns at once; links connect, and reconnect, in the background.
     * {@link #close()} stops the links but leaves the engines open (the caller owns them).
     */
    public static NodeAgent start(NodeContext node, List<GatewayAddress> gateways, LinkSettings settings) {
        return start(node, gateways, settings, false);
    }

    /** As {@link #start(NodeContext, List, LinkSettings)}, and {@link #close()} also closes the engines. */
    public static NodeAgent startOwningEngines(NodeContext node, List<GatewayAddress> gateways,
                                               LinkSettings settings) {
        return start(node, gateways, settings, true);
    }

    private static NodeAgent start(NodeContext node, List<GatewayAddress> gateways, LinkSettings settings,
                                   boolean closeEngines) {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(settings, "settings");
        if (gateways.isEmpty()) {
            throw new IllegalArgumentException("a node needs at least one gateway to dial");
        }
        if (node.engines().isEmpty()) {
            throw new IllegalArgumentException("a node needs at least one loaded model");
        }
        List<GatewayLink> links = new ArrayList<>();
        for (GatewayAddress gateway : gateways) {
            links.add(new GatewayLink(gateway, node, settings));
        }
        LOG.log(Level.INFO, "node " + node.key().address() + " serving " + node.engines().size() + " model(s) on "
                + node.backend() + " with " + node.slots().total() + " slot(s), dialling " + gateways);
        links.forEach(GatewayLink::start);
        return new NodeAgent(node, links, closeEngines);
    }

    public NodeContext node() {
        return node;
    }

    public List<GatewayLink> links() {
        return links;
    }

    /** Whether at least one gateway has welcomed the node. */
    public boolean linked() {
        return links.stream().anyMatch(l -> l.state() == LinkState.LINKED);
    }

    @Override
    public void close() {
        for (GatewayLink link : links) {
            try {
                link.close();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "closing the link to " + link.address() + " failed", e);
            }
        }
        if (closeEngines) {
            node.engines().values().forEach(e -> {
                try {
                    e.close();
                } catch (RuntimeException ex) {
                    LOG.log(Level.WARNING, "closing the engine of " + e.model().name() + " failed", ex);
                }
            });
        }
    }
}
