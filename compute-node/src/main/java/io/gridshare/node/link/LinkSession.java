package io.gridshare.node.link;

import io.gridshare.node.chat.ChatMessage;
import io.gridshare.node.engine.InferenceEngine;
import io.gridshare.node.engine.JobRequest;
import io.gridshare.node.engine.SamplingParams;
import io.gridshare.proto.v1.Assign;
import io.gridshare.proto.v1.Challenge;
import io.gridshare.proto.v1.GatewayMessage;
import io.gridshare.proto.v1.NodeMessage;
import io.gridshare.proto.v1.RejectReason;
import io.gridshare.proto.v1.Welcome;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One Connect stream to one gateway, from dial to end: answers the Challenge, waits for Welcome,
 * heartbeats, runs assigned jobs. A new session is made for every reconnect; jobs never outlive
 * their session (the gateway resumes them elsewhere when a link drops).
 */
final class LinkSession implements ClientResponseObserver<NodeMessage, GatewayMessage>, LinkJob.Output {

    private static final System.Logger LOG = System.getLogger(LinkSession.class.getName());

    /** How a session ended. */
    record End(Kind kind, RejectReason reason, String message, Throwable cause) {
        enum Kind { DROPPED, REJECTED, HANDSHAKE_TIMEOUT, STOPPED }
    }

    /** The link that owns the session. */
    interface Listener {
        void welcomed(LinkSession session, Welcome welcome);

        void handshaking(LinkSession session);

        void ended(LinkSession session, End end);
    }

    private enum Phase { AWAITING_CHALLENGE, AWAITING_WELCOME, LINKED, ENDED }

    private final String gateway;
    private final NodeContext node;
    private final LinkSettings settings;
    private final ScheduledExecutorService scheduler;
    private final Listener listener;
    private final Map<String, LinkJob> jobs = new ConcurrentHashMap<>();
    private final Object phaseLock = new Object();
    private Phase phase = Phase.AWAITING_CHALLENGE; // guarded by phaseLock
    private volatile Outbound outbound;
    private volatile ClientCallStreamObserver<NodeMessage> stream;
    private volatile String gatewayId = "";
    private ScheduledFuture<?> heartbeats; // guarded by phaseLock

    LinkSession(String gateway, NodeContext node, LinkSettings settings, ScheduledExecutorService scheduler,
                Listener listener) {
        this.gateway = gateway;
        this.node = node;
        this.settings = settings;
        this.scheduler = scheduler;
        this.listener = listener;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<NodeMessage> requestStream) {
        this.stream = requestStream;
        this.outbound = new Outbound(requestStream);
        requestStream.setOnReadyHandler(() -> outbound.drain());
    }

    String gatewayId() {
        return gatewayId;
    }

    int activeJobs() {
        return jobs.size();
    }

    /** Ends the stream if the handshake has not completed; scheduled when the session starts. */
    void handshakeDeadline() {
        synchronized (phaseLock) {
            if (phase == Phase.LINKED || phase == Phase.ENDED) {
                return;
            }
        }
        String waitingFor = phaseIs(Phase.AWAITING_CHALLENGE) ? "Challenge" : "Welcome";
        abort(new End(End.Kind.HANDSHAKE_TIMEOUT, null,
                "no " + waitingFor + " from " + gateway + " within " + settings.handshakeTimeout(), null),
                "handshake timed out");
    }

    private boolean phaseIs(Phase p) {
        synchronized (phaseLock) {
            return phase == p;
        }
    }

