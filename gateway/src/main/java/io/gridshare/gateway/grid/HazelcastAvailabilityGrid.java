package io.gridshare.gateway.grid;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryExpiredListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.query.Predicate;
import com.hazelcast.query.Predicates;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@link AvailabilityGrid} over the {@code gridshare.nodes} IMap of an embedded Hazelcast member
 * configured by {@link HazelcastMembers#config}.
 *
 * <p>Expiry: each publish and heartbeat puts the entry with a per-entry TTL of {@link #nodeExpiry()};
 * reservations and releases keep the expiry time unchanged. When a member leaves, every remaining member
 * removes the entries of nodes whose link it held (the nodes reconnect to another gateway and publish
 * again), which fires {@link NodeGoneListener.Reason#REMOVED} everywhere.
 */
public final class HazelcastAvailabilityGrid implements AvailabilityGrid {

    private static final System.Logger LOG = System.getLogger(HazelcastAvailabilityGrid.class.getName());

    private final HazelcastInstance hazelcast;
    private final IMap<String, NodeEntry> nodes;
    private final Duration nodeExpiry;
    private final Clock clock;
    private final UUID membershipRegistration;
    private final ExecutorService asyncHeartbeats = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "gridshare-grid-heartbeat");
        t.setDaemon(true);
        return t;
    });

    public HazelcastAvailabilityGrid(HazelcastInstance hazelcast, Duration nodeExpiry) {
        this(hazelcast, nodeExpiry, Clock.systemUTC());
    }

    public HazelcastAvailabilityGrid(HazelcastInstance hazelcast, Duration nodeExpiry, Clock clock) {
        this.hazelcast = Objects.requireNonNull(hazelcast, "hazelcast");
        this.nodeExpiry = Objects.requireNonNull(nodeExpiry, "nodeExpiry");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.nodes = hazelcast.getMap(HazelcastMembers.NODES_MAP);
        this.membershipRegistration = hazelcast.getCluster().addMembershipListener(new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent event) {
            }

            @Override
            public void memberRemoved(MembershipEvent event) {
                UUID gone = event.getMember().getUuid();
                // off the event thread: the removal waits for the partition table to heal
                CompletableFuture.runAsync(() -> removeNodesOwnedBy(gone));
            }
        });
    }

    @Override
    public UUID localMember() {
        return hazelcast.getCluster().getLocalMember().getUuid();
    }

    @Override
    public Duration nodeExpiry() {
        return nodeExpiry;
    }

    @Override
    public void publish(NodeEntry node) {
        nodes.executeOnKey(node.nodeId(), new GridProcessors.Publish(node, nodeExpiry.toMillis()));
    }

    @Override
    public boolean heartbeat(String nodeId, NodeHeartbeat heartbeat) {
        return Boolean.TRUE.equals(nodes.executeOnKey(NodeEntry.canonicalNodeId(nodeId),
                new GridProcessors.Heartbeat(heartbeat, clock.millis(), nodeExpiry.toMillis())));
    }

    /**
     * Runs {@link #heartbeat} on this grid's own threads. Not {@code IMap.submitToKey}: Hazelcast
     * completes its futures on {@code ForkJoinPool.commonPool()}, or, where the common pool has a single
     * worker (2 CPUs, or a container limited to 2), on a new thread per completion, which measured 4 to
     * 8 times the CPU of the heartbeat itself on this project's 2-core machine.
     */
    @Override
    public CompletionStage<Boolean> heartbeatAsync(String nodeId, NodeHeartbeat heartbeat) {
        return CompletableFuture.supplyAsync(() -> heartbeat(nodeId, heartbeat), asyncHeartbeats);
    }

    @Override
    public boolean remove(String nodeId) {
        return Boolean.TRUE.equals(nodes.executeOnKey(NodeEntry.canonicalNodeId(nodeId),
                new GridProcessors.RemoveIfOwnedBy(localMember())));
    }

    @Override
    public Optional<NodeEntry> node(String nodeId) {
        return Optional.ofNullable(nodes.get(NodeEntry.canonicalNodeId(nodeId))).filter(this::fresh);
    }

    @Override
    public List<NodeEntry> candidates(ModelQuery query) {
        List<Predicate<String, NodeEntry>> clauses = new ArrayList<>();
        clauses.add(query.byHash()
                ? Predicates.equal("modelHashes[any]", query.canonicalHash())
                : Predicates.equal("modelNames[any]", query.model()));
        clauses.add(Predicates.greaterThan("freeSlots", 0));
        query.maxPricePerToken().ifPresent(max -> clauses.add(Predicates.lessEqual("pricePerToken", new BigDecimal(max))));
        @SuppressWarnings("unchecked")
        Predicate<String, NodeEntry> predicate = Predicates.and(clauses.toArray(Predicate[]::new));
        return nodes.values(predicate).stream().filter(this::fresh).toList();
    }

    @Override
    public List<ModelAvailability> models() {
        Map<String, ModelAvailability> byHash = new LinkedHashMap<>();
        for (NodeEntry node : nodes.values()) {
            if (!fresh(node)) {
                continue;
            }
            for (NodeModel model : node.models()) {
                byHash.merge(model.hash(),
                        new ModelAvailability(model, 1, node.freeSlots(), node.totalSlots(), node.pricePerToken()),
                        // a hash names one model: its details are the same on every node, keep the first's
                        (a, b) -> new ModelAvailability(a.model(), a.nodes() + 1, a.freeSlots() + b.freeSlots(),
                                a.totalSlots() + b.totalSlots(), cheaper(a, b)));
            }
        }
        return byHash.values().stream().sorted(Comparator.comparing(m -> m.model().name())).toList();
    }

    // the cheapest price among nodes with a free slot, falling back to the cheapest overall
    private static BigInteger cheaper(ModelAvailability a, ModelAvailability b) {
        boolean aFree = a.freeSlots() > 0;
        boolean bFree = b.freeSlots() > 0;
        if (aFree != bFree) {
            return aFree ? a.minPricePerToken() : b.minPricePerToken();
        }
        return a.minPricePerToken().min(b.minPricePerToken());
    }

    @Override
    public int size() {
        return nodes.size();
    }

    @Override
    public Optional<SlotReservation> reserve(String nodeId, String jobId, ModelQuery query) {
        Objects.requireNonNull(jobId, "jobId");
        NodeEntry updated = nodes.executeOnKey(NodeEntry.canonicalNodeId(nodeId), new GridProcessors.Reserve(jobId, query));
        if (updated == null) {
            return Optional.empty();
        }
        NodeModel model = updated.model(query).orElseThrow(() -> new IllegalStateException(
                "node " + nodeId + " granted a slot for a model it does not list: " + query.model()));
        return Optional.of(new SlotReservation(updated.nodeId(), jobId, updated.ownerMember(), updated.pricePerToken(),
                model));
    }

    @Override
    public boolean release(SlotReservation reservation) {
        return Boolean.TRUE.equals(nodes.executeOnKey(reservation.nodeId(), new GridProcessors.Release(reservation.jobId())));
    }

    @Override
    public UUID addNodeGoneListener(NodeGoneListener listener) {
        return nodes.addEntryListener(new GoneAdapter(listener), true);
    }

    @Override
    public void removeNodeGoneListener(UUID registration) {
        nodes.removeEntryListener(registration);
    }

    @Override
    public void close() {
        asyncHeartbeats.shutdown();
        try {
            hazelcast.getCluster().removeMembershipListener(membershipRegistration);
        } catch (HazelcastInstanceNotActiveException alreadyDown) {
            // the member is shut down: nothing left to unregister from
        }
    }

    // an entry the expiry sweep has not reached yet is dead all the same
    private boolean fresh(NodeEntry node) {
        return clock.millis() - node.lastHeartbeatMillis() <= nodeExpiry.toMillis();
    }

    private void removeNodesOwnedBy(UUID member) {
        try {
            Map<String, Boolean> removed = nodes.executeOnEntries(new GridProcessors.RemoveIfOwnedBy(member),
                    Predicates.equal("ownerMember", member.toString()));
            long count = removed.values().stream().filter(Boolean.TRUE::equals).count();
            if (count > 0) {
                LOG.log(System.Logger.Level.INFO, "Gateway member {0} left: removed {1} nodes linked to it", member, count);
            }
        } catch (HazelcastInstanceNotActiveException shuttingDown) {
            // this member is going down too; the remaining ones clean up
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "Could not remove nodes of departed member " + member
                    + "; they expire after " + nodeExpiry, e);
        }
    }

    private record GoneAdapter(NodeGoneListener listener)
            implements EntryRemovedListener<String, NodeEntry>, EntryExpiredListener<String, NodeEntry> {
        @Override
        public void entryRemoved(EntryEvent<String, NodeEntry> event) {
            listener.nodeGone(event.getOldValue(), NodeGoneListener.Reason.REMOVED);
        }

        @Override
        public void entryExpired(EntryEvent<String, NodeEntry> event) {
            listener.nodeGone(event.getOldValue(), NodeGoneListener.Reason.EXPIRED);
        }
    }
}
