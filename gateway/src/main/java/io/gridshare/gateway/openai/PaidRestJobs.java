package io.gridshare.gateway.openai;

import io.gridshare.client.DepositSource;
import io.gridshare.client.FileChannelLedger;
import io.gridshare.client.GridshareClientException;
import io.gridshare.client.JobAccepted;
import io.gridshare.client.JobHandle;
import io.gridshare.client.JobReceipt;
import io.gridshare.client.JobResult;
import io.gridshare.client.JobSpec;
import io.gridshare.client.PaymentRefusedException;
import io.gridshare.client.TenantClient;
import io.gridshare.client.TokenChunk;
import io.gridshare.client.TokenListener;
import io.gridshare.client.VoucherSigner;
import io.gridshare.proto.v1.Amount;
import io.gridshare.proto.v1.Completed;
import io.gridshare.proto.v1.GenerateRequest;
import io.gridshare.proto.v1.GenerateServerMessage;
import io.gridshare.proto.v1.NodeShare;
import io.gridshare.proto.v1.Receipt;
import io.gridshare.proto.v1.Tokens;
import io.gridshare.proto.v1.Usage;
import io.grpc.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Runs REST jobs on a paid gateway as a real tenant of this gateway's own gRPC API: each delegated
 * session has a {@link TenantClient} that signs vouchers with the session key for the tokens it
 * received, exactly as any gRPC tenant does, and records what it signed under {@code ledgerDir}.
 */
public final class PaidRestJobs implements AutoCloseable {

    private static final Duration ACCEPT_WAIT = Duration.ofSeconds(60);

    private final Map<String, OpenAiSession> byApiKey;
    private final Supplier<String> target;
    private final Path ledgerDir;
    private final DepositSource deposits;
    private final Map<String, TenantClient> clients = new ConcurrentHashMap<>();

    /**
     * @param byApiKey the delegated sessions by API key
     * @param target this gateway's gRPC address (host:port), asked when the first job of a session starts
     * @param ledgerDir where each session's highest signed amount per channel is kept
     * @param deposits where a channel's deposit is read (the client never signs above it)
     */
    public PaidRestJobs(Map<String, OpenAiSession> byApiKey, Supplier<String> target, Path ledgerDir,
                        DepositSource deposits) {
        this.byApiKey = Map.copyOf(byApiKey);
        this.target = target;
        this.ledgerDir = ledgerDir;
        this.deposits = deposits;
    }

    /** The session of an {@code Authorization: Bearer <api-key>} header, if it names one. */
    public Optional<OpenAiSession> session(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        return Optional.ofNullable(byApiKey.get(authorization.substring(7).trim()));
    }

    /** What {@link #start} gives: a running job, or the status it was refused with. */
    record Started(RestJob job, Status status) {
    }

