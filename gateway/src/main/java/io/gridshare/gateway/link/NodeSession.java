package io.gridshare.gateway.link;

import io.gridshare.gateway.job.NodeChannel;
import io.gridshare.gateway.job.NodeJobEvents;
import io.gridshare.gateway.placement.LinkedNode;
import io.gridshare.proto.v1.Assign;
import io.gridshare.proto.v1.Cancel;
import io.gridshare.proto.v1.Challenge;
import io.gridshare.proto.v1.Credit;
import io.gridshare.proto.v1.GatewayMessage;
import io.gridshare.proto.v1.Hello;
import io.gridshare.proto.v1.NodeMessage;
import io.gridshare.proto.v1.RejectReason;
import io.gridshare.proto.v1.Rejected;
import io.gridshare.proto.v1.Welcome;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.lang.System.Logger.Level;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One node's link (one NodeLink.Connect stream): the challenge handshake, heartbeats, and the job
 * traffic of every job assigned to the node. Outbound messages wait in a queue drained only while the
 * stream is ready; inbound messages are requested one at a time.
 */
public final class NodeSession implements StreamObserver<NodeMessage>, NodeChannel {

    private static final System.Logger LOG = System.getLogger(NodeSession.class.getName());
    private static final SecureRandom RANDOM = new SecureRandom();

    // Assign, Credit and Cancel for the node's jobs; a node that reads none of them is dropped
    private static final int MAX_OUTBOX = 10_000;

    private enum State { AWAIT_HELLO, VERIFYING, LINKED, CLOSED }

    private final ServerCallStreamObserver<GatewayMessage> out;
    private final LinkRegistry registry;
    private final byte[] nonce = new byte[32];
    private final ArrayDeque<GatewayMessage> outbox = new ArrayDeque<>();
    private final Map<String, NodeJobEvents> jobs = new ConcurrentHashMap<>();
    private final ScheduledFuture<?> handshakeTimer;

    private volatile State state = State.AWAIT_HELLO;
    private volatile String nodeId = "";
    private volatile LinkedNode linkedNode;
    private volatile long lastHeardNanos = System.nanoTime();

