package io.gridshare.client;

import io.gridshare.chain.voucher.Voucher;
import io.gridshare.chain.voucher.Vouchers;
import io.gridshare.proto.v1.Accepted;
import io.gridshare.proto.v1.Amount;
import io.gridshare.proto.v1.ChannelRef;
import io.gridshare.proto.v1.Completed;
import io.gridshare.proto.v1.FinishReason;
import io.gridshare.proto.v1.GenerateClientMessage;
import io.gridshare.proto.v1.GenerateRequest;
import io.gridshare.proto.v1.GenerateServerMessage;
import io.gridshare.proto.v1.InferenceGrpc;
import io.gridshare.proto.v1.ListModelsRequest;
import io.gridshare.proto.v1.ListModelsResponse;
import io.gridshare.proto.v1.ModelOffer;
import io.gridshare.proto.v1.PaymentDue;
import io.gridshare.proto.v1.Receipt;
import io.gridshare.proto.v1.Tokens;
import io.gridshare.proto.v1.Usage;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A gateway for tests that speaks the Inference protocol as PAYMENTS.md describes it: Accepted with
 * price, payee and credit window; tokens only while the job's unpaid tokens are below the window;
 * PaymentDue with the channel's cumulative owed amount at every half window and at the end; vouchers
 * verified (EIP-712 signer, higher than the latest) and credited; Completed with the receipt once
 * the job is paid. Its {@link Script} can make it misbehave (ask for too much, skip or repeat an
 * index, lie in the receipt, fail with a status, stall) so that the client's checks are exercised.
 */
public final class ScriptedGateway implements AutoCloseable {

    /** What the gateway does; every field has a faithful default. */
    public static final class Script {
        public BigInteger price = BigInteger.valueOf(1_000);
        public int window = 4;
        public List<String> words = List.of(" Once", " upon", " a", " time", " there", " was", " a", " fox", " in", " the");
        public String payee = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";
        public String expectedSigner;
        public String nodeId = "0x90f79bf6eb2c4f870365e785982e1f101e93b906";
        public String modelHash = "ab".repeat(32);
        /** The one model ListModels offers (its hash is {@link #modelHash}); stories260K as a node reports it. */
        public String modelName = "stories260K";
        public String architecture = "llama";
        public long parameters = 260_032;
        public String quantization = "F32";
        public boolean chat;
        /** Added to every PaymentDue's cumulative amount (a greedy gateway). */
        public BigInteger greedyExtra = BigInteger.ZERO;
        /** The token at this position is sent with the index after it (a gap). */
        public int gapAt = -1;
        /** The token at this position is sent with the index before it (a repeat). */
        public int repeatAt = -1;
        /** Added to the receipt's amount (a lying receipt). */
        public BigInteger receiptAmountDelta = BigInteger.ZERO;
        /** Ends every call at once with this status. */
        public Status failWith;
        /** Stops sending after this many tokens and waits for the tenant to cancel. */
        public int stallAfter = -1;
        public Duration paymentTimeout = Duration.ofSeconds(5);
    }

    private final Script script;
    private final Server server;
    private final String inProcessName;
    private final ExecutorService jobs = Executors.newCachedThreadPool();
    private final Map<BigInteger, BigInteger> latestVoucher = new HashMap<>();
    private final Map<BigInteger, BigInteger> owed = new HashMap<>();
    /** Every voucher the gateway accepted, in order. */
    public final List<Voucher> vouchers = new CopyOnWriteArrayList<>();
    /** Every request it received. */
    public final List<GenerateRequest> requests = new CopyOnWriteArrayList<>();
    /** Counted down when a tenant cancels (CancelJob or a cancelled call). */
    public final CountDownLatch cancelled = new CountDownLatch(1);
    public volatile String cancelReason;