    /**
     * Starts the job on the session's channel and waits for the gateway to accept it; tokens, then
     * a Completed carrying the verified receipt, then the end reach {@code sink}.
     */
    Started start(OpenAiSession session, GenerateRequest request, QueueSink sink) {
        // the tenant client's JobSpec carries a prompt only, so a paid chat job still goes flattened
        String prompt = request.getMessagesCount() > 0 ? ChatTemplate.render(request.getMessagesList()) : request.getPrompt();
        JobSpec spec = new JobSpec(request.getModel(), prompt, request.getMaxTokens(),
                request.getTemperature(), request.getTopP(), request.hasSeed() ? request.getSeed() : null, null,
                session.channel());
        CompletableFuture<JobAccepted> accepted = new CompletableFuture<>();
        TokenListener listener = new TokenListener() {
            @Override
            public void onTokens(TokenChunk chunk) {
                sink.send(GenerateServerMessage.newBuilder().setTokens(Tokens.newBuilder().setText(chunk.text())
                        .addAllTokenIds(chunk.tokenIds()).setIndex(chunk.index()).addAllLogProbs(chunk.logProbs()))
                        .build());
            }

            @Override
            public void onAccepted(JobAccepted a) {
                accepted.complete(a);
            }
        };
        JobHandle handle = client(session).start(spec, listener);
        Thread.ofVirtual().name("openai-paid-job").start(() -> {
            try {
                JobResult result = handle.await();
                sink.send(GenerateServerMessage.newBuilder().setCompleted(completed(result)).build());
                sink.complete();
            } catch (GridshareClientException e) {
                Status status = status(e);
                accepted.completeExceptionally(new StatusHolder(status));
                sink.fail(status);
            } catch (RuntimeException e) {
                Status status = Status.INTERNAL.withDescription("the paid job failed in the gateway's tenant client: " + e);
                accepted.completeExceptionally(new StatusHolder(status));
                sink.fail(status);
            }
        });
        JobAccepted a;
        try {
            a = accepted.get(ACCEPT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            return new Started(null, e.getCause() instanceof StatusHolder h ? h.status
                    : Status.INTERNAL.withDescription(String.valueOf(e.getCause())));
        } catch (TimeoutException e) {
            handle.cancel("not accepted within " + ACCEPT_WAIT);
            return new Started(null, Status.DEADLINE_EXCEEDED.withDescription("the gateway did not accept the job within "
                    + ACCEPT_WAIT));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            handle.cancel("interrupted");
            return new Started(null, Status.CANCELLED.withDescription("interrupted"));
        }
        String jobId = a.jobId();
        return new Started(new RestJob() {
            @Override
            public String jobId() {
                return jobId;
            }

            @Override
            public void drain() {
                // the tenant client reads one message per listener call: nothing is held back here
            }

            @Override
            public void cancel(String reason) {
                handle.cancel(reason);
            }
        }, Status.OK);
    }

    /** The gateway's status, or the client's own finding: an exhausted deposit is the tenant's to fix. */
    static Status status(GridshareClientException e) {
        if (e.code() != null) {
            return Status.fromCode(e.code()).withDescription(e.getMessage());
        }
        return (e instanceof PaymentRefusedException ? Status.FAILED_PRECONDITION : Status.INTERNAL)
                .withDescription(e.getMessage());
    }

    private TenantClient client(OpenAiSession session) {
        return clients.computeIfAbsent(session.name(), n -> TenantClient.builder().target(target.get())
                .signer(VoucherSigner.of(session.sessionKey()))
                .ledger(new FileChannelLedger(ledgerDir.resolve(n))).deposits(deposits).build());
    }

    private static Completed completed(JobResult r) {
        JobReceipt receipt = r.receipt();
        Receipt.Builder proto = Receipt.newBuilder().setJobId(receipt.jobId()).setTokens(receipt.tokens())
                .setAmount(Amount.newBuilder().setBaseUnits(receipt.amount().toString()))
                .setPricePerToken(Amount.newBuilder().setBaseUnits(receipt.pricePerToken().toString()))
                .addAllNodeIds(receipt.nodeIds()).setModelHash(receipt.modelHash());
        receipt.nodeTokens().forEach((node, tokens) ->
                proto.addNodeShares(NodeShare.newBuilder().setNodeId(node).setTokens(tokens)));
        if (receipt.channel() != null) {
            proto.setChannel(receipt.channel().toProto());
        }
        return Completed.newBuilder().setFinishReason(r.finishReason())
                .setUsage(Usage.newBuilder().setPromptTokens(r.promptTokens()).setCompletionTokens(r.completionTokens()))
                .setReceipt(proto).build();
    }

    @Override
    public void close() {
        clients.values().forEach(TenantClient::close);
        clients.clear();
    }

    /** Carries a refusal's status from the job's thread to the request thread. */
    private static final class StatusHolder extends RuntimeException {
        private final transient Status status;

        StatusHolder(Status status) {
            super(status.getDescription(), null, false, false);
            this.status = status;
        }
    }
}
