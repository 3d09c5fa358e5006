package io.gridshare.gateway.grid.routing;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.ExecutionCallback;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.core.IExecutorService;
import com.hazelcast.topic.ITopic;
import com.hazelcast.topic.Message;
import com.hazelcast.topic.ReliableMessageListener;
import io.gridshare.gateway.grid.HazelcastMembers;
import io.gridshare.gateway.grid.routing.RoutingSerialization.AssignTask;
import io.gridshare.gateway.grid.routing.RoutingSerialization.CancelTask;
import io.gridshare.gateway.grid.routing.RoutingSerialization.PayTask;
import io.gridshare.gateway.grid.routing.RoutingSerialization.RoutedJobEvent;

import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@link JobRouter} over Hazelcast: assignments and cancels go to the owner member as executor tasks
 * ({@code IExecutorService.submitToMember}, which answer whether the owner took the job); events come
 * back through one reliable topic per requesting member ({@code gridshare.job-events.<member uuid>}),
 * totally ordered, each stamped with a per-job sequence number so that a gap (ring buffer overrun) fails
 * the job instead of silently dropping tokens.
 */
public final class HazelcastJobRouter implements JobRouter {

    static final String USER_CONTEXT_KEY = "gridshare.job-router";
    private static final System.Logger LOG = System.getLogger(HazelcastJobRouter.class.getName());

    private final HazelcastInstance hazelcast;
    private final UUID localMember;
    private final IExecutorService executor;
    private final Map<String, Route> routes = new ConcurrentHashMap<>();
    /** Jobs this member runs for other members: job id → requesting member. */
    private final Map<String, UUID> served = new ConcurrentHashMap<>();
    private final Map<UUID, ITopic<RoutedJobEvent>> topics = new ConcurrentHashMap<>();
    private final UUID topicRegistration;
    private final UUID membershipRegistration;
    private volatile AssignHandler handler;

