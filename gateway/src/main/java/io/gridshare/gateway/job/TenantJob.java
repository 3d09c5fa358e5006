package io.gridshare.gateway.job;

import io.gridshare.gateway.observe.GatewayObserver;
import io.gridshare.gateway.placement.Placement;
import io.gridshare.proto.v1.Accepted;
import io.gridshare.proto.v1.Amount;
import io.gridshare.proto.v1.Assign;
import io.gridshare.proto.v1.Completed;
import io.gridshare.proto.v1.FinishReason;
import io.gridshare.proto.v1.GenerateRequest;
import io.gridshare.proto.v1.GenerateServerMessage;
import io.gridshare.proto.v1.JobDone;
import io.gridshare.proto.v1.JobTokens;
import io.gridshare.proto.v1.PaymentDue;
import io.gridshare.proto.v1.NodeShare;
import io.gridshare.proto.v1.Receipt;
import io.gridshare.proto.v1.Tokens;
import io.gridshare.proto.v1.Usage;
import io.gridshare.proto.v1.Voucher;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.lang.System.Logger.Level;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One tenant's job from acceptance to its last token: holds the tokens the tenant has been promised
 * (so a failover resumes exactly after them), relays tokens as fast as the tenant reads, and grants the
 * node credit only for tokens the tenant has taken — the gateway never holds more than
 * {@code linkCreditTokens} tokens of one job.
 *
 * <p>All state is guarded by {@code this}; node events, tenant readiness and cancellation arrive on
 * different threads.
 */
public final class TenantJob {

    private static final System.Logger LOG = System.getLogger(TenantJob.class.getName());

    private enum State { RUNNING, NODE_DONE, FINISHED }

    private static final long REPLACE_RETRY_MILLIS = 100;

    private record PendingToken(int tokenId, String text, float logProb, String nodeId) {}

    private final String jobId;
    private final String tenantId;
    private final GenerateRequest request;
    private final long seed;
    private final BigInteger maxPrice;
    private final int maxTokens;
    private final TenantSink sink;
    private final JobContext ctx;
    private final long startNanos;

    private final List<Integer> accepted = new ArrayList<>();
    private final ArrayDeque<PendingToken> pending = new ArrayDeque<>();
    private final Set<String> tried = new HashSet<>();
    private final List<String> nodeIds = new ArrayList<>();
    /** Tokens delivered to the tenant per producing node: what the meter pays each node for. */
    private final java.util.Map<String, Integer> deliveredBy = new java.util.LinkedHashMap<>();

    private State state = State.RUNNING;
    private int delivered;
    private int failovers;
    private int attempt;
    private NodeChannel node;
    private Placement.Selection.Reserved reservation; // held while the current node runs the job
    private int creditLeft; // tokens the current node may still send
    private FinishReason finishReason = FinishReason.FINISH_REASON_UNSPECIFIED;
    private int promptTokens;
    private MeterSession meter;
    private BigInteger pricePerToken;
    private String modelHash;
    private long lastSendNanos;
    private boolean finalDueSent;

    TenantJob(String jobId, String tenantId, GenerateRequest request, long seed, BigInteger maxPrice, int maxTokens,
              TenantSink sink, JobContext ctx) {
        this.jobId = jobId;
        this.tenantId = tenantId;
        this.request = request;
        this.seed = seed;
        this.maxPrice = maxPrice;
        this.maxTokens = maxTokens;
        this.sink = sink;
        this.ctx = ctx;
        this.startNanos = System.nanoTime();
    }

    public String jobId() {
        return jobId;
    }

    /** Places the job and sends Accepted, or ends the tenant's call with the status that says why not. */
    synchronized void start(Placement.Selection.Reserved first) {
        modelHash = first.modelHash();
        pricePerToken = first.pricePerToken().add(ctx.settings().feePerToken());
        try {
            meter = ctx.meter().open(new JobQuote(jobId, modelHash, pricePerToken, first.pricePerToken(),
                    request.hasChannel() ? request.getChannel() : null, ctx.settings().creditWindowTokens()),
                    this::checkPayment);
        } catch (StatusRuntimeException refused) {
            // the channel cannot pay for this job: give the slot back and say what to do
            ctx.placement().release(first);
            state = State.FINISHED;
            try {
                sink.fail(refused.getStatus());
            } catch (RuntimeException gone) {
                LOG.log(Level.DEBUG, "tenant of job " + jobId + " went away before its refusal", gone);
            }
            ctx.jobEnded(this);
            return;
        }
        sink.send(GenerateServerMessage.newBuilder().setAccepted(Accepted.newBuilder()
                .setJobId(jobId).setNodeId(first.nodeId()).setModelHash(modelHash)
                .setPricePerToken(amount(pricePerToken))
                .setCreditWindowTokens(ctx.settings().creditWindowTokens())
                .setPayee(ctx.meter().payee().orElse(ctx.settings().gatewayId()))
                .setSeed(seed)).build());
        ctx.observer().streamOpened();
        runOn(first);
    }

