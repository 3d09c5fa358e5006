package io.gridshare.node.link;

import com.google.protobuf.ByteString;
import io.gridshare.proto.v1.Assign;
import io.gridshare.proto.v1.Cancel;
import io.gridshare.proto.v1.Challenge;
import io.gridshare.proto.v1.Credit;
import io.gridshare.proto.v1.GatewayMessage;
import io.gridshare.proto.v1.Hello;
import io.gridshare.proto.v1.JobDone;
import io.gridshare.proto.v1.JobFailed;
import io.gridshare.proto.v1.JobTokens;
import io.gridshare.proto.v1.NodeLinkGrpc;
import io.gridshare.proto.v1.NodeMessage;
import io.gridshare.proto.v1.RejectReason;
import io.gridshare.proto.v1.Rejected;
import io.gridshare.proto.v1.Welcome;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.SignatureException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.web3j.crypto.Keys;
import org.web3j.crypto.Sign;

/**
 * A gateway for tests that speaks the real NodeLink protocol over a real gRPC server on
 * 127.0.0.1: it sends a fresh Challenge, verifies the node's EIP-191 signature with web3j,
 * admits only registered node keys, and lets the test assign, credit and cancel jobs and drop
 * links, while recording everything the node sends.
 */
final class TestGateway implements AutoCloseable {

    static final String GATEWAY_ID = "test-gateway";
    static final long CHAIN_ID = 31337;

    private final Server server;
    private final List<Connection> connections = new CopyOnWriteArrayList<>();
    private final Set<String> registered = ConcurrentHashMap.newKeySet();
    private volatile int heartbeatIntervalMs = 5_000;
    private volatile Function<Hello, Rejected> extraCheck = hello -> null;
    private volatile boolean expectWrongText;
    private volatile boolean withholdChallenge;

    TestGateway() throws IOException {
        this(false);
    }

