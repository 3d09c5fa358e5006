package io.gridshare.client;

import io.gridshare.chain.voucher.Voucher;
import io.gridshare.proto.v1.Accepted;
import io.gridshare.proto.v1.Amount;
import io.gridshare.proto.v1.CancelJob;
import io.gridshare.proto.v1.Completed;
import io.gridshare.proto.v1.GenerateClientMessage;
import io.gridshare.proto.v1.GenerateServerMessage;
import io.gridshare.proto.v1.PaymentDue;
import io.gridshare.proto.v1.Tokens;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import com.google.protobuf.ByteString;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One running job. The client pays by the PAYMENTS.md tenant rules: on PaymentDue it signs
 * {@code min(due − highestSigned, received × price − paidForJob)} more, never above the deposit.
 */
public final class JobHandle implements ClientResponseObserver<GenerateClientMessage, GenerateServerMessage> {
    private static final System.Logger LOG = System.getLogger(JobHandle.class.getName());

    private final TenantClient client;
    private final JobSpec spec;
    private final TokenListener listener;
    private final CompletableFuture<JobResult> result = new CompletableFuture<>();
    private final Object sendLock = new Object();
    private ClientCallStreamObserver<GenerateClientMessage> requests;
    private volatile boolean cancelledByTenant;

    // touched only on the transport's callback thread (gRPC serializes a call's callbacks)
    private final long startNanos = System.nanoTime();
    private long firstTokenNanos;
    private long lastTokenNanos;
    private JobAccepted accepted;
    private int receivedTokens;
    private final StringBuilder text = new StringBuilder();
    private final List<Integer> tokenIds = new ArrayList<>();
    private BigInteger paidForJob = BigInteger.ZERO;
    private BigInteger depositSeen;

    JobHandle(TenantClient client, JobSpec spec, TokenListener listener) {
        this.client = client;
        this.spec = spec;
        this.listener = listener;
    }

