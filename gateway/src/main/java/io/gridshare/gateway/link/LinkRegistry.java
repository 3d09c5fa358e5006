package io.gridshare.gateway.link;

import io.gridshare.gateway.config.GatewaySettings;
import io.gridshare.gateway.job.NodeChannel;
import io.gridshare.gateway.observe.GatewayObserver;
import io.gridshare.gateway.placement.Placement;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The node links held by this gateway member: one {@link NodeSession} per linked node. Expires
 * sessions whose heartbeats stopped and runs the (possibly blocking) stake checks off the gRPC threads.
 */
public final class LinkRegistry implements AutoCloseable {

    private final GatewaySettings settings;
    private final Placement placement;
    private final NodeStakeCheck stakeCheck;
    private final GatewayObserver observer;
    private final Map<String, NodeSession> linked = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timers;
    private final ExecutorService verifiers = Executors.newVirtualThreadPerTaskExecutor();
    private final List<Consumer<String>> linkListeners = new CopyOnWriteArrayList<>();

    public LinkRegistry(GatewaySettings settings, Placement placement, NodeStakeCheck stakeCheck,
                        GatewayObserver observer) {
        this.settings = settings;
        this.placement = placement;
        this.stakeCheck = stakeCheck;
        this.observer = observer;
        this.timers = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gridshare-link-expiry");
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(10, settings.heartbeatInterval().toMillis() / 2);
        timers.scheduleAtFixedRate(this::expireSilent, period, period, TimeUnit.MILLISECONDS);
    }

    /** The local link to a node, if it is linked to this member. */
    public Optional<NodeChannel> local(String nodeId) {
        return Optional.ofNullable(linked.get(nodeId));
    }

    /**
     * Calls {@code listener} with the node id each time a node links to this member, once its Welcome is
     * on the link (anything the listener sends the node follows it). Runs on the handshake's thread:
     * return quickly.
     */
    public void onLinked(Consumer<String> listener) {
        linkListeners.add(listener);
    }

    public Collection<NodeSession> sessions() {
        return List.copyOf(linked.values());
    }

    public int linkedNodes() {
        return linked.size();
    }

    /** Registers a session that passed its handshake; an older link of the same node is closed. */
    void linked(NodeSession session) {
        NodeSession previous = linked.put(session.nodeId(), session);
        if (previous != null && previous != session) {
            previous.close(io.grpc.Status.ALREADY_EXISTS.withDescription(
                    "the node linked again on a new stream; this one is closed"), false);
        }
        observer.nodeLinked();
    }

    /** A session's node got its Welcome: tells the link listeners. */
    void welcomed(NodeSession session) {
        for (Consumer<String> listener : linkListeners) {
            try {
                listener.accept(session.nodeId());
            } catch (RuntimeException e) {
                System.getLogger(LinkRegistry.class.getName()).log(System.Logger.Level.WARNING,
                        "a link listener failed for node " + session.nodeId(), e);
            }
        }
    }

    /** Forgets a closed session (if it is still the registered one) and takes it out of the grid. */
    void unlinked(NodeSession session) {
        if (linked.remove(session.nodeId(), session)) {
            placement.remove(session.nodeId());
            observer.nodeUnlinked();
        }
    }

    private void expireSilent() {
        long now = System.nanoTime();
        for (NodeSession s : linked.values()) {
            if (now - s.lastHeardNanos() > settings.linkExpiry().toNanos()) {
                s.close(io.grpc.Status.UNAVAILABLE.withDescription("no heartbeat for "
                        + settings.linkExpiry().toMillis() + " ms; reconnect"), true);
            }
        }
    }

    GatewaySettings settings() {
        return settings;
    }

    Placement placement() {
        return placement;
    }

    NodeStakeCheck stakeCheck() {
        return stakeCheck;
    }

    GatewayObserver observer() {
        return observer;
    }

    ExecutorService verifiers() {
        return verifiers;
    }

    ScheduledExecutorService timers() {
        return timers;
    }

    @Override
    public void close() {
        for (NodeSession s : linked.values()) {
            s.close(io.grpc.Status.UNAVAILABLE.withDescription("gateway shutting down; dial another gateway"), true);
        }
        timers.shutdownNow();
        verifiers.shutdownNow();
    }
}