    /** Sends Assign to the reserved node, moving on to another when its link is already gone. */
    private void runOn(Placement.Selection.Reserved reserved) {
        Placement.Selection.Reserved r = reserved;
        while (true) {
            Optional<NodeChannel> channel = ctx.channels().channelTo(r);
            tried.add(r.nodeId());
            if (channel.isPresent()) {
                attempt++;
                node = channel.get();
                reservation = r;
                creditLeft = Math.max(0, ctx.settings().linkCreditTokens() - pending.size());
                Assign assign = Assign.newBuilder().setJobId(jobId).setModelHash(modelHash)
                        .setPrompt(request.getPrompt()).addAllMessages(request.getMessagesList())
                        .addAllEmittedTokenIds(accepted).setMaxTokens(maxTokens)
                        .setTemperature(request.getTemperature()).setTopP(request.getTopP()).setSeed(seed)
                        .setInitialCredit(creditLeft).build();
                if (node.assign(assign, new Events(attempt, r.nodeId()))) {
                    if (nodeIds.isEmpty() || !nodeIds.getLast().equals(r.nodeId())) {
                        nodeIds.add(r.nodeId());
                    }
                    return;
                }
                reservation = null;
            }
            ctx.placement().release(r);
            node = null;
            Placement.Selection next = ctx.placement().reserve(jobId, tenantId, modelHash, maxPrice, tried);
            if (!(next instanceof Placement.Selection.Reserved nr)) {
                finishWithError(Status.UNAVAILABLE.withDescription("no node serving model " + modelHash
                        + " is reachable now (" + ((Placement.Selection.Refused) next).message() + ")"));
                return;
            }
            r = nr;
        }
    }

    private final class Events implements NodeJobEvents {
        private final int attemptNo;
        private final String nodeId;

        Events(int attemptNo, String nodeId) {
            this.attemptNo = attemptNo;
            this.nodeId = nodeId;
        }

        @Override
        public void onTokens(JobTokens tokens) {
            nodeTokens(attemptNo, nodeId, tokens);
        }

        @Override
        public void onDone(JobDone done) {
            nodeDone(attemptNo, done);
        }

        @Override
        public void onFailed(String message, boolean retryable) {
            nodeFailed(attemptNo, nodeId, message, retryable);
        }
    }

    private synchronized void nodeTokens(int attemptNo, String nodeId, JobTokens t) {
        if (attemptNo != attempt || state != State.RUNNING) {
            return; // a node we already left behind
        }
        int count = t.getTokenIdsCount();
        boolean perTokenText = t.getTokenTextsCount() == count;
        if (!perTokenText && count > 1 && t.getIndex() < accepted.size()) {
            nodeFault(nodeId, "sent " + count + " tokens without token_texts over tokens the tenant already has");
            return;
        }
        for (int k = 0; k < count; k++) {
            int index = t.getIndex() + k;
            if (index < accepted.size()) {
                continue; // already delivered by an earlier node: drop the duplicate
            }
            if (index > accepted.size()) {
                nodeFault(nodeId, "skipped from token " + accepted.size() + " to " + index);
                return;
            }
            if (creditLeft <= 0) {
                nodeFault(nodeId, "sent tokens beyond its credit");
                return;
            }
            creditLeft--;
            String text = perTokenText ? t.getTokenTexts(k) : (k == 0 ? t.getText() : "");
            float logProb = k < t.getLogProbsCount() ? t.getLogProbs(k) : 0f;
            accepted.add(t.getTokenIds(k));
            pending.add(new PendingToken(t.getTokenIds(k), text, logProb, nodeId));
        }
        drain();
    }

    private synchronized void nodeDone(int attemptNo, JobDone done) {
        if (attemptNo != attempt || state != State.RUNNING) {
            return;
        }
        state = State.NODE_DONE;
        finishReason = done.getFinishReason();
        if (done.hasUsage()) {
            promptTokens = done.getUsage().getPromptTokens();
        }
        releaseSlot();
        node = null;
        drain();
    }

    private synchronized void nodeFailed(int attemptNo, String nodeId, String message, boolean retryable) {
        if (attemptNo != attempt || state != State.RUNNING) {
            return;
        }
        releaseSlot();
        node = null;
        if (!retryable) {
            finishWithError(Status.INVALID_ARGUMENT.withDescription("node " + nodeId + " refused the job: " + message));
            return;
        }
        failOver(nodeId, message);
    }

