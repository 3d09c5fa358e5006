package io.gridshare.node.link;

import io.gridshare.node.engine.BackendInfo;
import io.gridshare.node.engine.FinishReason;
import io.gridshare.node.engine.GeneratedToken;
import io.gridshare.node.engine.InferenceEngine;
import io.gridshare.node.engine.Job;
import io.gridshare.node.engine.JobOutcome;
import io.gridshare.node.engine.JobRefusedException;
import io.gridshare.node.engine.JobRequest;
import io.gridshare.node.engine.ModelDescriptor;
import io.gridshare.node.engine.SlotStatus;
import io.gridshare.node.engine.TokenSink;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A deterministic stand-in for the inference engine, for link tests: token {@code i} of a job is a
 * pure function of (seed, i), so resuming works as with the real engine; each job runs on its own
 * thread and honours cancellation between tokens. In paced mode a token is produced only when the
 * test releases a step, so tests control exactly how far a job gets.
 */
final class ScriptedEngine implements InferenceEngine {

    static final int VOCAB = 512;
    static final int CONTEXT = 256;
    // what a Qwen2.5-0.5B Q8_0 GGUF file reports, so the Hello carries non-default model details
    static final String ARCHITECTURE = "qwen2";
    static final long PARAMETERS = 494_032_768L;
    static final String QUANTIZATION = "Q8_0 ×169";

    private final ModelDescriptor model;
    private final int slots;
    private final boolean paced;
    private final AtomicInteger used = new AtomicInteger();
    final Map<String, ScriptedJob> jobs = new ConcurrentHashMap<>();
    final Map<String, Semaphore> steps = new ConcurrentHashMap<>();

    /** Characters of filler text each token carries (0: just "<id>"), to fill transport windows quickly. */
    volatile int textPadding;

    ScriptedEngine(String name, int slots, boolean paced) {
        String hash = String.format("%064x", (long) name.hashCode() & 0xffffffffL);
        this.model = new ModelDescriptor(name, hash, "c".repeat(64), "d".repeat(64), 64, 172, 5, 8, 4, VOCAB, CONTEXT,
                ARCHITECTURE, PARAMETERS, QUANTIZATION, true);
        this.slots = slots;
        this.paced = paced;
    }

    static int tokenId(long seed, int index) {
        return (int) Math.floorMod(seed * 7919 + index * 31L + 1, (long) VOCAB - 3) + 3;
    }

    /** The uninterrupted output of a job: what a resumed job must continue. */
    static List<Integer> expected(long seed, int count) {
        return java.util.stream.IntStream.range(0, count).mapToObj(i -> tokenId(seed, i)).toList();
    }

    /** Lets a paced job produce {@code n} more tokens. */
    void step(String jobId, int n) {
        steps.computeIfAbsent(jobId, k -> new Semaphore(0)).release(n);
    }

    @Override
    public ModelDescriptor model() {
        return model;
    }

    @Override
    public BackendInfo backend() {
        return new BackendInfo("cpu", List.of(), "scripted test engine");
    }

    /** Every request submitted, in order (what the link made of each Assign). */
    final List<JobRequest> submitted = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public SlotStatus slots() {
        return new SlotStatus(slots, slots - used.get(), 1_048_576);
    }

    @Override
    public Job submit(JobRequest request, TokenSink sink) throws JobRefusedException {
        submitted.add(request);
        int promptTokens = request.prompt().length() / 4 + 1;
        if (promptTokens + request.maxTokens() > CONTEXT) {
            throw new JobRefusedException(JobRefusedException.Reason.CONTEXT_TOO_LONG, "prompt of " + promptTokens
                    + " tokens plus max_tokens " + request.maxTokens() + " exceeds the context of " + CONTEXT);
        }
        if (used.incrementAndGet() > slots) {
            used.decrementAndGet();
            throw new JobRefusedException(JobRefusedException.Reason.NO_FREE_SLOT, "all " + slots + " slots busy");
        }
        ScriptedJob job = new ScriptedJob(request, sink, promptTokens);
        jobs.put(request.jobId(), job);
        Thread.ofPlatform().daemon().name("scripted-" + request.jobId()).start(job::run);
        return job;
    }

    @Override
    public void close() {
        jobs.values().forEach(ScriptedJob::cancel);
    }

    final class ScriptedJob implements Job {
        private final JobRequest request;
        private final TokenSink sink;
        private final int promptTokens;
        private final CompletableFuture<JobOutcome> completion = new CompletableFuture<>();
        volatile boolean cancelled;
        /** Tokens handed to the sink after cancel() was called: must stay at most one. */
        final AtomicInteger tokensAfterCancel = new AtomicInteger();
        final AtomicInteger produced = new AtomicInteger();

        ScriptedJob(JobRequest request, TokenSink sink, int promptTokens) {
            this.request = request;
            this.sink = sink;
            this.promptTokens = promptTokens;
        }

        void run() {
            int index = request.emittedTokens().size();
            FinishReason reason = FinishReason.LENGTH;
            try {
                while (index < request.maxTokens()) {
                    if (cancelled) {
                        reason = FinishReason.CANCELLED;
                        break;
                    }
                    if (paced && !awaitStep()) {
                        reason = FinishReason.CANCELLED;
                        break;
                    }
                    int id = tokenId(request.sampling().seed(), index);
                    boolean afterCancel = cancelled;
                    sink.onToken(new GeneratedToken(index, id, "<" + id + ">" + ".".repeat(textPadding), -0.5f));
                    produced.incrementAndGet();
                    if (afterCancel) {
                        tokensAfterCancel.incrementAndGet();
                    }
                    index++;
                }
                if (cancelled) {
                    reason = FinishReason.CANCELLED;
                }
            } finally {
                used.decrementAndGet();
                JobOutcome outcome = new JobOutcome(reason, promptTokens, index, null);
                sink.onFinished(outcome);
                completion.complete(outcome);
            }
        }

        private boolean awaitStep() {
            Semaphore s = steps.computeIfAbsent(request.jobId(), k -> new Semaphore(0));
            try {
                while (!cancelled) {
                    if (s.tryAcquire(5, TimeUnit.MILLISECONDS)) {
                        return true;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return false;
        }

        @Override
        public String id() {
            return request.jobId();
        }

        @Override
        public void cancel() {
            cancelled = true;
        }

        @Override
        public CompletableFuture<JobOutcome> completion() {
            return completion;
        }
    }
}