    /** Waits for the job's verified result. */
    public JobResult await() {
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cancel("interrupted");
            throw new GridshareClientException("interrupted while waiting for the job", "the job was cancelled", e);
        } catch (ExecutionException e) {
            throw unwrap(e);
        }
    }

    /** Waits at most {@code timeout}; cancels the job if it has not finished by then. */
    public JobResult await(Duration timeout) {
        try {
            return result.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            cancel("tenant's wait of " + timeout + " ran out");
            throw new GridshareClientException("the job did not finish within " + timeout, "wait longer or ask for fewer tokens", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cancel("interrupted");
            throw new GridshareClientException("interrupted while waiting for the job", "the job was cancelled", e);
        } catch (ExecutionException e) {
            throw unwrap(e);
        }
    }

    /** The result as a future (completes exceptionally with a {@link GridshareClientException}). */
    public CompletableFuture<JobResult> result() {
        return result;
    }

    /** Stops the job: sends CancelJob and cancels the call. Nothing more is owed than what was received and signed. */
    public void cancel() {
        cancel("cancelled by the tenant");
    }

    public void cancel(String reason) {
        cancelledByTenant = true;
        stop(reason);
        result.completeExceptionally(GridshareClientException.withCode(Status.Code.CANCELLED, "job cancelled: " + reason,
                "nothing more is owed than the tokens received", null));
    }

    private static GridshareClientException unwrap(ExecutionException e) {
        return e.getCause() instanceof GridshareClientException g ? g
                : new GridshareClientException("job failed: " + e.getCause(), "see the cause", e.getCause());
    }

    void sendRequest() {
        send(GenerateClientMessage.newBuilder().setRequest(spec.toProto()).build());
    }

    private void send(GenerateClientMessage message) {
        synchronized (sendLock) {
            if (!result.isDone()) {
                requests.onNext(message);
            }
        }
    }

    private void stop(String reason) {
        synchronized (sendLock) {
            if (requests == null || result.isDone()) {
                return;
            }
            try {
                requests.onNext(GenerateClientMessage.newBuilder().setCancel(CancelJob.newBuilder().setReason(reason)).build());
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "CancelJob not sent: {0}", e.getMessage());
            }
            requests.cancel(reason, null);
        }
    }

    private void fail(GridshareClientException e) {
        if (!result.isDone()) {
            stop(e.description());
            result.completeExceptionally(e);
        }
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<GenerateClientMessage> requestStream) {
        this.requests = requestStream;
        // one message at a time: the next is requested after the listener has handled this one
        requestStream.disableAutoRequestWithInitial(1);
    }

    @Override
    public void onNext(GenerateServerMessage message) {
        if (result.isDone()) {
            return;
        }
        try {
            switch (message.getMessageCase()) {
                case ACCEPTED -> onAccepted(message.getAccepted());
                case TOKENS -> onTokens(message.getTokens());
                case PAYMENT_DUE -> onPaymentDue(message.getPaymentDue());
                case COMPLETED -> onCompleted(message.getCompleted());
                default -> LOG.log(System.Logger.Level.DEBUG, "Ignoring an unknown message from the gateway");
            }
        } catch (GridshareClientException e) {
            fail(e);
        } catch (RuntimeException e) {
            fail(new GridshareClientException("the job failed in the client: " + e, "see the cause", e));
        }
        synchronized (sendLock) {
            // a call's methods must not run concurrently: cancel() may come from another thread
            if (!result.isDone()) {
                requests.request(1);
            }
        }
    }

    private void onAccepted(Accepted a) {
        if (accepted != null) {
            throw new ProtocolViolationException("the gateway accepted the job twice");
        }
        BigInteger price = JobReceipt.amount(a.getPricePerToken().getBaseUnits());
        if (spec.maxPricePerToken() != null && price.compareTo(spec.maxPricePerToken()) > 0) {
            throw new ProtocolViolationException("the gateway quoted " + price + " per token, above the maximum "
                    + spec.maxPricePerToken() + " the tenant asked for");
        }
        if (spec.channel() != null) {
            String channelPayee = client.deposits().payee(spec.channel());
            if (channelPayee != null && !channelPayee.equalsIgnoreCase(a.getPayee())) {
                throw new GridshareClientException(spec.channel() + " pays " + channelPayee + ", but this gateway's payee is "
                        + a.getPayee(), "open a channel to " + a.getPayee() + " with `gridshare channel open --payee "
                        + a.getPayee() + " --deposit <GRID>`");
            }
        }
        accepted = new JobAccepted(a.getJobId(), a.getNodeId(), a.getModelHash(), price, a.getCreditWindowTokens(),
                a.getPayee(), a.getSeed(), a.getPromptTokens());
        listener.onAccepted(accepted);
    }

    private void onTokens(Tokens t) {
        if (accepted == null) {
            throw new ProtocolViolationException("the gateway sent tokens before accepting the job");
        }
        if (t.getIndex() != receivedTokens) {
            throw new ProtocolViolationException((t.getIndex() < receivedTokens ? "repeated" : "missing")
                    + " tokens: expected index " + receivedTokens + ", got " + t.getIndex());
        }
        if (t.getTokenIdsCount() == 0) {
            throw new ProtocolViolationException("the gateway sent a Tokens message without tokens at index " + t.getIndex());
        }
        long now = System.nanoTime();
        if (receivedTokens == 0) {
            firstTokenNanos = now;
        }
        lastTokenNanos = now;
        receivedTokens += t.getTokenIdsCount();
        text.append(t.getText());
        tokenIds.addAll(t.getTokenIdsList());
        listener.onTokens(new TokenChunk(t.getText(), t.getTokenIdsList(), t.getIndex(), t.getLogProbsList()));
    }

    private void onPaymentDue(PaymentDue due) {
        if (accepted == null) {
            throw new ProtocolViolationException("the gateway asked for payment before accepting the job");
        }
        ChannelKey channel = spec.channel();
        if (channel == null) {
            throw new ProtocolViolationException("the gateway asked for payment on a job that names no channel");
        }
        BigInteger dueAmount = JobReceipt.amount(due.getCumulativeAmount().getBaseUnits());
        BigInteger price = accepted.pricePerToken();
        synchronized (client.paymentLock()) {
            BigInteger highest = client.ledger().highestSigned(channel);
            if (highest.signum() == 0) {
                // an empty ledger on a used channel (a new machine): what was redeemed was surely signed
                highest = client.deposits().redeemed(channel);
            }
            BigInteger owedForReceived = price.multiply(BigInteger.valueOf(receivedTokens)).subtract(paidForJob);
            BigInteger increment = dueAmount.subtract(highest).min(owedForReceived);
            if (increment.signum() <= 0) {
                LOG.log(System.Logger.Level.DEBUG, "PaymentDue {0} on {1}: nothing owed (signed {2}, paid for job {3})",
                        dueAmount, channel, highest, paidForJob);
                return;
            }
            BigInteger amount = highest.add(increment);
            if (depositSeen == null || amount.compareTo(depositSeen) > 0) {
                depositSeen = client.deposits().deposit(channel); // re-read: the tenant may have topped up
            }
            if (amount.compareTo(depositSeen) > 0) {
                throw new PaymentRefusedException("paying for the tokens received would take " + channel + " to "
                        + amount + ", above its deposit " + depositSeen + "; the job was stopped",
                        "top up the channel with `gridshare channel topup --amount <GRID>` or open a new one");
            }
            Voucher voucher = client.signer().sign(channel, amount);
            client.ledger().recordSigned(channel, amount);
            send(GenerateClientMessage.newBuilder().setVoucher(io.gridshare.proto.v1.Voucher.newBuilder()
                    .setChannel(channel.toProto())
                    .setCumulativeAmount(Amount.newBuilder().setBaseUnits(amount.toString()))
                    .setSignature(ByteString.copyFrom(voucher.signature()))).build());
            paidForJob = paidForJob.add(increment);
        }
        listener.onVoucherSent(paidForJob);
    }

    private void onCompleted(Completed completed) {
        if (accepted == null) {
            throw new ProtocolViolationException("the gateway completed a job it never accepted");
        }
        JobReceipt receipt = JobReceipt.fromProto(completed.getReceipt());
        BigInteger price = accepted.pricePerToken();
        if (receipt.tokens() != receivedTokens) {
            throw new ProtocolViolationException("the receipt counts " + receipt.tokens() + " tokens but "
                    + receivedTokens + " were received");
        }
        if (!receipt.pricePerToken().equals(price)) {
            throw new ProtocolViolationException("the receipt's price " + receipt.pricePerToken()
                    + " differs from the quoted " + price);
        }
        BigInteger expected = price.multiply(BigInteger.valueOf(receivedTokens));
        if (!receipt.amount().equals(expected)) {
            throw new ProtocolViolationException("the receipt's amount " + receipt.amount() + " is not "
                    + receivedTokens + " tokens × " + price + " = " + expected);
        }
        if (!receipt.amount().equals(paidForJob)) {
            throw new ProtocolViolationException("the receipt's amount " + receipt.amount()
                    + " differs from the " + paidForJob + " the client signed for this job");
        }
        if (spec.channel() != null && receipt.channel() != null && !receipt.channel().equals(spec.channel())) {
            throw new ProtocolViolationException("the receipt names " + receipt.channel() + ", not the job's " + spec.channel());
        }
        double tokensPerSecond = receivedTokens > 1 && lastTokenNanos > firstTokenNanos
                ? (receivedTokens - 1) * 1e9 / (lastTokenNanos - firstTokenNanos) : 0.0;
        Duration ttft = receivedTokens == 0 ? Duration.ZERO : Duration.ofNanos(firstTokenNanos - startNanos);
        BigInteger highest = spec.channel() == null ? BigInteger.ZERO : client.ledger().highestSigned(spec.channel());
        JobResult done = new JobResult(accepted, text.toString(), tokenIds, receipt, completed.getFinishReason(),
                completed.getUsage().getPromptTokens(), completed.getUsage().getCompletionTokens(), paidForJob,
                highest, ttft, tokensPerSecond);
        synchronized (sendLock) {
            if (result.complete(done)) {
                requests.onCompleted();
            }
        }
    }

    @Override
    public void onError(Throwable t) {
        if (result.isDone()) {
            return;
        }
        if (cancelledByTenant) {
            result.completeExceptionally(GridshareClientException.withCode(Status.Code.CANCELLED,
                    "job cancelled by the tenant", "nothing more is owed than the tokens received", t));
            return;
        }
        result.completeExceptionally(GridshareClientException.fromGrpc(t, client.target()));
    }

    @Override
    public void onCompleted() {
        if (!result.isDone()) {
            result.completeExceptionally(new ProtocolViolationException(
                    "the gateway ended the stream without Completed after " + receivedTokens + " tokens"));
        }
    }
}