    /** The node broke the protocol: stop it and move the job on. */
    private void nodeFault(String nodeId, String what) {
        LOG.log(Level.WARNING, "node {0} {1} in job {2}; moving the job to another node", nodeId, what, jobId);
        if (node != null) {
            node.cancel(jobId, "protocol violation: " + what);
        }
        releaseSlot();
        node = null;
        failOver(nodeId, what);
    }

    private void failOver(String fromNode, String why) {
        tried.add(fromNode);
        if (failovers >= ctx.settings().maxFailovers()) {
            finishWithError(Status.UNAVAILABLE.withDescription("job " + jobId + " lost its node " + fromNode + " ("
                    + why + ") after " + failovers + " failovers; retry the request"));
            return;
        }
        failovers++;
        ctx.observer().failover();
        replace(fromNode, why, System.nanoTime() + ctx.settings().linkExpiry().toNanos());
    }

    /**
     * Reserves another node for the job. When none is free right now — typically while the grid heals
     * after a gateway member left — it tries again every {@link #REPLACE_RETRY_MILLIS} until
     * {@code deadlineNanos}, the tenant's stream simply pausing meanwhile.
     */
    private synchronized void replace(String fromNode, String why, long deadlineNanos) {
        if (state != State.RUNNING) {
            return;
        }
        Placement.Selection next = ctx.placement().reserve(jobId, tenantId, modelHash, maxPrice, tried);
        if (next instanceof Placement.Selection.Reserved r) {
            LOG.log(Level.INFO, "job {0} moves from node {1} ({2}) to node {3} after {4} tokens", jobId, fromNode,
                    why, r.nodeId(), accepted.size());
            runOn(r);
        } else if (System.nanoTime() < deadlineNanos) {
            ctx.timers().schedule(() -> replace(fromNode, why, deadlineNanos), REPLACE_RETRY_MILLIS,
                    java.util.concurrent.TimeUnit.MILLISECONDS);
        } else {
            finishWithError(Status.UNAVAILABLE.withDescription("job " + jobId + " lost its node " + fromNode + " ("
                    + why + ") and no other node took it over: " + ((Placement.Selection.Refused) next).message()
                    + "; retry shortly"));
        }
    }

    /** Sends what the tenant can take now; called whenever tokens arrive or the tenant becomes ready. */
    public synchronized void drain() {
        if (state == State.FINISHED) {
            return;
        }
        try {
            while (!pending.isEmpty() && sink.isReady()) {
                long allowed = meter.deliverableThrough() - delivered;
                if (allowed <= 0) {
                    break; // waiting for a voucher
                }
                int n = (int) Math.min(Math.min(pending.size(), ctx.settings().maxTokensPerMessage()), allowed);
                String producer = pending.peek().nodeId();
                // one message holds one node's tokens: the meter pays each node for exactly its own
                int sameNode = 0;
                for (PendingToken p : pending) {
                    if (sameNode == n || !p.nodeId().equals(producer)) {
                        break;
                    }
                    sameNode++;
                }
                n = sameNode;
                Tokens.Builder b = Tokens.newBuilder().setIndex(delivered);
                StringBuilder text = new StringBuilder();
                for (int i = 0; i < n; i++) {
                    PendingToken p = pending.poll();
                    b.addTokenIds(p.tokenId()).addLogProbs(p.logProb());
                    text.append(p.text());
                }
                b.setText(text.toString());
                sink.send(GenerateServerMessage.newBuilder().setTokens(b).build());
                observeSend(n);
                delivered += n;
                deliveredBy.merge(producer, n, Integer::sum);
                Optional<PaymentDue> due = meter.onDelivered(delivered, producer, n);
                due.ifPresent(d -> sink.send(GenerateServerMessage.newBuilder().setPaymentDue(d).build()));
                if (node != null && state == State.RUNNING) {
                    creditLeft += n;
                    node.credit(jobId, n);
                }
            }
            if (state == State.NODE_DONE && pending.isEmpty()) {
                if (!finalDueSent) {
                    finalDueSent = true;
                    meter.onLastToken(delivered)
                            .ifPresent(d -> sink.send(GenerateServerMessage.newBuilder().setPaymentDue(d).build()));
                }
                if (meter.paidFor(delivered)) {
                    complete();
                } // else Completed waits for the voucher (onVoucher drains again) or the payment deadline
            }
        } catch (RuntimeException e) {
            // the tenant's transport failed under us: nothing more can reach it
            LOG.log(Level.DEBUG, "tenant of job " + jobId + " went away", e);
            cancel("tenant stream failed: " + e.getMessage(), false);
        }
    }