    public HazelcastJobRouter(HazelcastInstance hazelcast) {
        this.hazelcast = Objects.requireNonNull(hazelcast, "hazelcast");
        this.localMember = hazelcast.getCluster().getLocalMember().getUuid();
        this.executor = hazelcast.getExecutorService(HazelcastMembers.ROUTER_EXECUTOR);
        this.topicRegistration = topic(localMember).addMessageListener(new EventListener());
        this.membershipRegistration = hazelcast.getCluster().addMembershipListener(new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent event) {
            }

            @Override
            public void memberRemoved(MembershipEvent event) {
                memberLeft(event.getMember().getUuid());
            }
        });
        Object previous = hazelcast.getUserContext().putIfAbsent(USER_CONTEXT_KEY, this);
        if (previous != null) {
            throw new IllegalStateException("A job router already runs on member " + localMember
                    + "; create one per Hazelcast member");
        }
    }

    @Override
    public void serveAssignments(AssignHandler handler) {
        this.handler = Objects.requireNonNull(handler, "handler");
    }

    @Override
    public JobRoute route(UUID ownerMember, String jobId, String nodeId, byte[] assignment, JobEventListener listener) {
        RoutedAssign assign = new RoutedAssign(jobId, nodeId, localMember, assignment);
        Route route = new Route(jobId, ownerMember, listener);
        if (routes.putIfAbsent(jobId, route) != null) {
            throw new IllegalStateException("Job " + jobId + " is already routed; a job id is used once");
        }
        if (ownerMember.equals(localMember)) {
            routeLocally(assign, route);
            return route;
        }
        Member owner = member(ownerMember);
        if (owner == null) {
            route.fail("gateway member " + ownerMember + " holding node " + nodeId + "'s link is not in the cluster");
            return route;
        }
        executor.<String>submitToMember(new AssignTask(assign), owner, new ExecutionCallback<>() {
            @Override
            public void onResponse(String rejection) {
                if (rejection != null) {
                    route.fail(rejection);
                } else {
                    route.accepted.complete(null);
                }
            }

            @Override
            public void onFailure(Throwable error) {
                route.fail("could not reach gateway member " + ownerMember + ": " + error.getMessage());
            }
        });
        return route;
    }

    @Override
    public CompletionStage<Boolean> pay(UUID ownerMember, String nodeId, byte[] voucher) {
        if (ownerMember.equals(localMember)) {
            return CompletableFuture.completedFuture(payHere(nodeId, voucher));
        }
        Member owner = member(ownerMember);
        if (owner == null) {
            return CompletableFuture.completedFuture(false);
        }
        CompletableFuture<Boolean> handed = new CompletableFuture<>();
        try {
            executor.<Boolean>submitToMember(new PayTask(nodeId, voucher), owner, new ExecutionCallback<>() {
                @Override
                public void onResponse(Boolean response) {
                    handed.complete(Boolean.TRUE.equals(response));
                }

                @Override
                public void onFailure(Throwable error) {
                    LOG.log(System.Logger.Level.DEBUG, "voucher for node " + nodeId + " did not reach gateway member "
                            + ownerMember, error);
                    handed.complete(false);
                }
            });
        } catch (RuntimeException e) {
            // this member is shutting down, or the owner just left
            LOG.log(System.Logger.Level.DEBUG, "voucher for node " + nodeId + " not relayed", e);
            handed.complete(false);
        }
        return handed;
    }

    /** On the member holding the link: hands the voucher to the local handler. */
    boolean payHere(String nodeId, byte[] voucher) {
        AssignHandler h = handler;
        if (h == null) {
            return false;
        }
        try {
            return h.pay(nodeId, voucher);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "handing a voucher to node " + nodeId + " failed", e);
            return false;
        }
    }

    @Override
    public int activeRoutes() {
        return routes.size();
    }

    @Override
    public void close() {
        try {
            hazelcast.getUserContext().remove(USER_CONTEXT_KEY, this);
            topic(localMember).removeMessageListener(topicRegistration);
            hazelcast.getCluster().removeMembershipListener(membershipRegistration);
        } catch (HazelcastInstanceNotActiveException alreadyDown) {
            // nothing left to unregister from
        }
        routes.values().forEach(r -> r.fail("the gateway member is shutting down"));
    }

    private void routeLocally(RoutedAssign assign, Route route) {
        AssignHandler h = handler;
        if (h == null) {
            route.fail("this gateway serves no node links (no assign handler registered)");
            return;
        }
        JobEventSink sink = new JobEventSink() {
            @Override
            public void emit(byte[] event) {
                route.deliverEvent(event);
            }

            @Override
            public void complete(byte[] event) {
                route.deliverCompleted(event);
            }

            @Override
            public void fail(String reason) {
                route.fail(reason);
            }
        };
        try {
            h.assign(assign, sink);
            route.accepted.complete(null);
        } catch (RouteRejectedException e) {
            route.fail(e.getMessage());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "Assign handler failed for job " + assign.jobId(), e);
            route.fail("this gateway failed to assign job " + assign.jobId() + ": " + e);
        }
    }

    /** On the owner member: hands a routed assignment to the local handler. Returns null or why not. */
    String acceptRemote(RoutedAssign assign) {
        AssignHandler h = handler;
        if (h == null) {
            return "gateway member " + localMember + " serves no node links (no assign handler registered)";
        }
        served.put(assign.jobId(), assign.requesterMember());
        try {
            h.assign(assign, new RemoteSink(assign.jobId(), assign.requesterMember()));
            return null;
        } catch (RouteRejectedException e) {
            served.remove(assign.jobId());
            return e.getMessage();
        } catch (RuntimeException e) {
            served.remove(assign.jobId());
            LOG.log(System.Logger.Level.WARNING, "Assign handler failed for job " + assign.jobId(), e);
            return "gateway member " + localMember + " failed to assign job " + assign.jobId() + ": " + e;
        }
    }

    void cancelRemote(String jobId) {
        AssignHandler h = handler;
        if (served.remove(jobId) != null && h != null) {
            h.cancel(jobId);
        }
    }

    private void memberLeft(UUID member) {
        routes.values().stream().filter(r -> r.owner.equals(member))
                .forEach(r -> r.fail("gateway member " + member + " holding the node's link left the cluster"));
        AssignHandler h = handler;
        served.entrySet().removeIf(e -> {
            if (e.getValue().equals(member)) {
                if (h != null) {
                    h.cancel(e.getKey());
                }
                return true;
            }
            return false;
        });
        topics.remove(member);
    }

    private Member member(UUID uuid) {
        for (Member m : hazelcast.getCluster().getMembers()) {
            if (m.getUuid().equals(uuid)) {
                return m;
            }
        }
        return null;
    }

    private ITopic<RoutedJobEvent> topic(UUID member) {
        return topics.computeIfAbsent(member,
                m -> hazelcast.getReliableTopic(HazelcastMembers.JOB_EVENTS_TOPIC_PREFIX + m));
    }

    /** The requesting side of one job. */
    private final class Route implements JobRoute {
        final String jobId;
        final UUID owner;
        final JobEventListener listener;
        final CompletableFuture<Void> accepted = new CompletableFuture<>();
        final AtomicBoolean ended = new AtomicBoolean();
        long nextSequence;

        Route(String jobId, UUID owner, JobEventListener listener) {
            this.jobId = jobId;
            this.owner = owner;
            this.listener = Objects.requireNonNull(listener, "listener");
        }

        @Override
        public String jobId() {
            return jobId;
        }

        @Override
        public UUID ownerMember() {
            return owner;
        }

        @Override
        public CompletionStage<Void> accepted() {
            return accepted;
        }

        @Override
        public void cancel() {
            if (ended.compareAndSet(false, true)) {
                routes.remove(jobId, this);
                stopOnOwner();
            }
        }

        void stopOnOwner() {
            if (owner.equals(localMember)) {
                AssignHandler h = handler;
                if (h != null) {
                    h.cancel(jobId);
                }
                return;
            }
            Member m = member(owner);
            if (m != null) {
                executor.executeOnMember(new CancelTask(jobId), m);
            }
        }

        synchronized void deliverEvent(byte[] event) {
            if (!ended.get()) {
                listener.onEvent(event);
            }
        }

        synchronized void deliverCompleted(byte[] event) {
            if (ended.compareAndSet(false, true)) {
                routes.remove(jobId, this);
                listener.onCompleted(event);
            }
        }

        synchronized void fail(String reason) {
            accepted.completeExceptionally(new RouteRejectedException(reason));
            if (ended.compareAndSet(false, true)) {
                routes.remove(jobId, this);
                listener.onFailed(reason);
            }
        }

        /** Events from the topic: one listener thread, so sequence checks need no more than this. */
        void onRemote(RoutedJobEvent e) {
            if (e.sequence != nextSequence) {
                fail("lost events of job " + jobId + ": expected event " + nextSequence + ", got " + e.sequence
                        + " (the job event ring buffer overran; raise gridshare.grid.job-event-capacity)");
                stopOnOwner(); // the owner would otherwise keep the node busy for a stream nobody reads
                return;
            }
            nextSequence++;
            switch (e.kind) {
                case RoutedJobEvent.EVENT -> deliverEvent(e.payload);
                case RoutedJobEvent.COMPLETED -> deliverCompleted(e.payload);
                default -> fail(e.reason);
            }
        }
    }

    /** The owner side of one routed job: publishes to the requester's topic. */
    private final class RemoteSink implements JobEventSink {
        private final String jobId;
        private final UUID requester;
        private final AtomicBoolean ended = new AtomicBoolean();
        private long sequence;

        RemoteSink(String jobId, UUID requester) {
            this.jobId = jobId;
            this.requester = requester;
        }

        @Override
        public synchronized void emit(byte[] event) {
            if (!ended.get()) {
                publish(RoutedJobEvent.EVENT, event, null);
            }
        }

        @Override
        public synchronized void complete(byte[] event) {
            if (ended.compareAndSet(false, true)) {
                served.remove(jobId);
                publish(RoutedJobEvent.COMPLETED, event, null);
            }
        }

        @Override
        public synchronized void fail(String reason) {
            if (ended.compareAndSet(false, true)) {
                served.remove(jobId);
                publish(RoutedJobEvent.FAILED, new byte[0], reason);
            }
        }

        private void publish(byte kind, byte[] payload, String reason) {
            try {
                topic(requester).publish(new RoutedJobEvent(jobId, sequence++, kind, payload, reason));
            } catch (RuntimeException e) {
                // the requester cannot be told any more (it left, or this member is going down): stop
                // the node rather than let it generate tokens nobody will receive
                LOG.log(System.Logger.Level.WARNING, "Could not send events of job " + jobId + " to gateway member "
                        + requester + "; cancelling it", e);
                ended.set(true);
                if (served.remove(jobId) != null) {
                    AssignHandler h = handler;
                    if (h != null) {
                        h.cancel(jobId);
                    }
                }
            }
        }
    }

    private final class EventListener implements ReliableMessageListener<RoutedJobEvent> {
        @Override
        public void onMessage(Message<RoutedJobEvent> message) {
            RoutedJobEvent e = message.getMessageObject();
            Route route = routes.get(e.jobId);
            // events of a job cancelled or failed here may still be in flight: drop them
            if (route != null) {
                route.onRemote(e);
            }
        }

        @Override
        public long retrieveInitialSequence() {
            return -1; // from the next message published: routes are registered before their assignment is sent
        }

        @Override
        public void storeSequence(long sequence) {
        }

        @Override
        public boolean isLossTolerant() {
            return true; // per-job sequence numbers detect loss and fail only the jobs that lost events
        }

        @Override
        public boolean isTerminal(Throwable failure) {
            LOG.log(System.Logger.Level.WARNING, "Routed job event listener failed; continuing", failure);
            return false;
        }
    }
}
