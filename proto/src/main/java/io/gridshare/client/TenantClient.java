package io.gridshare.client;

import io.gridshare.proto.v1.InferenceGrpc;
import io.gridshare.proto.v1.ListModelsRequest;
import io.grpc.Channel;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * What a tenant embeds to stream paid inference jobs from a Gridshare gateway. It streams a job,
 * signs a voucher whenever the gateway sends PaymentDue — never for more than the tokens it
 * received × the quoted price, never above the channel's deposit — records every signed amount in
 * its {@link ChannelLedger} before sending it, and verifies the receipt at the end.
 *
 * <pre>{@code
 * try (TenantClient client = TenantClient.builder()
 *         .target("127.0.0.1:9090")
 *         .signer(VoucherSigner.of(sessionKey))
 *         .ledger(new FileChannelLedger(Path.of(".gridshare/ledger")))
 *         .deposits(DepositSource.onChain(contracts.paymentChannels()))
 *         .build()) {
 *     JobResult result = client.generate(JobSpec.builder("stories260K", "Once upon a time")
 *             .maxTokens(64).channel(channel).build(), chunk -> System.out.print(chunk.text()));
 * }
 * }</pre>
 *
 * Thread-safe: several jobs may run at once, also on the same channel (their vouchers are signed
 * one at a time against the shared ledger).
 */
public final class TenantClient implements AutoCloseable {
    private final Channel channel;
    private final ManagedChannel owned;
    private final String target;
    private final Duration deadline;
    private final VoucherSigner signer;
    private final ChannelLedger ledger;
    private final DepositSource deposits;
    private final Object paymentLock = new Object();

    private TenantClient(Builder b) {
        if (b.channel != null) {
            this.channel = b.channel;
            this.owned = null;
            this.target = b.target == null ? b.channel.authority() : b.target;
        } else {
            Objects.requireNonNull(b.target, "target (host:port) or channel is required");
            ChannelCredentials credentials = b.tls ? TlsChannelCredentials.create() : InsecureChannelCredentials.create();
            this.owned = Grpc.newChannelBuilder(b.target, credentials).build();
            this.channel = owned;
            this.target = b.target;
        }
        this.deadline = b.deadline;
        this.signer = b.signer;
        this.ledger = b.ledger == null ? new InMemoryChannelLedger() : b.ledger;
        this.deposits = b.deposits;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The gateway address, for messages. */
    public String target() {
        return target;
    }

    public ChannelLedger ledger() {
        return ledger;
    }

    /**
     * Streams a job and waits for it: tokens reach {@code listener} as they arrive, vouchers are
     * signed as the gateway asks for them, and the verified result is returned.
     *
     * @throws GridshareClientException what failed and what to do (a gRPC status from the gateway,
     *     a {@link PaymentRefusedException}, or a {@link ProtocolViolationException})
     */
    public JobResult generate(JobSpec spec, TokenListener listener) {
        return start(spec, listener).await();
    }

    /** Starts a job and returns at once; {@link JobHandle#await()} waits for it, {@link JobHandle#cancel} stops it. */
    public JobHandle start(JobSpec spec, TokenListener listener) {
        if (spec.channel() != null && (signer == null || deposits == null)) {
            throw new IllegalStateException("A paid job needs a voucher signer and a deposit source: build the client "
                    + "with .signer(...) and .deposits(...) or .depositCap(...)");
        }
        InferenceGrpc.InferenceStub stub = InferenceGrpc.newStub(channel);
        if (deadline != null) {
            stub = stub.withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS);
        }
        JobHandle job = new JobHandle(this, spec, listener);
        stub.generate(job);
        job.sendRequest();
        return job;
    }

    /** The models the gateway cluster serves now. */
    public List<OfferedModel> listModels() {
        InferenceGrpc.InferenceBlockingStub stub = InferenceGrpc.newBlockingStub(channel);
        if (deadline != null) {
            stub = stub.withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS);
        }
        try {
            return stub.listModels(ListModelsRequest.getDefaultInstance()).getModelsList().stream()
                    .map(OfferedModel::fromProto).toList();
        } catch (StatusRuntimeException e) {
            throw GridshareClientException.fromGrpc(e, target);
        }
    }

    VoucherSigner signer() {
        return signer;
    }

    DepositSource deposits() {
        return deposits;
    }

    Object paymentLock() {
        return paymentLock;
    }

    @Override
    public void close() {
        if (owned != null) {
            owned.shutdownNow();
            try {
                owned.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Configures a {@link TenantClient}. */
    public static final class Builder {
        private String target;
        private Channel channel;
        private boolean tls;
        private Duration deadline;
        private VoucherSigner signer;
        private ChannelLedger ledger;
        private DepositSource deposits;

        private Builder() {
        }

        /** The gateway's gRPC address, host:port (the client opens and closes its own connection). */
        public Builder target(String hostPort) {
            this.target = hostPort;
            return this;
        }

        /** An existing gRPC channel (the caller keeps ownership and closes it). */
        public Builder channel(Channel grpcChannel) {
            this.channel = grpcChannel;
            return this;
        }

        /** TLS (true) or plaintext (false, the default, which the local network uses). */
        public Builder tls(boolean useTls) {
            this.tls = useTls;
            return this;
        }

        /** Deadline of each call (a whole job, or listModels); null for none. */
        public Builder deadline(Duration value) {
            this.deadline = value;
            return this;
        }

        /** Signs vouchers; its key must be the signer of the tenant's channels. */
        public Builder signer(VoucherSigner value) {
            this.signer = value;
            return this;
        }

        /** Where the highest signed amount per channel is kept (default: in memory). */
        public Builder ledger(ChannelLedger value) {
            this.ledger = value;
            return this;
        }

        /** Where the channel's deposit is read from (e.g. {@link DepositSource#onChain}). */
        public Builder deposits(DepositSource value) {
            this.deposits = value;
            return this;
        }

        /** Without chain access: never sign a cumulative amount above {@code cap}. */
        public Builder depositCap(BigInteger cap) {
            this.deposits = DepositSource.cap(cap);
            return this;
        }

        public TenantClient build() {
            return new TenantClient(this);
        }
    }
}
