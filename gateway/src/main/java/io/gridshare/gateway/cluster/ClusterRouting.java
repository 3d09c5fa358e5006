package io.gridshare.gateway.cluster;

import com.google.protobuf.InvalidProtocolBufferException;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.topic.ITopic;
import io.gridshare.gateway.grid.HazelcastMembers;
import io.gridshare.gateway.grid.NodeEntry;
import io.gridshare.gateway.grid.routing.AssignHandler;
import io.gridshare.gateway.grid.routing.JobEventListener;
import io.gridshare.gateway.grid.routing.JobEventSink;
import io.gridshare.gateway.grid.routing.JobRoute;
import io.gridshare.gateway.grid.routing.JobRouter;
import io.gridshare.gateway.grid.routing.RouteRejectedException;
import io.gridshare.gateway.grid.routing.RoutedAssign;
import io.gridshare.gateway.job.NodeChannel;
import io.gridshare.gateway.job.NodeChannels;
import io.gridshare.gateway.job.NodeJobEvents;
import io.gridshare.gateway.link.LinkRegistry;
import io.gridshare.gateway.placement.Placement;
import io.gridshare.proto.v1.Assign;
import io.gridshare.proto.v1.JobDone;
import io.gridshare.proto.v1.JobFailed;
import io.gridshare.proto.v1.JobTokens;
import io.gridshare.proto.v1.NodeMessage;
import io.gridshare.proto.v1.Voucher;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Jobs whose node is linked to another gateway member. The requesting member (where the tenant is)
 * sends Assign and Cancel through the grid's {@link JobRouter} (an executor task on the owner member) and
 * gets the node's job events back, in order, on its own reliable topic. Credit, which the router does
 * not carry, goes to the owner on a plain topic per member ({@code gridshare.link-credit.<member>}):
 * credits add up, so their order does not matter, and a lost credit only pauses the job.
 *
 * <p>Events travel as serialized NodeMessage (JobTokens, JobDone, JobFailed), so the tenant's member
 * handles a remote job exactly as a local one.
 *
 * <p>The gateway's vouchers to a node belong to no job: the member that signed one finds the member
 * holding the node's link in the grid ({@link #linkedElsewhere}) and hands it over through the router
 * ({@link JobRouter#pay}), which answers whether the node was linked there. Each member announces the
 * nodes that link to it on {@code gridshare.node-linked}, so that the others re-send what they owe them.
 */
public final class ClusterRouting implements NodeChannels, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ClusterRouting.class.getName());
    static final String CREDIT_TOPIC_PREFIX = "gridshare.link-credit.";
    static final String NODE_LINKED_TOPIC = "gridshare.node-linked";
    /** How long a voucher waits for the member holding the node's link to say whether it sent it on. */
    static final Duration PAY_TIMEOUT = Duration.ofSeconds(5);

    private final HazelcastInstance hazelcast;
    private final JobRouter router;
    private final LinkRegistry links;
    private final Map<String, NodeChannel> served = new ConcurrentHashMap<>();
    private final UUID creditRegistration;
    private final ITopic<String> ownCredits;
    private final UUID localMember;
    private final IMap<String, NodeEntry> nodes;
    private final ITopic<String> nodeLinked;
    private final UUID nodeLinkedRegistration;
    private final List<Consumer<String>> linkedElsewhereListeners = new CopyOnWriteArrayList<>();

    public ClusterRouting(HazelcastInstance hazelcast, JobRouter router, LinkRegistry links) {
        this.hazelcast = hazelcast;
        this.router = router;
        this.links = links;
        router.serveAssignments(new OwnerSide());
        ownCredits = hazelcast.getTopic(CREDIT_TOPIC_PREFIX + hazelcast.getCluster().getLocalMember().getUuid());
        creditRegistration = ownCredits.addMessageListener(m -> {
            String[] parts = m.getMessageObject().split(" ", 2);
            NodeChannel ch = served.get(parts[0]);
            if (ch != null) {
                ch.credit(parts[0], Integer.parseInt(parts[1]));
            }
        });
        localMember = hazelcast.getCluster().getLocalMember().getUuid();
        nodes = hazelcast.getMap(HazelcastMembers.NODES_MAP);
        nodeLinked = hazelcast.getTopic(NODE_LINKED_TOPIC);
        nodeLinkedRegistration = nodeLinked.addMessageListener(m -> {
            if (!m.getPublishingMember().localMember()) {
                linkedElsewhereListeners.forEach(l -> l.accept(m.getMessageObject()));
            }
        });
        links.onLinked(nodeId -> {
            try {
                nodeLinked.publish(nodeId);
            } catch (RuntimeException e) {
                LOG.log(Level.DEBUG, "could not announce node " + nodeId + " to the other members", e);
            }
        });
    }

    @Override
    public Optional<NodeChannel> linkedElsewhere(String nodeId) {
        NodeEntry entry;
        try {
            entry = nodes.get(NodeEntry.canonicalNodeId(nodeId));
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, "grid not readable for node " + nodeId, e);
            return Optional.empty();
        }
        if (entry == null || entry.ownerMember().equals(localMember)) {
            return Optional.empty();
        }
        return Optional.of(new RoutedChannel(entry.ownerMember(), entry.nodeId()));
    }

    @Override
    public void whenLinkedElsewhere(Consumer<String> listener) {
        linkedElsewhereListeners.add(listener);
    }

    @Override
    public Optional<NodeChannel> channelTo(Placement.Selection.Reserved node) {
        return Optional.of(new RoutedChannel(UUID.fromString(node.ownerMember()), node.nodeId()));
    }

    /** Jobs this member runs on its node links for tenants of other members. */
    public int servedJobs() {
        return served.size();
    }

    @Override
    public void close() {
        try {
            ownCredits.removeMessageListener(creditRegistration);
            nodeLinked.removeMessageListener(nodeLinkedRegistration);
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, "credit topic already gone", e);
        }
    }

    /** The requesting member's end of one routed job. */
    private final class RoutedChannel implements NodeChannel {
        private final UUID owner;
        private final String nodeId;
        private volatile JobRoute route;
        private volatile Thread routingThread;
        private volatile String failedWhileRouting;

        RoutedChannel(UUID owner, String nodeId) {
            this.owner = owner;
            this.nodeId = nodeId;
        }

        @Override
        public String nodeId() {
            return nodeId;
        }

        @Override
        public boolean assign(Assign assign, NodeJobEvents events) {
            routingThread = Thread.currentThread();
            try {
                route = router.route(owner, assign.getJobId(), nodeId, assign.toByteArray(), new JobEventListener() {
                    @Override
                    public void onEvent(byte[] event) {
                        dispatch(event, events);
                    }

                    @Override
                    public void onCompleted(byte[] event) {
                        dispatch(event, events);
                    }

                    @Override
                    public void onFailed(String reason) {
                        if (Thread.currentThread() == routingThread) {
                            failedWhileRouting = reason; // answered by assign's return value
                        } else {
                            events.onFailed(reason, true);
                        }
                    }
                });
            } finally {
                routingThread = null;
            }
            if (failedWhileRouting != null) {
                LOG.log(Level.INFO, "job {0} not routed to node {1}: {2}", assign.getJobId(), nodeId,
                        failedWhileRouting);
                return false;
            }
            return true;
        }

        @Override
        public void credit(String jobId, int tokens) {
            hazelcast.<String>getTopic(CREDIT_TOPIC_PREFIX + owner).publish(jobId + " " + tokens);
        }

        @Override
        public void cancel(String jobId, String reason) {
            JobRoute r = route;
            if (r != null) {
                r.cancel();
            }
        }

        /** Blocks the payer's thread (never a job's) until the owner answers, at most {@link #PAY_TIMEOUT}. */
        @Override
        public boolean pay(Voucher voucher) {
            try {
                return router.pay(owner, nodeId, voucher.toByteArray()).toCompletableFuture()
                        .get(PAY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException | ExecutionException e) {
                LOG.log(Level.INFO, "gateway member {0} did not confirm a voucher for node {1}: {2}", owner, nodeId,
                        e.toString());
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    private static void dispatch(byte[] event, NodeJobEvents events) {
        NodeMessage m;
        try {
            m = NodeMessage.parseFrom(event);
        } catch (InvalidProtocolBufferException e) {
            events.onFailed("unreadable job event from the owner member: " + e.getMessage(), true);
            return;
        }
        switch (m.getMessageCase()) {
            case JOB_TOKENS -> events.onTokens(m.getJobTokens());
            case JOB_DONE -> events.onDone(m.getJobDone());
            case JOB_FAILED -> events.onFailed(m.getJobFailed().getMessage(), m.getJobFailed().getRetryable());
            default -> events.onFailed("unexpected job event " + m.getMessageCase() + " from the owner member", true);
        }
    }

    /** The owner member's end: runs routed jobs on the node links held here. */
    private final class OwnerSide implements AssignHandler {
        @Override
        public void assign(RoutedAssign routed, JobEventSink sink) throws RouteRejectedException {
            Assign assign;
            try {
                assign = Assign.parseFrom(routed.assignment());
            } catch (InvalidProtocolBufferException e) {
                throw new RouteRejectedException("unreadable Assign for job " + routed.jobId() + ": " + e.getMessage());
            }
            NodeChannel session = links.local(routed.nodeId()).orElseThrow(() -> new RouteRejectedException(
                    "node " + routed.nodeId() + " is not linked to this gateway member any more"));
            served.put(routed.jobId(), session);
            boolean sent = session.assign(assign, new NodeJobEvents() {
                @Override
                public void onTokens(JobTokens tokens) {
                    sink.emit(NodeMessage.newBuilder().setJobTokens(tokens).build().toByteArray());
                }

                @Override
                public void onDone(JobDone done) {
                    served.remove(routed.jobId());
                    sink.complete(NodeMessage.newBuilder().setJobDone(done).build().toByteArray());
                }

                @Override
                public void onFailed(String message, boolean retryable) {
                    served.remove(routed.jobId());
                    if (retryable) {
                        sink.fail(message);
                    } else {
                        sink.complete(NodeMessage.newBuilder().setJobFailed(JobFailed.newBuilder()
                                .setJobId(routed.jobId()).setMessage(message).setRetryable(false)).build()
                                .toByteArray());
                    }
                }
            });
            if (!sent) {
                served.remove(routed.jobId());
                throw new RouteRejectedException("the link to node " + routed.nodeId() + " closed");
            }
        }

        @Override
        public void cancel(String jobId) {
            NodeChannel session = served.remove(jobId);
            if (session != null) {
                session.cancel(jobId, "cancelled by the tenant's gateway member");
            }
        }

        @Override
        public boolean pay(String nodeId, byte[] voucher) {
            Optional<NodeChannel> session = links.local(NodeEntry.canonicalNodeId(nodeId));
            if (session.isEmpty()) {
                return false;
            }
            try {
                return session.get().pay(Voucher.parseFrom(voucher));
            } catch (InvalidProtocolBufferException e) {
                LOG.log(Level.WARNING, "unreadable voucher for node {0} from another member: {1}", nodeId,
                        e.getMessage());
                return false;
            }
        }
    }
}