    private ScriptedGateway(Script script, boolean loopback) {
        this.script = script;
        try {
            if (loopback) {
                inProcessName = null;
                server = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                        .addService(new Service()).build().start();
            } else {
                inProcessName = "scripted-gateway-" + UUID.randomUUID();
                server = InProcessServerBuilder.forName(inProcessName).addService(new Service()).build().start();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An in-process gateway; connect with {@link #channel()}. */
    public static ScriptedGateway inProcess(Script script) {
        return new ScriptedGateway(script, false);
    }

    /** A gateway on a free loopback TCP port; connect to {@link #target()}. */
    public static ScriptedGateway onLoopback(Script script) {
        return new ScriptedGateway(script, true);
    }

    public ManagedChannel channel() {
        return InProcessChannelBuilder.forName(inProcessName).build();
    }

    public String target() {
        return "127.0.0.1:" + server.getPort();
    }

    public synchronized BigInteger latestVoucher(BigInteger channelId) {
        return latestVoucher.getOrDefault(channelId, BigInteger.ZERO);
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow();
        jobs.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
        jobs.awaitTermination(5, TimeUnit.SECONDS);
    }

    private final class Service extends InferenceGrpc.InferenceImplBase {
        @Override
        public void listModels(ListModelsRequest request, StreamObserver<ListModelsResponse> responses) {
            responses.onNext(ListModelsResponse.newBuilder().addModels(ModelOffer.newBuilder().setName(script.modelName)
                    .setModelHash(script.modelHash).setFreeSlots(3).setTotalSlots(4).setNodes(2)
                    .setMinPricePerToken(amount(script.price)).setContextLength(512)
                    .setArchitecture(script.architecture).setParameters(script.parameters)
                    .setQuantization(script.quantization).setChat(script.chat)).build());
            responses.onCompleted();
        }

        @Override
        public StreamObserver<GenerateClientMessage> generate(StreamObserver<GenerateServerMessage> responses) {
            Job job = new Job((ServerCallStreamObserver<GenerateServerMessage>) responses);
            return job;
        }
    }

    /** One job: the request observer (vouchers, cancel) and the sending loop on its own thread. */
    private final class Job implements StreamObserver<GenerateClientMessage> {
        private final ServerCallStreamObserver<GenerateServerMessage> out;
        private final Object lock = new Object();
        private GenerateRequest request;
        private ChannelKey channel;
        private BigInteger paidForJob = BigInteger.ZERO;
        private boolean ended;

        Job(ServerCallStreamObserver<GenerateServerMessage> out) {
            this.out = out;
            out.setOnCancelHandler(() -> tenantCancelled("call cancelled"));
        }

        private void tenantCancelled(String reason) {
            synchronized (lock) {
                ended = true;
                lock.notifyAll();
            }
            synchronized (ScriptedGateway.this) {
                if (cancelReason == null) {
                    cancelReason = reason; // the first sign of the tenant's cancellation
                }
            }
            cancelled.countDown();
        }

        @Override
        public void onNext(GenerateClientMessage message) {
            switch (message.getMessageCase()) {
                case REQUEST -> {
                    request = message.getRequest();
                    requests.add(request);
                    if (script.failWith != null) {
                        out.onError(script.failWith.asRuntimeException());
                        return;
                    }
                    if (request.hasChannel()) {
                        channel = ChannelKey.fromProto(request.getChannel());
                    }
                    jobs.submit(this::run);
                }
                case VOUCHER -> onVoucher(message.getVoucher());
                case CANCEL -> tenantCancelled("CancelJob: " + message.getCancel().getReason());
                default -> { }
            }
        }

        private void onVoucher(io.gridshare.proto.v1.Voucher v) {
            Voucher voucher = new Voucher(new BigInteger(v.getChannel().getChannelId()),
                    new BigInteger(v.getCumulativeAmount().getBaseUnits()), v.getSignature().toByteArray());
            ChannelKey key = ChannelKey.fromProto(v.getChannel());
            String signer = Vouchers.recoverSigner(key.domain(), voucher);
            if (!key.equals(channel) || (script.expectedSigner != null && !signer.equalsIgnoreCase(script.expectedSigner))) {
                end(Status.PERMISSION_DENIED.withDescription("voucher rejected: signed by " + signer + " for " + key));
                return;
            }
            synchronized (ScriptedGateway.this) {
                BigInteger latest = latestVoucher.getOrDefault(voucher.channelId(), BigInteger.ZERO);
                if (voucher.cumulativeAmount().compareTo(latest) <= 0) {
                    return; // a replay: ignored
                }
                latestVoucher.put(voucher.channelId(), voucher.cumulativeAmount());
                vouchers.add(voucher);
                synchronized (lock) {
                    paidForJob = paidForJob.add(voucher.cumulativeAmount().subtract(latest));
                    lock.notifyAll();
                }
            }
        }

        private int unpaidTokens(int sent) {
            if (script.price.signum() == 0) {
                return 0;
            }
            return sent - paidForJob.divide(script.price).intValue();
        }

        private void run() {
            boolean paid = channel != null;
            String jobId = UUID.randomUUID().toString();
            send(GenerateServerMessage.newBuilder().setAccepted(Accepted.newBuilder().setJobId(jobId).setNodeId(script.nodeId)
                    .setModelHash(script.modelHash).setPricePerToken(amount(script.price))
                    .setCreditWindowTokens(script.window).setPayee(script.payee).setSeed(42).setPromptTokens(3)).build());
            int half = (script.window + 1) / 2;
            int sent = 0;
            int total = Math.min(script.words.size(), request.getMaxTokens() == 0 ? Integer.MAX_VALUE : request.getMaxTokens());
            for (int i = 0; i < total; i++) {
                if (i == script.stallAfter) {
                    awaitEnd();
                    return;
                }
                if (paid && !awaitCredit(sent, script.window - 1)) {
                    return;
                }
                int index = i == script.gapAt ? i + 1 : i == script.repeatAt ? i - 1 : i;
                if (!send(GenerateServerMessage.newBuilder().setTokens(Tokens.newBuilder().setText(script.words.get(i))
                        .addTokenIds(100 + i).setIndex(index).addLogProbs(-0.5f)).build())) {
                    return;
                }
                sent++;
                if (paid) {
                    BigInteger due = addOwed(script.price);
                    if (sent % half == 0) {
                        send(paymentDue(due, sent));
                    }
                }
            }
            if (paid) {
                send(paymentDue(addOwed(BigInteger.ZERO), sent));
                if (!awaitCredit(sent, 0)) {
                    return;
                }
            }
            BigInteger amount = script.price.multiply(BigInteger.valueOf(sent)).add(script.receiptAmountDelta);
            Receipt.Builder receipt = Receipt.newBuilder().setJobId(jobId).setTokens(sent).setAmount(amount(amount))
                    .setPricePerToken(amount(script.price)).addNodeIds(script.nodeId).setModelHash(script.modelHash)
                    .addNodeShares(io.gridshare.proto.v1.NodeShare.newBuilder().setNodeId(script.nodeId).setTokens(sent));
            if (channel != null) {
                receipt.setChannel(request.getChannel());
            }
            send(GenerateServerMessage.newBuilder().setCompleted(Completed.newBuilder()
                    .setFinishReason(sent == script.words.size() ? FinishReason.FINISH_REASON_STOP : FinishReason.FINISH_REASON_LENGTH)
                    .setUsage(Usage.newBuilder().setPromptTokens(3).setCompletionTokens(sent)).setReceipt(receipt)).build());
            synchronized (lock) {
                if (!ended) {
                    ended = true;
                    out.onCompleted();
                }
            }
        }

        private synchronized BigInteger addOwed(BigInteger price) {
            synchronized (ScriptedGateway.this) {
                return owed.merge(channel.channelId(), price, BigInteger::add).add(script.greedyExtra);
            }
        }

        private PaymentDue.Builder dueMessage(BigInteger due, int sent) {
            return PaymentDue.newBuilder().setCumulativeAmount(amount(due)).setTokensDelivered(sent);
        }

        private GenerateServerMessage paymentDue(BigInteger due, int sent) {
            return GenerateServerMessage.newBuilder().setPaymentDue(dueMessage(due, sent)).build();
        }

        /** Waits until the job's unpaid tokens are at most {@code maxUnpaid}; false if the job ended. */
        private boolean awaitCredit(int sent, int maxUnpaid) {
            long deadline = System.nanoTime() + script.paymentTimeout.toNanos();
            synchronized (lock) {
                while (!ended && unpaidTokens(sent) > maxUnpaid) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        ended = true;
                        out.onError(Status.FAILED_PRECONDITION.withDescription("payment required: no voucher for "
                                + script.price.multiply(BigInteger.valueOf(sent)) + " within " + script.paymentTimeout).asRuntimeException());
                        return false;
                    }
                    try {
                        TimeUnit.NANOSECONDS.timedWait(lock, left);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return false;
                    }
                }
                return !ended;
            }
        }

        private void awaitEnd() {
            synchronized (lock) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!ended && System.nanoTime() < deadline) {
                    try {
                        TimeUnit.NANOSECONDS.timedWait(lock, deadline - System.nanoTime());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }

        private boolean send(GenerateServerMessage message) {
            synchronized (lock) {
                if (ended) {
                    return false;
                }
                out.onNext(message);
                return true;
            }
        }

        private void end(Status status) {
            synchronized (lock) {
                if (!ended) {
                    ended = true;
                    out.onError(status.asRuntimeException());
                    lock.notifyAll();
                }
            }
        }

        @Override
        public void onError(Throwable t) {
            tenantCancelled("call ended: " + t);
        }

        @Override
        public void onCompleted() {
            // the tenant half-closes after Completed
        }
    }

    static Amount amount(BigInteger value) {
        return Amount.newBuilder().setBaseUnits(value.toString()).build();
    }

    /** The channel reference for {@code channelId} on a fixed test chain. */
    public static ChannelKey testChannel(long channelId) {
        return new ChannelKey(31337, "0x5fbdb2315678afecb367f032d93f642f64180aa3", BigInteger.valueOf(channelId));
    }

    static List<BigInteger> amounts(List<Voucher> vouchers) {
        List<BigInteger> out = new ArrayList<>();
        vouchers.forEach(v -> out.add(v.cumulativeAmount()));
        return out;
    }
}
