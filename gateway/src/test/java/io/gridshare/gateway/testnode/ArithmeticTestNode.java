package io.gridshare.gateway.testnode;

import com.google.protobuf.ByteString;
import io.gridshare.gateway.link.NodeSignatures;
import io.gridshare.proto.v1.Amount;
import io.gridshare.proto.v1.Assign;
import io.gridshare.proto.v1.FinishReason;
import io.gridshare.proto.v1.GatewayMessage;
import io.gridshare.proto.v1.Heartbeat;
import io.gridshare.proto.v1.Hello;
import io.gridshare.proto.v1.JobDone;
import io.gridshare.proto.v1.JobTokens;
import io.gridshare.proto.v1.ModelInfo;
import io.gridshare.proto.v1.NodeLinkGrpc;
import io.gridshare.proto.v1.NodeMessage;
import io.gridshare.proto.v1.Rejected;
import io.gridshare.proto.v1.Usage;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Keys;

/**
 * A compute node for gateway tests that speaks the real NodeLink protocol (challenge, signed Hello,
 * heartbeats, Assign, Credit, Cancel) but computes its tokens from arithmetic instead of a model: token
 * {@code i} of a job is {@link #expectedToken(String, long, int)}, so any node resumes any job exactly
 * where another stopped, as real greedy or seeded decoding does. It honours per-job credit and stops
 * before its next token on Cancel.
 */
public final class ArithmeticTestNode implements AutoCloseable {

    public static final String MODEL_NAME = "arith";
    public static final String MODEL_HASH = "a".repeat(64);
    // the details the node's Hello reports for its model: what a Qwen2.5-0.5B Q8_0 GGUF file says
    public static final String MODEL_ARCHITECTURE = "qwen2";
    public static final long MODEL_PARAMETERS = 494_032_768L;
    public static final String MODEL_QUANTIZATION = "Q8_0 ×169";
    public static final boolean MODEL_CHAT = true;

    private final ECKeyPair key;
    private final String address;
    private final Channel channel;
    private final long price;
    private final int slots;
    private final long tokenDelayMillis;
    private final boolean signCorrectly;

    private final CompletableFuture<GatewayMessage> verdict = new CompletableFuture<>();
    private final CompletableFuture<Status> linkEnded = new CompletableFuture<>();
    private final Map<String, RunningJob> jobs = new ConcurrentHashMap<>();
    private final List<String> assignedJobs = new CopyOnWriteArrayList<>();
    private final List<Assign> assigns = new CopyOnWriteArrayList<>();
    private final List<String> cancelledJobs = new CopyOnWriteArrayList<>();
    private final List<io.gridshare.proto.v1.Voucher> payments = new CopyOnWriteArrayList<>();
    private final AtomicInteger tokensProduced = new AtomicInteger();
    // gaps between consecutive tokens of one job as the node produced them (the "engine alone" baseline)
    private final java.util.concurrent.ConcurrentLinkedQueue<Long> producedGapsNanos =
            new java.util.concurrent.ConcurrentLinkedQueue<>();
    private volatile boolean heartbeating = true;
    private volatile ClientCallStreamObserver<NodeMessage> toGateway;
    private volatile Thread heartbeatThread;

    public ArithmeticTestNode(Channel channel, ECKeyPair key, long price, int slots, long tokenDelayMillis,
                              boolean signCorrectly) {
        this.channel = channel;
        this.key = key;
        this.address = "0x" + Keys.getAddress(key.getPublicKey());
        this.price = price;
        this.slots = slots;
        this.tokenDelayMillis = tokenDelayMillis;
        this.signCorrectly = signCorrectly;
    }

    /** The token an uninterrupted run produces at {@code index}. */
    /**
     * The text a job's tokens derive from: its prompt, or for a chat job the conversation in the
     * gateway's flat User:/Assistant: form (a stand-in for a model's chat template).
     */
    public static String promptOf(Assign a) {
        if (a.getMessagesCount() == 0) {
            return a.getPrompt();
        }
        StringBuilder text = new StringBuilder();
        for (var m : a.getMessagesList()) {
            switch (m.getRole()) {
                case "system" -> text.append(m.getContent()).append("\n\n");
                case "user" -> text.append("User: ").append(m.getContent()).append('\n');
                default -> text.append("Assistant: ").append(m.getContent()).append('\n');
            }
        }
        return text.append("Assistant:").toString();
    }