    /**
     * @param manualFlow read the node's messages only as the test allows ({@link Connection#pauseReading()}),
     *     with the smallest HTTP/2 window, so the node's side of the stream stops being ready
     */
    TestGateway(boolean manualFlow) throws IOException {
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0));
        if (manualFlow) {
            builder.flowControlWindow(65_535);
        }
        server = builder
                .permitKeepAliveTime(1, TimeUnit.SECONDS)
                .permitKeepAliveWithoutCalls(true)
                .addService(new NodeLinkGrpc.NodeLinkImplBase() {
                    @Override
                    public StreamObserver<NodeMessage> connect(StreamObserver<GatewayMessage> responses) {
                        Connection c = new Connection(responses);
                        if (manualFlow) {
                            c.serverCall = (ServerCallStreamObserver<GatewayMessage>) responses;
                            c.serverCall.disableAutoRequest();
                            c.serverCall.request(1);
                        }
                        connections.add(c);
                        c.start();
                        return c;
                    }
                })
                .build()
                .start();
    }

    GatewayAddress address() {
        return new GatewayAddress("127.0.0.1", server.getPort());
    }

    TestGateway register(String nodeAddress) {
        registered.add(nodeAddress.toLowerCase());
        return this;
    }

    TestGateway heartbeatIntervalMs(int ms) {
        heartbeatIntervalMs = ms;
        return this;
    }

    /** Verify signatures against a different text than the node was asked to sign (a protocol mismatch). */
    TestGateway expectWrongSignatureText() {
        expectWrongText = true;
        return this;
    }

    /** Accept streams but never send a Challenge, like a hung gateway. */
    TestGateway withholdChallenge() {
        withholdChallenge = true;
        return this;
    }

    TestGateway rejectWhen(Function<Hello, Rejected> check) {
        extraCheck = check;
        return this;
    }

    List<Connection> connections() {
        return connections;
    }

    Connection connection(int i) {
        return connections.get(i);
    }

    /** The last connection that was welcomed. */
    Connection linked() {
        for (int i = connections.size() - 1; i >= 0; i--) {
            if (connections.get(i).welcomed) {
                return connections.get(i);
            }
        }
        throw new AssertionError("no node linked");
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
    }

    static String recoverSigner(String text, byte[] sig) throws SignatureException {
        if (sig.length != 65) {
            throw new SignatureException("signature is " + sig.length + " bytes, not 65");
        }
        Sign.SignatureData data = new Sign.SignatureData(sig[64], java.util.Arrays.copyOfRange(sig, 0, 32),
                java.util.Arrays.copyOfRange(sig, 32, 64));
        BigInteger publicKey = Sign.signedPrefixedMessageToKey(text.getBytes(StandardCharsets.UTF_8), data);
        return "0x" + Keys.getAddress(publicKey);
    }

    /** One Connect stream, as the gateway sees it. */
    final class Connection implements StreamObserver<NodeMessage> {

        private final StreamObserver<GatewayMessage> out;
        volatile ServerCallStreamObserver<GatewayMessage> serverCall;
        private volatile boolean readingPaused;
        final java.util.concurrent.atomic.AtomicLong bytesReceived = new java.util.concurrent.atomic.AtomicLong();
        final Challenge challenge;
        final long openedNanos = System.nanoTime();
        volatile Hello hello;
        volatile String recoveredSigner;
        volatile boolean welcomed;
        volatile boolean rejected;
        volatile boolean ended;
        final List<Long> heartbeatNanos = new CopyOnWriteArrayList<>();
        final List<io.gridshare.proto.v1.Heartbeat> heartbeats = new CopyOnWriteArrayList<>();
        final Map<String, List<JobTokens>> tokens = new ConcurrentHashMap<>();
        final Map<String, JobDone> done = new ConcurrentHashMap<>();
        final Map<String, JobFailed> failed = new ConcurrentHashMap<>();

        Connection(StreamObserver<GatewayMessage> out) {
            this.out = out;
            byte[] nonce = new byte[32];
            new SecureRandom().nextBytes(nonce);
            challenge = Challenge.newBuilder().setNonce(ByteString.copyFrom(nonce)).setGatewayId(GATEWAY_ID)
                    .setChainId(CHAIN_ID).build();
        }

        void start() {
            if (withholdChallenge) {
                return;
            }
            send(GatewayMessage.newBuilder().setChallenge(challenge).build());
        }

        synchronized void send(GatewayMessage m) {
            if (!ended) {
                out.onNext(m);
            }
        }

        /** Stops reading the node's messages (manual flow only): as a gateway stuck behind a slow network would. */
        void pauseReading() {
            readingPaused = true;
        }

        void resumeReading() {
            readingPaused = false;
            serverCall.request(1);
        }

        @Override
        public void onNext(NodeMessage m) {
            bytesReceived.addAndGet(m.getSerializedSize());
            if (serverCall != null && !readingPaused) {
                serverCall.request(1);
            }
            switch (m.getMessageCase()) {
                case HELLO -> onHello(m.getHello());
                case HEARTBEAT -> {
                    heartbeatNanos.add(System.nanoTime());
                    heartbeats.add(m.getHeartbeat());
                }
                case JOB_TOKENS -> tokens.computeIfAbsent(m.getJobTokens().getJobId(), k -> new CopyOnWriteArrayList<>())
                        .add(m.getJobTokens());
                case JOB_DONE -> done.put(m.getJobDone().getJobId(), m.getJobDone());
                case JOB_FAILED -> failed.put(m.getJobFailed().getJobId(), m.getJobFailed());
                default -> { }
            }
        }

        private void onHello(Hello h) {
            hello = h;
            String text = NodeKey.challengeText(expectWrongText
                    ? challenge.toBuilder().setGatewayId("another-gateway").build() : challenge);
            try {
                recoveredSigner = recoverSigner(text, h.getSignature().toByteArray());
            } catch (SignatureException e) {
                recoveredSigner = null;
            }
            Rejected rejection;
            if (recoveredSigner == null || !recoveredSigner.equalsIgnoreCase(h.getNodeKey())) {
                rejection = Rejected.newBuilder().setReason(RejectReason.REJECT_REASON_BAD_SIGNATURE)
                        .setMessage("signature does not recover to " + h.getNodeKey()).build();
            } else if (!registered.contains(h.getNodeKey().toLowerCase())) {
                rejection = Rejected.newBuilder().setReason(RejectReason.REJECT_REASON_NOT_REGISTERED)
                        .setMessage(h.getNodeKey() + " is not in NodeRegistry").build();
            } else {
                rejection = extraCheck.apply(h);
            }
            if (rejection != null) {
                rejected = true;
                send(GatewayMessage.newBuilder().setRejected(rejection).build());
                end(Status.PERMISSION_DENIED.withDescription(rejection.getMessage()));
                return;
            }
            send(GatewayMessage.newBuilder().setWelcome(Welcome.newBuilder().setGatewayId(GATEWAY_ID)
                    .setHeartbeatIntervalMs(heartbeatIntervalMs).setExpiryMs(heartbeatIntervalMs * 3)).build());
            // only now may a test assign: the Welcome must go out first
            welcomed = true;
        }

        void assign(Assign assign) {
            send(GatewayMessage.newBuilder().setAssign(assign).build());
        }

        void credit(String jobId, int tokens) {
            send(GatewayMessage.newBuilder().setCredit(Credit.newBuilder().setJobId(jobId).setTokens(tokens)).build());
        }

        void cancel(String jobId) {
            send(GatewayMessage.newBuilder().setCancel(Cancel.newBuilder().setJobId(jobId).setReason("tenant cancelled"))
                    .build());
        }

        void payment(io.gridshare.proto.v1.Voucher voucher) {
            send(GatewayMessage.newBuilder().setPayment(voucher).build());
        }

        /** Ends the stream from the gateway side, as a crashing or restarting gateway would. */
        synchronized void end(Status status) {
            if (!ended) {
                ended = true;
                out.onError(status.asRuntimeException());
            }
        }

        /** All token ids received for a job, in order, checking the indexes are contiguous. */
        List<Integer> tokenIds(String jobId) {
            List<Integer> ids = new ArrayList<>();
            Integer expected = null;
            for (JobTokens t : tokens.getOrDefault(jobId, List.of())) {
                if (expected != null && t.getIndex() != expected) {
                    throw new AssertionError("job " + jobId + ": tokens from index " + t.getIndex()
                            + " follow tokens up to " + expected);
                }
                ids.addAll(t.getTokenIdsList());
                expected = t.getIndex() + t.getTokenIdsCount();
                List<String> texts = tokenTexts(t);
                if (texts.size() != t.getTokenIdsCount() || !String.join("", texts).equals(t.getText())) {
                    throw new AssertionError("job " + jobId + ": token_texts " + texts + " do not match "
                            + t.getTokenIdsCount() + " tokens with text '" + t.getText() + "'");
                }
            }
            return ids;
        }

        /** JobTokens.token_texts (field 6), read by number so it works whether or not it is generated. */
        static List<String> tokenTexts(JobTokens t) {
            try {
                return com.google.protobuf.UnknownFieldSet.parseFrom(t.toByteString())
                        .getField(LinkJob.TOKEN_TEXTS_FIELD).getLengthDelimitedList().stream()
                        .map(com.google.protobuf.ByteString::toStringUtf8).toList();
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                throw new AssertionError(e);
            }
        }

        int firstIndex(String jobId) {
            return tokens.get(jobId).getFirst().getIndex();
        }

        String text(String jobId) {
            StringBuilder s = new StringBuilder();
            tokens.getOrDefault(jobId, List.of()).forEach(t -> s.append(t.getText()));
            return s.toString();
        }

        int tokenCount(String jobId) {
            return tokens.getOrDefault(jobId, List.of()).stream().mapToInt(JobTokens::getTokenIdsCount).sum();
        }

        @Override
        public void onError(Throwable t) {
            ended = true;
        }

        @Override
        public void onCompleted() {
            synchronized (this) {
                if (!ended) {
                    ended = true;
                    out.onCompleted();
                }
            }
        }
    }
}