    private void observeSend(int n) {
        long now = System.nanoTime();
        if (delivered == 0) {
            ctx.observer().firstToken(Duration.ofNanos(now - startNanos));
        } else {
            Duration gap = Duration.ofNanos((now - lastSendNanos) / n);
            for (int i = 0; i < n; i++) {
                ctx.observer().interToken(gap);
            }
        }
        lastSendNanos = now;
        ctx.observer().tokensStreamed(n);
    }

    private void complete() {
        state = State.FINISHED;
        meter.close(delivered);
        sink.send(GenerateServerMessage.newBuilder().setCompleted(Completed.newBuilder()
                .setFinishReason(finishReason)
                .setUsage(Usage.newBuilder().setPromptTokens(promptTokens).setCompletionTokens(delivered))
                .setReceipt(receipt())).build());
        sink.complete();
        ended();
    }

    private Receipt receipt() {
        Receipt.Builder r = Receipt.newBuilder().setJobId(jobId).setTokens(delivered)
                .setAmount(amount(meter.amountFor(delivered))).setPricePerToken(amount(pricePerToken))
                .addAllNodeIds(nodeIds).setModelHash(modelHash);
        deliveredBy.forEach((node, tokens) -> r.addNodeShares(NodeShare.newBuilder().setNodeId(node).setTokens(tokens)));
        if (request.hasChannel()) {
            r.setChannel(request.getChannel());
        }
        return r.build();
    }

    /** The meter's payment deadline passed: if the tenant still has not paid, the job ends. */
    private synchronized void checkPayment() {
        if (state == State.FINISHED || meter == null) {
            return;
        }
        meter.overdue().ifPresent(status -> {
            stopNode("payment required");
            finishWithError(status);
        });
    }

    /** A voucher from the tenant; may let held-back tokens go. */
    public synchronized void onVoucher(Voucher voucher) {
        if (state == State.FINISHED) {
            return;
        }
        try {
            meter.onVoucher(voucher);
        } catch (StatusRuntimeException e) {
            stopNode("voucher refused");
            finishWithError(e.getStatus());
            return;
        }
        drain();
    }

    /**
     * The tenant stopped the job (cancelled the call, sent CancelJob, or its deadline passed). The node
     * gets Cancel at once, so it stops before its next token.
     *
     * @param tellTenant true when the tenant's stream is still open and should end with Completed(CANCELLED)
     */
    public synchronized void cancel(String reason, boolean tellTenant) {
        if (state == State.FINISHED) {
            return;
        }
        stopNode(reason);
        state = State.FINISHED;
        if (meter != null) {
            meter.close(delivered);
        }
        if (tellTenant) {
            try {
                finishReason = FinishReason.FINISH_REASON_CANCELLED;
                sink.send(GenerateServerMessage.newBuilder().setCompleted(Completed.newBuilder()
                        .setFinishReason(finishReason)
                        .setUsage(Usage.newBuilder().setPromptTokens(promptTokens).setCompletionTokens(delivered))
                        .setReceipt(receipt())).build());
                sink.complete();
            } catch (RuntimeException e) {
                LOG.log(Level.DEBUG, "tenant of job " + jobId + " went away while cancelling", e);
            }
        }
        ended();
    }

    private void stopNode(String reason) {
        if (node != null) {
            node.cancel(jobId, reason);
        }
        releaseSlot();
        node = null;
    }

    private void finishWithError(Status status) {
        if (state == State.FINISHED) {
            return;
        }
        state = State.FINISHED;
        releaseSlot();
        if (meter != null) {
            meter.close(delivered);
        }
        try {
            sink.fail(status);
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, "tenant of job " + jobId + " went away before its error", e);
        }
        ended();
    }

    private void ended() {
        ctx.observer().streamClosed();
        ctx.jobEnded(this);
    }

    private void releaseSlot() {
        if (reservation != null) {
            ctx.placement().release(reservation);
            reservation = null;
        }
    }

    /** Tokens held for the tenant and not yet sent (bounded by the link credit). */
    public synchronized int buffered() {
        return pending.size();
    }

    public synchronized int delivered() {
        return delivered;
    }

    public synchronized int failovers() {
        return failovers;
    }

    private static Amount amount(BigInteger v) {
        return Amount.newBuilder().setBaseUnits(v.toString()).build();
    }

    /** What a job needs from the gateway around it. */
    interface JobContext {
        io.gridshare.gateway.config.GatewaySettings settings();

        Placement placement();

        NodeChannels channels();

        JobMeter meter();

        GatewayObserver observer();

        /** Runs delayed retries of a job's failover. */
        java.util.concurrent.ScheduledExecutorService timers();

        void jobEnded(TenantJob job);
    }

}
