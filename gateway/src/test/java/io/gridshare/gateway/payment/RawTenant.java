package io.gridshare.gateway.payment;

import com.google.protobuf.ByteString;
import io.gridshare.chain.voucher.Vouchers;
import io.gridshare.client.ChannelKey;
import io.gridshare.proto.v1.Amount;
import io.gridshare.proto.v1.GenerateClientMessage;
import io.gridshare.proto.v1.GenerateRequest;
import io.gridshare.proto.v1.GenerateServerMessage;
import io.gridshare.proto.v1.InferenceGrpc;
import io.gridshare.proto.v1.PaymentDue;
import io.gridshare.proto.v1.Voucher;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.math.BigInteger;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.web3j.crypto.Credentials;

/**
 * A tenant that speaks the Generate protocol by hand, so a test can make it misbehave: stop paying,
 * forge, replay or overdraw a voucher. {@code onDue} decides what to answer to each PaymentDue.
 */
public final class RawTenant implements AutoCloseable {

    public final List<GenerateServerMessage> received = new CopyOnWriteArrayList<>();
    public final CompletableFuture<Status> ended = new CompletableFuture<>();
    private final ManagedChannel grpc;
    private final ChannelKey channel;
    private StreamObserver<GenerateClientMessage> requests;

    public RawTenant(String target, ChannelKey channel) {
        this.grpc = ManagedChannelBuilder.forTarget(target).usePlaintext().build();
        this.channel = channel;
    }

    /** Starts a job; {@code onDue} is called on each PaymentDue with this tenant and the due. */
    public RawTenant start(String prompt, int maxTokens, BiConsumer<RawTenant, PaymentDue> onDue) {
        requests = InferenceGrpc.newStub(grpc).generate(new StreamObserver<>() {
            @Override
            public void onNext(GenerateServerMessage m) {
                received.add(m);
                if (m.hasPaymentDue()) {
                    onDue.accept(RawTenant.this, m.getPaymentDue());
                }
            }

            @Override
            public void onError(Throwable t) {
                ended.complete(Status.fromThrowable(t));
            }

            @Override
            public void onCompleted() {
                ended.complete(Status.OK);
            }
        });
        requests.onNext(GenerateClientMessage.newBuilder().setRequest(GenerateRequest.newBuilder()
                .setModel("stories260K").setPrompt(prompt).setMaxTokens(maxTokens).setSeed(7)
                .setChannel(channel.toProto())).build());
        return this;
    }

    /** Signs and sends a voucher for {@code amount} with {@code key} (the channel's signer, or a forger). */
    public Voucher pay(BigInteger amount, Credentials key) {
        io.gridshare.chain.voucher.Voucher v = Vouchers.sign(channel.domain(), channel.channelId(), amount, key);
        Voucher proto = Voucher.newBuilder().setChannel(channel.toProto())
                .setCumulativeAmount(Amount.newBuilder().setBaseUnits(amount.toString()))
                .setSignature(ByteString.copyFrom(v.signature())).build();
        send(proto);
        return proto;
    }

    public synchronized void send(Voucher voucher) {
        requests.onNext(GenerateClientMessage.newBuilder().setVoucher(voucher).build());
    }

    public Status awaitEnd() throws Exception {
        return ended.get(60, TimeUnit.SECONDS);
    }

    public int tokens() {
        return received.stream().filter(GenerateServerMessage::hasTokens)
                .mapToInt(m -> m.getTokens().getTokenIdsCount()).sum();
    }

    @Override
    public void close() throws InterruptedException {
        grpc.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