    public static int expectedToken(String prompt, long seed, int index) {
        return Math.floorMod(prompt.hashCode() * 31 + (int) seed * 17 + index * 7919, 32_000);
    }

    public static String textOf(int token) {
        return "<" + token + ">";
    }

    public String address() {
        return address;
    }

    /** Dials the gateway and answers its challenge; {@link #verdict()} completes with Welcome or Rejected. */
    public ArithmeticTestNode connect() {
        NodeLinkGrpc.newStub(channel).connect(new ClientResponseObserver<NodeMessage, GatewayMessage>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<NodeMessage> requestStream) {
                toGateway = requestStream;
            }

            @Override
            public void onNext(GatewayMessage m) {
                switch (m.getMessageCase()) {
                    case CHALLENGE -> {
                        var c = m.getChallenge();
                        String text = NodeSignatures.challengeText(c.getGatewayId(), c.getChainId(),
                                c.getNonce().toByteArray());
                        byte[] sig = NodeSignatures.sign(signCorrectly ? text : text + "tampered", key);
                        send(NodeMessage.newBuilder().setHello(Hello.newBuilder().setNodeKey(address)
                                .setSignature(ByteString.copyFrom(sig))
                                .addModels(ModelInfo.newBuilder().setName(MODEL_NAME).setModelHash(MODEL_HASH)
                                        .setContextLength(512).setArchitecture(MODEL_ARCHITECTURE)
                                        .setParameters(MODEL_PARAMETERS).setQuantization(MODEL_QUANTIZATION)
                                        .setChat(MODEL_CHAT))
                                .setPricePerToken(Amount.newBuilder().setBaseUnits(Long.toString(price)))
                                .setTotalSlots(slots).setFreeSlots(slots).setVersion("test").setBackend("cpu"))
                                .build());
                    }
                    case WELCOME -> {
                        verdict.complete(m);
                        startHeartbeats(m.getWelcome().getHeartbeatIntervalMs());
                    }
                    case REJECTED -> verdict.complete(m);
                    case ASSIGN -> start(m.getAssign());
                    case CREDIT -> {
                        RunningJob j = jobs.get(m.getCredit().getJobId());
                        if (j != null) {
                            j.credit.release(m.getCredit().getTokens());
                        }
                    }
                    case CANCEL -> {
                        cancelledJobs.add(m.getCancel().getJobId());
                        RunningJob j = jobs.remove(m.getCancel().getJobId());
                        if (j != null) {
                            j.cancelled = true;
                            j.thread.interrupt();
                        }
                    }
                    case PAYMENT -> payments.add(m.getPayment());
                    default -> { }
                }
            }

            @Override
            public void onError(Throwable t) {
                verdict.completeExceptionally(t);
                linkEnded.complete(Status.fromThrowable(t));
                stopJobs();
            }

            @Override
            public void onCompleted() {
                linkEnded.complete(Status.OK);
                stopJobs();
            }
        });
        return this;
    }

    private void startHeartbeats(int intervalMs) {
        heartbeatThread = Thread.ofVirtual().start(() -> {
            try {
                while (!linkEnded.isDone()) {
                    Thread.sleep(intervalMs);
                    if (heartbeating) {
                        int busy = jobs.size();
                        send(NodeMessage.newBuilder().setHeartbeat(Heartbeat.newBuilder()
                                .setFreeSlots(Math.max(0, slots - busy)).setLoad((float) busy / slots)
                                .setActiveJobs(busy)).build());
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    private final class RunningJob {
        final Semaphore credit;
        volatile boolean cancelled;
        volatile Thread thread;

        RunningJob(int initialCredit) {
            credit = new Semaphore(initialCredit);
        }
    }

    private void start(Assign a) {
        assignedJobs.add(a.getJobId());
        assigns.add(a);
        RunningJob job = new RunningJob(a.getInitialCredit());
        jobs.put(a.getJobId(), job);
        job.thread = Thread.ofVirtual().unstarted(() -> run(a, job));
        job.thread.start();
    }

    private void run(Assign a, RunningJob job) {
        int emitted = a.getEmittedTokenIdsCount();
        // the resumed prefix must be what we would have produced: a real engine would teacher-force it
        for (int i = 0; i < emitted; i++) {
            if (a.getEmittedTokenIds(i) != expectedToken(promptOf(a), a.getSeed(), i)) {
                throw new IllegalStateException("resumed with a prefix that differs at token " + i);
            }
        }
        long last = 0;
        try {
            for (int i = emitted; i < a.getMaxTokens(); i++) {
                job.credit.acquire();
                if (job.cancelled || linkEnded.isDone()) {
                    return;
                }
                if (tokenDelayMillis > 0) {
                    Thread.sleep(tokenDelayMillis);
                }
                if (job.cancelled || linkEnded.isDone()) {
                    return;
                }
                int token = expectedToken(promptOf(a), a.getSeed(), i);
                tokensProduced.incrementAndGet();
                long now = System.nanoTime();
                if (last != 0) {
                    producedGapsNanos.add(now - last);
                }
                last = now;
                send(NodeMessage.newBuilder().setJobTokens(JobTokens.newBuilder().setJobId(a.getJobId()).setIndex(i)
                        .addTokenIds(token).setText(textOf(token)).addTokenTexts(textOf(token))
                        .addLogProbs(-0.5f)).build());
            }
            jobs.remove(a.getJobId());
            send(NodeMessage.newBuilder().setJobDone(JobDone.newBuilder().setJobId(a.getJobId())
                    .setFinishReason(FinishReason.FINISH_REASON_LENGTH)
                    .setUsage(Usage.newBuilder().setPromptTokens(3).setCompletionTokens(a.getMaxTokens() - emitted)))
                    .build());
        } catch (InterruptedException e) {
            // cancelled or the link ended
        }
    }

    private void send(NodeMessage m) {
        ClientCallStreamObserver<NodeMessage> out = toGateway;
        synchronized (this) {
            if (!linkEnded.isDone()) {
                try {
                    out.onNext(m);
                } catch (RuntimeException e) {
                    // the link broke; onError follows
                }
            }
        }
    }

    private void stopJobs() {
        jobs.values().forEach(j -> {
            j.cancelled = true;
            j.thread.interrupt();
        });
        jobs.clear();
    }

    /** Welcome or Rejected, whichever the gateway sent. */
    public GatewayMessage verdict() throws Exception {
        return verdict.get(10, TimeUnit.SECONDS);
    }

    public Rejected rejected() throws Exception {
        return verdict().getRejected();
    }

    /** Simulates a crash: the link drops without a word (the gateway sees the stream cancelled). */
    public void kill() {
        synchronized (this) {
            if (toGateway != null && !linkEnded.isDone()) {
                toGateway.cancel("node killed", null);
            }
        }
        linkEnded.complete(Status.CANCELLED);
        stopJobs();
    }

    /** Keeps the link open but stops heartbeating (a hung node). */
    public void stopHeartbeats() {
        heartbeating = false;
    }

    public CompletableFuture<Status> linkEnded() {
        return linkEnded;
    }

    public List<String> assignedJobs() {
        return assignedJobs;
    }

    public List<Assign> assigns() {
        return assigns;
    }

    public List<String> cancelledJobs() {
        return cancelledJobs;
    }

    /** The vouchers (GatewayMessage.payment) the gateway sent over this node's link, in order. */
    public List<io.gridshare.proto.v1.Voucher> payments() {
        return payments;
    }

    public int tokensProduced() {
        return tokensProduced.get();
    }

    public java.util.Collection<Long> producedGapsNanos() {
        return producedGapsNanos;
    }

    public int activeJobs() {
        return jobs.size();
    }

    @Override
    public void close() {
        if (!linkEnded.isDone()) {
            synchronized (this) {
                try {
                    toGateway.onCompleted();
                } catch (RuntimeException e) {
                    // already gone
                }
            }
            linkEnded.complete(Status.OK);
        }
        stopJobs();
        if (heartbeatThread != null) {
            heartbeatThread.interrupt();
        }
    }
}