    @Override
    public void onNext(GatewayMessage message) {
        if (phaseIs(Phase.ENDED)) {
            return; // late messages of a session the node already ended (e.g. after a handshake timeout)
        }
        switch (message.getMessageCase()) {
            case CHALLENGE -> onChallenge(message.getChallenge());
            case WELCOME -> onWelcome(message.getWelcome());
            case REJECTED -> abort(new End(End.Kind.REJECTED, message.getRejected().getReason(),
                    message.getRejected().getMessage(), null), "rejected");
            case ASSIGN -> onAssign(message.getAssign());
            case CANCEL -> {
                LinkJob job = jobs.get(message.getCancel().getJobId());
                if (job != null) {
                    LOG.log(Level.DEBUG, "gateway " + gateway + " cancelled job " + job.id() + ": "
                            + message.getCancel().getReason());
                    job.cancelByGateway();
                }
            }
            case CREDIT -> {
                LinkJob job = jobs.get(message.getCredit().getJobId());
                if (job != null) {
                    job.addCredit(Integer.toUnsignedLong(message.getCredit().getTokens()));
                }
            }
            case PAYMENT -> {
                node.metrics().voucherReceived();
                try {
                    node.payments().onVoucher(gatewayId, node.key().address(), message.getPayment());
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "voucher from " + gateway + " could not be handled", e);
                }
            }
            case MESSAGE_NOT_SET -> LOG.log(Level.DEBUG, "gateway " + gateway
                    + " sent a message type this node does not know; ignored (newer gateway)");
        }
    }

    private void onChallenge(Challenge challenge) {
        synchronized (phaseLock) {
            if (phase != Phase.AWAITING_CHALLENGE) {
                LOG.log(Level.WARNING, "gateway " + gateway + " sent a second Challenge; ignored");
                return;
            }
            phase = Phase.AWAITING_WELCOME;
        }
        gatewayId = challenge.getGatewayId();
        listener.handshaking(this);
        outbound.send(NodeMessage.newBuilder().setHello(node.hello(challenge)).build());
    }

    private void onWelcome(Welcome welcome) {
        Duration interval = welcome.getHeartbeatIntervalMs() > 0
                ? Duration.ofMillis(welcome.getHeartbeatIntervalMs()) : settings.defaultHeartbeatInterval();
        synchronized (phaseLock) {
            if (phase != Phase.AWAITING_WELCOME) {
                LOG.log(Level.WARNING, "gateway " + gateway + " sent Welcome in phase " + phase + "; ignored");
                return;
            }
            phase = Phase.LINKED;
            if (!welcome.getGatewayId().isEmpty()) {
                gatewayId = welcome.getGatewayId();
            }
            long ms = interval.toMillis();
            heartbeats = scheduler.scheduleAtFixedRate(this::sendHeartbeat, ms, ms, TimeUnit.MILLISECONDS);
        }
        listener.welcomed(this, welcome);
    }

    private void sendHeartbeat() {
        try {
            outbound.heartbeat(NodeMessage.newBuilder().setHeartbeat(node.heartbeat()).build());
        } catch (RuntimeException e) {
            // a failing heartbeat must not cancel the schedule (scheduleAtFixedRate stops on a throw)
            LOG.log(Level.WARNING, "heartbeat to " + gateway + " failed", e);
        }
    }

    private void onAssign(Assign assign) {
        String jobId = assign.getJobId();
        if (!phaseIs(Phase.LINKED)) {
            LOG.log(Level.WARNING, "gateway " + gateway + " assigned job " + jobId + " before Welcome; refused");
            outbound.send(LinkJob.failed(jobId, "the node has not been welcomed on this link", true));
            return;
        }
        if (jobId.isEmpty()) {
            outbound.send(LinkJob.failed(jobId, "Assign without job_id", false));
            return;
        }
        InferenceEngine engine = node.engine(assign.getModelHash());
        if (engine == null) {
            node.metrics().jobEnded(NodeMetrics.JobResult.REFUSED);
            outbound.send(LinkJob.failed(jobId, "model " + assign.getModelHash()
                    + " is not loaded on this node (it serves " + node.engines().keySet() + ")", true));
            return;
        }
        if (!node.slots().tryAcquire()) {
            node.metrics().jobEnded(NodeMetrics.JobResult.REFUSED);
            outbound.send(LinkJob.failed(jobId, "no free slot on this node (" + node.slots().total()
                    + " of " + node.slots().total() + " in use)", true));
            return;
        }
        LinkJob job = new LinkJob(jobId, Integer.toUnsignedLong(assign.getInitialCredit()), this, node.slots(),
                node.metrics(), settings);
        if (jobs.putIfAbsent(jobId, job) != null) {
            node.slots().release();
            LOG.log(Level.WARNING, "gateway " + gateway + " assigned job " + jobId
                    + " which already runs on this link; the second Assign is ignored");
            return;
        }
        if (phaseIs(Phase.ENDED)) {
            // the link dropped between the checks above and now
            jobs.remove(jobId);
            node.slots().release();
            return;
        }
        List<Integer> emitted = new ArrayList<>(assign.getEmittedTokenIdsCount());
        for (int id : assign.getEmittedTokenIdsList()) {
            emitted.add(id);
        }
        JobRequest request;
        try {
            request = new JobRequest(jobId, assign.getPrompt(), emitted, assign.getMaxTokens(),
                    new SamplingParams(assign.getTemperature(), assign.getTopP(), assign.getSeed()),
                    chatMessages(assign));
        } catch (RuntimeException e) {
            job.refused("invalid Assign: " + e.getMessage(), false);
            return;
        }
        // the engine may prefill the prompt inside submit(); keep the gRPC thread free for other messages
        Thread.ofVirtual().name("submit-" + jobId).start(() -> job.submitTo(engine, request));
    }

    private static List<ChatMessage> chatMessages(Assign assign) {
        List<ChatMessage> messages = new ArrayList<>(assign.getMessagesCount());
        for (io.gridshare.proto.v1.ChatMessage m : assign.getMessagesList()) {
            messages.add(new ChatMessage(m.getRole(), m.getContent()));
        }
        return messages;
    }

    @Override
    public void ready(LinkJob job) {
        Outbound out = outbound;
        if (out != null) {
            out.jobReady(job);
        }
    }

    @Override
    public void ended(LinkJob job) {
        jobs.remove(job.id(), job);
    }

    @Override
    public void onError(Throwable t) {
        Status status = Status.fromThrowable(t);
        finish(new End(End.Kind.DROPPED, null, "link to " + gateway + " dropped: " + status.getCode()
                + (status.getDescription() == null ? "" : " (" + status.getDescription() + ")"), t));
    }

    @Override
    public void onCompleted() {
        finish(new End(End.Kind.DROPPED, null, "gateway " + gateway + " ended the link", null));
    }

    /** Ends the session from the node's side and cancels the call. */
    void abort(End end, String why) {
        if (finish(end)) {
            ClientCallStreamObserver<NodeMessage> s = stream;
            if (s != null) {
                s.cancel(why, null);
            }
        }
    }

    /** Ends the session gracefully (node shutting down): jobs cancelled, stream half-closed. */
    void stop() {
        Outbound out = outbound;
        if (finish(new End(End.Kind.STOPPED, null, "node stopping", null)) && out != null) {
            ClientCallStreamObserver<NodeMessage> s = stream;
            if (s != null) {
                s.cancel("node stopping", null);
            }
        }
    }

    private boolean finish(End end) {
        synchronized (phaseLock) {
            if (phase == Phase.ENDED) {
                return false;
            }
            phase = Phase.ENDED;
            if (heartbeats != null) {
                heartbeats.cancel(false);
            }
        }
        Outbound out = outbound;
        if (out != null) {
            out.close();
        }
        for (LinkJob job : jobs.values()) {
            job.cancelForDroppedLink();
        }
        jobs.clear();
        listener.ended(this, end);
        return true;
    }
}