    public NodeSession(ServerCallStreamObserver<GatewayMessage> out, LinkRegistry registry) {
        this.out = out;
        this.registry = registry;
        RANDOM.nextBytes(nonce);
        out.disableAutoRequest();
        out.setOnReadyHandler(this::flush);
        out.setOnCancelHandler(() -> close(Status.CANCELLED.withDescription("node cancelled its link"), false));
        handshakeTimer = registry.timers().schedule(() -> {
            if (state == State.AWAIT_HELLO || state == State.VERIFYING) {
                close(Status.DEADLINE_EXCEEDED.withDescription("no Hello within "
                        + registry.settings().handshakeTimeout().toMillis() + " ms of the Challenge"), true);
            }
        }, registry.settings().handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        send(GatewayMessage.newBuilder().setChallenge(Challenge.newBuilder()
                .setNonce(com.google.protobuf.ByteString.copyFrom(nonce))
                .setGatewayId(registry.settings().gatewayId())
                .setChainId(registry.settings().chainId())).build());
        out.request(1);
    }

    @Override
    public String nodeId() {
        return nodeId;
    }

    long lastHeardNanos() {
        return lastHeardNanos;
    }

    @Override
    public void onNext(NodeMessage m) {
        lastHeardNanos = System.nanoTime();
        switch (m.getMessageCase()) {
            case HELLO -> {
                if (state != State.AWAIT_HELLO) {
                    reject(RejectReason.REJECT_REASON_MALFORMED, "Hello sent twice");
                    return;
                }
                state = State.VERIFYING;
                Hello hello = m.getHello();
                registry.verifiers().execute(() -> verify(hello));
                return; // the next message is requested once the node is linked
            }
            case HEARTBEAT -> {
                if (state == State.LINKED) {
                    var hb = m.getHeartbeat();
                    registry.placement().refresh(nodeId, hb.getFreeSlots(), hb.getActiveJobs(), hb.getLoad(),
                            hb.getFreeVramBytes(), hb.getTokensPerSecond()).whenComplete((known, error) -> {
                                if (Boolean.FALSE.equals(known) && state == State.LINKED) {
                                    // the grid dropped the entry (expired while the link lived): put it back
                                    registry.placement().publish(linkedNode);
                                }
                            });
                }
            }
            case JOB_TOKENS -> {
                NodeJobEvents e = jobs.get(m.getJobTokens().getJobId());
                if (e != null) {
                    e.onTokens(m.getJobTokens());
                }
            }
            case JOB_DONE -> {
                NodeJobEvents e = jobs.remove(m.getJobDone().getJobId());
                if (e != null) {
                    e.onDone(m.getJobDone());
                }
            }
            case JOB_FAILED -> {
                NodeJobEvents e = jobs.remove(m.getJobFailed().getJobId());
                if (e != null) {
                    e.onFailed(m.getJobFailed().getMessage(), m.getJobFailed().getRetryable());
                }
            }
            default -> {
                if (state != State.LINKED) {
                    reject(RejectReason.REJECT_REASON_MALFORMED, "expected Hello first, got " + m.getMessageCase());
                    return;
                }
            }
        }
        if (state == State.LINKED) {
            out.request(1);
        }
    }

    private void verify(Hello hello) {
        try {
            String claimed = hello.getNodeKey().toLowerCase(Locale.ROOT);
            String text = NodeSignatures.challengeText(registry.settings().gatewayId(), registry.settings().chainId(),
                    nonce);
            Optional<String> signer = NodeSignatures.recoverSigner(text, hello.getSignature().toByteArray());
            if (signer.isEmpty() || !signer.get().equals(claimed)) {
                reject(RejectReason.REJECT_REASON_BAD_SIGNATURE, "the signature does not recover to node key "
                        + hello.getNodeKey() + "; sign \"" + text + "\" with EIP-191 personal_sign");
                return;
            }
            String malformed = malformed(hello);
            if (malformed != null) {
                reject(RejectReason.REJECT_REASON_MALFORMED, malformed);
                return;
            }
            StakeVerdict verdict = registry.stakeCheck().check(claimed);
            switch (verdict.outcome()) {
                case NOT_REGISTERED -> {
                    reject(RejectReason.REJECT_REASON_NOT_REGISTERED, "node key " + claimed
                            + " is not registered in NodeRegistry; stake at least " + verdict.minimum() + " GRID units");
                    return;
                }
                case INSUFFICIENT_STAKE -> {
                    reject(RejectReason.REJECT_REASON_INSUFFICIENT_STAKE, "node key " + claimed + " stakes "
                            + verdict.stake() + " GRID units; the minimum is " + verdict.minimum());
                    return;
                }
                case ADMITTED -> { }
            }
            nodeId = claimed;
            List<LinkedNode.Model> models = hello.getModelsList().stream()
                    .map(mi -> new LinkedNode.Model(mi.getName(), mi.getModelHash().toLowerCase(Locale.ROOT),
                            mi.getContextLength(), mi.getArchitecture(), mi.getParameters(), mi.getQuantization(),
                            mi.getChat()))
                    .toList();
            synchronized (this) {
                if (state == State.CLOSED) {
                    return;
                }
                state = State.LINKED;
            }
            handshakeTimer.cancel(false);
            registry.linked(this);
            linkedNode = new LinkedNode(nodeId, registry.placement().localMember(), hello.getGpusList(), models,
                    new BigInteger(hello.getPricePerToken().getBaseUnits()), hello.getTotalSlots(),
                    Math.min(hello.getFreeSlots(), hello.getTotalSlots()));
            registry.placement().publish(linkedNode);
            send(GatewayMessage.newBuilder().setWelcome(Welcome.newBuilder()
                    .setGatewayId(registry.settings().gatewayId())
                    .setHeartbeatIntervalMs((int) registry.settings().heartbeatInterval().toMillis())
                    .setExpiryMs((int) registry.settings().linkExpiry().toMillis())).build());
            LOG.log(Level.INFO, "node {0} linked: {1} slots, models {2}", nodeId, hello.getTotalSlots(),
                    models.stream().map(LinkedNode.Model::name).toList());
            out.request(1);
            registry.welcomed(this); // after Welcome: what the listeners send follows it on the link
        } catch (StakeCheckUnavailableException e) {
            close(Status.UNAVAILABLE.withDescription("cannot read the node's stake now: " + e.getMessage()
                    + "; reconnect later"), true);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "handshake of a node failed", e);
            close(Status.INTERNAL.withDescription("handshake failed: " + e), true);
        }
    }

