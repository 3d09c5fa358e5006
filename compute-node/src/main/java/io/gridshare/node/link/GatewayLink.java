package io.gridshare.node.link;

import io.gridshare.proto.v1.NodeLinkGrpc;
import io.gridshare.proto.v1.RejectReason;
import io.gridshare.proto.v1.Welcome;
import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The node's link to one gateway. Dials out (a node behind NAT needs no open port), keeps one
 * Connect stream open, and redials with exponential backoff and jitter whenever it drops.
 *
 * <p>Rejections: BAD_SIGNATURE, UNSUPPORTED_VERSION and MALFORMED cannot be fixed by retrying the
 * same Hello, so the link stops ({@link LinkState#REJECTED}) and says what to do; NOT_REGISTERED
 * and INSUFFICIENT_STAKE can be fixed on-chain while the node runs, so the link retries every
 * {@link LinkSettings#rejectedRetryDelay()}; anything else retries with the normal backoff.
 */
public final class GatewayLink implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(GatewayLink.class.getName());

    /** A rejection as the gateway stated it. */
    public record Rejection(RejectReason reason, String message) {}

    private final GatewayAddress address;
    private final NodeContext node;
    private final LinkSettings settings;
    private final ManagedChannel channel;
    private final ScheduledExecutorService scheduler;
    private final Backoff backoff;
    private final Object lock = new Object();
    // guarded by lock
    private LinkSession current;
    private boolean stopped;
    private volatile LinkState state = LinkState.CONNECTING;
    private volatile Rejection lastRejection;
    private volatile String lastError;
    private volatile String gatewayId = "";
    private volatile Duration lastBackoff;

    public GatewayLink(GatewayAddress address, NodeContext node, LinkSettings settings) {
        this.address = Objects.requireNonNull(address, "address");
        this.node = Objects.requireNonNull(node, "node");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.backoff = new Backoff(settings.reconnectInitialDelay(), settings.reconnectMaxDelay());
        this.channel = NettyChannelBuilder.forAddress(address.host(), address.port(), credentials(settings))
                .keepAliveTime(settings.keepAliveTime().toMillis(), TimeUnit.MILLISECONDS)
                .keepAliveTimeout(settings.keepAliveTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .build();
        this.scheduler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("gridshare-link-" + address).factory());
    }

    private static ChannelCredentials credentials(LinkSettings settings) {
        if (!settings.tls()) {
            return InsecureChannelCredentials.create();
        }
        TlsChannelCredentials.Builder tls = TlsChannelCredentials.newBuilder();
        if (settings.trustCertificates() != null) {
            try {
                tls.trustManager(settings.trustCertificates().toFile());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the TLS trust certificates "
                        + settings.trustCertificates() + ": " + e.getMessage(), e);
            }
        }
        return tls.build();
    }

    /** Starts dialling; returns at once. */
    public GatewayLink start() {
        scheduler.execute(this::connect);
        return this;
    }

    public GatewayAddress address() {
        return address;
    }

    public LinkState state() {
        return state;
    }

    /** The gateway's id once it sent its Challenge, else "". */
    public String gatewayId() {
        return gatewayId;
    }

    /** The last rejection, or null. */
    public Rejection lastRejection() {
        return lastRejection;
    }

    /** Why the link last dropped, or null. */
    public String lastError() {
        return lastError;
    }

    /** The delay chosen before the latest redial, or null before any. */
    public Duration lastBackoff() {
        return lastBackoff;
    }

    /** Jobs running on this link now. */
    public int activeJobs() {
        synchronized (lock) {
            return current == null ? 0 : current.activeJobs();
        }
    }

    private void connect() {
        LinkSession session;
        synchronized (lock) {
            if (stopped) {
                return;
            }
            session = new LinkSession(address.toString(), node, settings, scheduler, new SessionListener());
            current = session;
            state = LinkState.CONNECTING;
        }
        LOG.log(Level.DEBUG, "dialling gateway " + address);
        NodeLinkGrpc.newStub(channel).connect(session);
        schedule(session::handshakeDeadline, settings.handshakeTimeout());
    }

    private void schedule(Runnable task, Duration delay) {
        try {
            scheduler.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closing: nothing more to schedule
        }
    }

    private final class SessionListener implements LinkSession.Listener {

        @Override
        public void handshaking(LinkSession session) {
            synchronized (lock) {
                if (session == current && !stopped) {
                    gatewayId = session.gatewayId();
                    state = LinkState.HANDSHAKING;
                }
            }
        }

        @Override
        public void welcomed(LinkSession session, Welcome welcome) {
            synchronized (lock) {
                if (session != current || stopped) {
                    return;
                }
                gatewayId = session.gatewayId();
                state = LinkState.LINKED;
                lastRejection = null;
                lastError = null;
                // a completed handshake proves the gateway healthy: the next drop starts over
                backoff.reset();
            }
            node.metrics().connected(address.toString());
            LOG.log(Level.INFO, "linked to gateway " + gatewayId + " at " + address + " as node "
                    + node.key().address() + " (heartbeat every " + welcome.getHeartbeatIntervalMs() + " ms)");
        }

        @Override
        public void ended(LinkSession session, LinkSession.End end) {
            synchronized (lock) {
                if (session != current) {
                    return;
                }
                current = null;
                if (stopped || end.kind() == LinkSession.End.Kind.STOPPED) {
                    state = LinkState.STOPPED;
                    return;
                }
                if (end.kind() == LinkSession.End.Kind.REJECTED) {
                    onRejected(end);
                } else {
                    lastError = end.message();
                    Duration delay = backoff.next();
                    lastBackoff = delay;
                    state = LinkState.BACKING_OFF;
                    LOG.log(Level.WARNING, end.message() + "; redialling in " + delay.toMillis() + " ms");
                    schedule(GatewayLink.this::connect, delay);
                }
            }
        }
    }

    // called under lock
    private void onRejected(LinkSession.End end) {
        RejectReason reason = end.reason() == null ? RejectReason.REJECT_REASON_UNSPECIFIED : end.reason();
        lastRejection = new Rejection(reason, end.message());
        node.metrics().rejected(address.toString(), reason.name());
        String said = "gateway " + address + " rejected node " + node.key().address() + ": " + reason
                + (end.message().isEmpty() ? "" : " (" + end.message() + ")");
        switch (reason) {
            case REJECT_REASON_BAD_SIGNATURE, REJECT_REASON_UNSUPPORTED_VERSION, REJECT_REASON_MALFORMED -> {
                state = LinkState.REJECTED;
                LOG.log(Level.ERROR, said + ". Retrying cannot fix this: "
                        + whatToDo(reason) + "; this link stays down until the node restarts.");
            }
            case REJECT_REASON_NOT_REGISTERED, REJECT_REASON_INSUFFICIENT_STAKE -> {
                Duration delay = settings.rejectedRetryDelay();
                lastBackoff = delay;
                state = LinkState.BACKING_OFF;
                LOG.log(Level.WARNING, said + ". " + whatToDo(reason) + "; retrying in " + delay.toSeconds() + " s.");
                schedule(this::connect, delay);
            }
            default -> {
                Duration delay = backoff.next();
                lastBackoff = delay;
                state = LinkState.BACKING_OFF;
                LOG.log(Level.WARNING, said + "; retrying in " + delay.toMillis() + " ms.");
                schedule(this::connect, delay);
            }
        }
    }

    private static String whatToDo(RejectReason reason) {
        return switch (reason) {
            case REJECT_REASON_BAD_SIGNATURE -> "check that the node's keystore holds the registered node key and"
                    + " that node and gateway run the same link protocol version";
            case REJECT_REASON_UNSUPPORTED_VERSION -> "upgrade the node to a version this gateway supports";
            case REJECT_REASON_MALFORMED -> "this node sent a Hello the gateway cannot read; upgrade the node";
            case REJECT_REASON_NOT_REGISTERED -> "register the node key in NodeRegistry (gridshare node register)";
            case REJECT_REASON_INSUFFICIENT_STAKE -> "add stake for the node key in NodeRegistry";
            default -> "see the gateway's message";
        };
    }

    /** Ends the link: running jobs are cancelled, the stream and channel closed. */
    @Override
    public void close() {
        LinkSession session;
        synchronized (lock) {
            if (stopped) {
                return;
            }
            stopped = true;
            session = current;
            state = LinkState.STOPPED;
        }
        if (session != null) {
            session.stop();
        }
        scheduler.shutdownNow();
        channel.shutdown();
        try {
            if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
                channel.shutdownNow();
            }
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            channel.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
