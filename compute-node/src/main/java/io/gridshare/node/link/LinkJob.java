package io.gridshare.node.link;

import io.gridshare.node.engine.FinishReason;
import io.gridshare.node.engine.GeneratedToken;
import io.gridshare.node.engine.InferenceEngine;
import io.gridshare.node.engine.Job;
import io.gridshare.node.engine.JobOutcome;
import io.gridshare.node.engine.JobRefusedException;
import io.gridshare.node.engine.JobRequest;
import io.gridshare.node.engine.TokenSink;
import io.gridshare.proto.v1.JobDone;
import io.gridshare.proto.v1.JobFailed;
import io.gridshare.proto.v1.JobTokens;
import io.gridshare.proto.v1.NodeMessage;
import io.gridshare.proto.v1.Usage;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One assigned job on one link: the engine's {@link TokenSink} for it, its per-job credit and its
 * tokens not yet sent.
 *
 * <p>While the job has no credit or too many unsent tokens, {@link #ready()} says no and the engine
 * holds the job's next token back; that pauses this job only, never the engine's other jobs, the
 * link's heartbeats or its inbound messages. A job that gets no Credit for the credit timeout is
 * ended to free its slot.
 */
final class LinkJob implements TokenSink {

    private static final System.Logger LOG = System.getLogger(LinkJob.class.getName());

    /** Where a job's output goes: the session's outbound queue. */
    interface Output {
        /** The job has output to send (tokens and/or its final message). */
        void ready(LinkJob job);

        /** The job has ended and its final message is queued; forget it. */
        void ended(LinkJob job);
    }

    private enum Stop { NONE, CANCELLED_BY_GATEWAY, LINK_DROPPED, NO_CREDIT }

    private final String id;
    private final Output output;
    private final SlotPool slots;
    private final NodeMetrics metrics;
    private final Duration creditTimeout;
    private final int maxUnsent;
    private final AtomicBoolean slotHeld = new AtomicBoolean(true);

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    // guarded by lock
    private long credit;
    private final List<GeneratedToken> unsent = new ArrayList<>();
    private NodeMessage last;
    private Stop stop = Stop.NONE;
    private Job engineJob;
    private boolean engineCancelRequested;
    /** When the job started waiting for credit (System.nanoTime), or 0 while it has credit. */
    private long waitingSince;

    /** @param initialCredit tokens allowed before the first Credit (0: none until Credit arrives) */
    LinkJob(String id, long initialCredit, Output output, SlotPool slots, NodeMetrics metrics, LinkSettings settings) {
        this.id = id;
        this.output = output;
        this.slots = slots;
        this.metrics = metrics;
        this.creditTimeout = settings.creditTimeout();
        this.maxUnsent = settings.maxUnsentTokensPerJob();
        this.credit = initialCredit;
    }

    String id() {
        return id;
    }

    /** Submits the job; runs off the gRPC thread because submitting may take a while. */
    void submitTo(InferenceEngine engine, JobRequest request) {
        metrics.jobStarted();
        Job job;
        try {
            job = engine.submit(request, this);
        } catch (JobRefusedException e) {
            refused(e.getMessage(), retryable(e.reason()));
            return;
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "engine failed to start job " + id, e);
            refused("the engine failed to start the job: " + e, true);
            return;
        }
        boolean cancelNow;
        lock.lock();
        try {
            engineJob = job;
            cancelNow = engineCancelRequested;
        } finally {
            lock.unlock();
        }
        if (cancelNow) {
            job.cancel();
        }
    }

    static boolean retryable(JobRefusedException.Reason reason) {
        return switch (reason) {
            case NO_FREE_SLOT, OUT_OF_MEMORY, CLOSED -> true;
            case CONTEXT_TOO_LONG, INVALID_PARAMETERS -> false;
        };
    }

    /** The job could not start: report it, free the slot. */
    void refused(String message, boolean retryable) {
        releaseSlot();
        metrics.jobEnded(NodeMetrics.JobResult.REFUSED);
        lock.lock();
        try {
            if (stop != Stop.LINK_DROPPED) {
                last = failed(id, message, retryable);
            }
        } finally {
            lock.unlock();
        }
        output.ready(this);
        output.ended(this);
    }

    static NodeMessage failed(String jobId, String message, boolean retryable) {
        return NodeMessage.newBuilder().setJobFailed(JobFailed.newBuilder()
                .setJobId(jobId).setMessage(message).setRetryable(retryable)).build();
    }

    /** More tokens allowed (gateway Credit). */
    void addCredit(long tokens) {
        lock.lock();
        try {
            credit = Math.min(Long.MAX_VALUE / 2, credit + tokens);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The gateway cancelled: stop before the next token, drop what is unsent, report CANCELLED. */
    void cancelByGateway() {
        stop(Stop.CANCELLED_BY_GATEWAY);
    }

    /** The link dropped: stop the job; nothing more can be sent (the gateway resumes it elsewhere). */
    void cancelForDroppedLink() {
        stop(Stop.LINK_DROPPED);
    }

    private void stop(Stop why) {
        Job job;
        lock.lock();
        try {
            if (stop == Stop.NONE) {
                stop = why;
            } else if (why == Stop.LINK_DROPPED) {
                stop = why; // nothing can be sent any more, whatever stopped the job first
            }
            unsent.clear();
            engineCancelRequested = true;
            job = engineJob;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (job != null) {
            job.cancel();
        }
    }

    @Override
    public boolean ready() {
        lock.lock();
        try {
            if (stop != Stop.NONE || (credit > 0 && unsent.size() < maxUnsent)) {
                waitingSince = 0;
                return true;
            }
            long now = System.nanoTime();
            if (waitingSince == 0) {
                waitingSince = now;
            }
            // past the timeout onToken ends the job at once
            return now - waitingSince >= creditTimeout.toNanos();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void onToken(GeneratedToken token) {
        boolean timedOut = false;
        lock.lock();
        try {
            long waitNanos = waitingSince == 0 ? creditTimeout.toNanos()
                    : creditTimeout.toNanos() - (System.nanoTime() - waitingSince);
            while (stop == Stop.NONE && (credit == 0 || unsent.size() >= maxUnsent)) {
                if (waitNanos <= 0) {
                    timedOut = true;
                    break;
                }
                try {
                    waitNanos = changed.awaitNanos(waitNanos);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    stop = Stop.LINK_DROPPED;
                }
            }
            if (timedOut) {
                stop = Stop.NO_CREDIT;
                unsent.clear();
                engineCancelRequested = true;
            } else if (stop != Stop.NONE) {
                return; // cancelled: the token in flight is dropped, the engine stops before the next
            } else {
                credit--;
                unsent.add(token);
            }
        } finally {
            lock.unlock();
        }
        if (timedOut) {
            LOG.log(Level.WARNING, "job " + id + " got no Credit for " + creditTimeout + "; ending it to free its slot");
            Job job;
            lock.lock();
            try {
                job = engineJob;
            } finally {
                lock.unlock();
            }
            if (job != null) {
                job.cancel();
            }
            return;
        }
        metrics.tokensProduced(1);
        output.ready(this);
    }

    @Override
    public void onFinished(JobOutcome outcome) {
        releaseSlot();
        NodeMetrics.JobResult result;
        lock.lock();
        try {
            switch (stop) {
                case LINK_DROPPED -> {
                    last = null;
                    result = NodeMetrics.JobResult.CANCELLED;
                }
                case CANCELLED_BY_GATEWAY -> {
                    last = done(outcome, FinishReason.CANCELLED);
                    result = NodeMetrics.JobResult.CANCELLED;
                }
                case NO_CREDIT -> {
                    last = failed(id, "the gateway sent no Credit for " + creditTimeout
                            + "; the node ended the job to free its slot", false);
                    result = NodeMetrics.JobResult.FAILED;
                }
                default -> {
                    if (outcome.reason() == FinishReason.ERROR) {
                        Throwable e = outcome.error();
                        LOG.log(Level.WARNING, "job " + id + " failed in the engine", e);
                        last = failed(id, "engine error: " + (e == null ? "unknown" : e.toString()), true);
                        result = NodeMetrics.JobResult.FAILED;
                    } else {
                        last = done(outcome, outcome.reason());
                        result = outcome.reason() == FinishReason.CANCELLED
                                ? NodeMetrics.JobResult.CANCELLED : NodeMetrics.JobResult.DONE;
                    }
                }
            }
        } finally {
            lock.unlock();
        }
        metrics.jobEnded(result);
        output.ready(this);
        output.ended(this);
    }

    private NodeMessage done(JobOutcome outcome, FinishReason reason) {
        return NodeMessage.newBuilder().setJobDone(JobDone.newBuilder()
                .setJobId(id)
                .setFinishReason(toProto(reason))
                .setUsage(Usage.newBuilder()
                        .setPromptTokens(Math.max(0, outcome.promptTokens()))
                        .setCompletionTokens(Math.max(0, outcome.generatedTokens())))).build();
    }

    static io.gridshare.proto.v1.FinishReason toProto(FinishReason reason) {
        return switch (reason) {
            case STOP -> io.gridshare.proto.v1.FinishReason.FINISH_REASON_STOP;
            case LENGTH -> io.gridshare.proto.v1.FinishReason.FINISH_REASON_LENGTH;
            case CANCELLED -> io.gridshare.proto.v1.FinishReason.FINISH_REASON_CANCELLED;
            case ERROR -> io.gridshare.proto.v1.FinishReason.FINISH_REASON_ERROR;
        };
    }

    private void releaseSlot() {
        if (slotHeld.compareAndSet(true, false)) {
            slots.release();
        }
    }

    /**
     * Takes what is ready to send: one JobTokens with every unsent token (batched), then the final
     * message once the job has ended. Wakes the engine thread if it waited for room.
     */
    List<NodeMessage> takeOutput() {
        lock.lock();
        try {
            List<NodeMessage> out = new ArrayList<>(2);
            if (!unsent.isEmpty()) {
                JobTokens.Builder tokens = JobTokens.newBuilder().setJobId(id).setIndex(unsent.getFirst().index());
                StringBuilder text = new StringBuilder();
                for (GeneratedToken t : unsent) {
                    tokens.addTokenIds(t.tokenId());
                    tokens.addLogProbs(t.logProbability());
                    text.append(t.text());
                    // each token's own text lets the gateway drop tokens it already has after a failover
                    tokens.addTokenTexts(t.text());
                }
                tokens.setText(text.toString());
                out.add(NodeMessage.newBuilder().setJobTokens(tokens).build());
                unsent.clear();
                changed.signalAll();
            }
            if (last != null) {
                out.add(last);
                last = null;
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    /** For tests and metrics: whether the engine thread is waiting for credit or room now. */
    boolean waitingForCredit() {
        lock.lock();
        try {
            return stop == Stop.NONE && credit == 0;
        } finally {
            lock.unlock();
        }
    }

}