    private static String malformed(Hello h) {
        if (h.getModelsCount() == 0) {
            return "Hello lists no models";
        }
        if (h.getTotalSlots() == 0) {
            return "Hello has total_slots 0";
        }
        String price = h.getPricePerToken().getBaseUnits();
        if (price.isEmpty() || !price.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return "price_per_token.base_units must be a base-10 integer, was '" + price + "'";
        }
        for (var m : h.getModelsList()) {
            if (m.getName().isBlank() || m.getModelHash().length() != 64) {
                return "model '" + m.getName() + "' needs a name and a 64-hex model_hash";
            }
        }
        return null;
    }

    private void reject(RejectReason reason, String message) {
        registry.observer().nodeRejected(reason.name());
        LOG.log(Level.INFO, "node rejected ({0}): {1}", reason, message);
        send(GatewayMessage.newBuilder().setRejected(Rejected.newBuilder().setReason(reason).setMessage(message))
                .build());
        close(Status.PERMISSION_DENIED.withDescription(reason.name() + ": " + message), true);
    }

    @Override
    public void onError(Throwable t) {
        close(Status.fromThrowable(t), false);
    }

    @Override
    public void onCompleted() {
        close(Status.OK, true);
    }

    /**
     * Ends the link: the node leaves the grid and its running jobs fail over to other nodes.
     *
     * @param tellNode whether the stream is still open and should end with {@code status}
     */
    public void close(Status status, boolean tellNode) {
        synchronized (this) {
            if (state == State.CLOSED) {
                return;
            }
            state = State.CLOSED;
        }
        handshakeTimer.cancel(false);
        if (!nodeId.isEmpty()) {
            registry.unlinked(this);
            LOG.log(Level.INFO, "node {0} unlinked: {1}", nodeId, status);
        }
        if (tellNode) {
            synchronized (outbox) {
                try {
                    // the last few messages (a Rejected) go out even if the transport is not ready:
                    // the stream ends right after them, so they cannot pile up
                    while (!outbox.isEmpty()) {
                        out.onNext(outbox.poll());
                    }
                    if (status.isOk()) {
                        out.onCompleted();
                    } else {
                        out.onError(status.asRuntimeException());
                    }
                } catch (RuntimeException e) {
                    LOG.log(Level.DEBUG, "link already closed", e);
                }
            }
        }
        for (String jobId : List.copyOf(jobs.keySet())) {
            NodeJobEvents e = jobs.remove(jobId);
            if (e != null) {
                e.onFailed("link to node " + nodeId + " lost: " + status.getCode() + " "
                        + (status.getDescription() == null ? "" : status.getDescription()), true);
            }
        }
    }

    private void send(GatewayMessage m) {
        boolean overflow;
        synchronized (outbox) {
            outbox.add(m);
            flushLocked();
            overflow = outbox.size() > MAX_OUTBOX;
            if (overflow) {
                outbox.clear();
            }
        }
        if (overflow) {
            close(Status.RESOURCE_EXHAUSTED.withDescription("the node does not read its link ("
                    + MAX_OUTBOX + " messages waiting); reconnect"), true);
        }
    }

    private void flush() {
        synchronized (outbox) {
            flushLocked();
        }
    }

    private void flushLocked() {
        try {
            while (!outbox.isEmpty() && out.isReady()) {
                out.onNext(outbox.poll());
            }
        } catch (RuntimeException e) {
            // the stream is gone; onError/onCancel closes the session
            outbox.clear();
        }
    }

    @Override
    public boolean assign(Assign assign, NodeJobEvents events) {
        if (state != State.LINKED) {
            return false;
        }
        jobs.put(assign.getJobId(), events);
        send(GatewayMessage.newBuilder().setAssign(assign).build());
        if (state == State.CLOSED && jobs.remove(assign.getJobId()) != null) {
            return false; // closed while we sent: nobody will report on it
        }
        return true;
    }

    @Override
    public void credit(String jobId, int tokens) {
        if (state == State.LINKED && jobs.containsKey(jobId)) {
            send(GatewayMessage.newBuilder().setCredit(Credit.newBuilder().setJobId(jobId).setTokens(tokens)).build());
        }
    }

    @Override
    public void cancel(String jobId, String reason) {
        if (jobs.remove(jobId) != null && state == State.LINKED) {
            send(GatewayMessage.newBuilder().setCancel(Cancel.newBuilder().setJobId(jobId).setReason(reason)).build());
        }
    }

    @Override
    public boolean pay(io.gridshare.proto.v1.Voucher voucher) {
        if (state != State.LINKED) {
            return false;
        }
        send(GatewayMessage.newBuilder().setPayment(voucher).build());
        return state == State.LINKED;
    }

    /** Jobs running on this node now. */
    public int activeJobs() {
        return jobs.size();
    }
}
