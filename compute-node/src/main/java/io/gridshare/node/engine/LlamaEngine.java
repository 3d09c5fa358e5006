package io.gridshare.node.engine;

import io.gridshare.node.model.TransformerModel;
import io.gridshare.node.model.LlamaConfig;
import io.gridshare.node.chat.ChatFormat;
import io.gridshare.node.chat.ChatTemplateException;
import io.gridshare.node.tokenizer.TextTokenizer;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The engine: tokenizes, admits each job into its own slot of a {@link ForwardBackend} once the KV
 * blocks of its worst case fit (see {@link Admission}; jobs that do not fit yet wait in a bounded
 * queue), and lets one {@link StepLoop} advance all running jobs together, a step at a time, sampling
 * and streaming their tokens. A paged backend's slots (activations only) are allocated with the
 * engine; whole-context slots (CUDA) when first needed, after checking that their memory fits. Slots
 * are reused by later jobs; {@link #close()} frees them. A job's KV blocks return to the pool the
 * moment it ends, and the jobs waiting in the queue that now fit start at once.
 */
final class LlamaEngine implements InferenceEngine {

    private static final System.Logger LOG = System.getLogger(LlamaEngine.class.getName());

    private final ModelDescriptor model;
    private final TransformerModel weights;
    private final TextTokenizer tokenizer;
    private final ChatFormat chatFormat;
    private final java.util.Set<Integer> stopTokens;
    private final ForwardBackend backend;
    private final EngineConfig config;
    private final LlamaConfig shape;
    private final StepLoop loop;
    private final StepStats stats = new StepStats();
    private final long hostBytesPerSlot;

    private final Object lock = new Object();
    private final SlotContexts slotContexts;
    private final Admission admission;
    private boolean closed;
    private final Set<ActiveJob> running = ConcurrentHashMap.newKeySet();

    /** Prompt tokens one step reads at most, over all prefilling jobs. */
    static final int PREFILL_TOKENS_PER_STEP = 64;

    LlamaEngine(ModelDescriptor model, TransformerModel weights, TextTokenizer tokenizer, ForwardBackend backend,
                EngineConfig config) {
        this(model, weights, tokenizer, ChatFormat.plain(), backend, config);
    }

    LlamaEngine(ModelDescriptor model, TransformerModel weights, TextTokenizer tokenizer, ChatFormat chatFormat,
                ForwardBackend backend, EngineConfig config) {
        this.chatFormat = chatFormat;
        this.model = model;
        this.weights = weights;
        this.tokenizer = tokenizer;
        // BOS also ends a job: a model that starts a new sequence has finished this one (run.c stops there too)
        java.util.Set<Integer> stops = new java.util.HashSet<>(tokenizer.endOfGeneration());
        if (tokenizer.bos() >= 0) {
            stops.add(tokenizer.bos());
        }
        this.stopTokens = java.util.Set.copyOf(stops);
        this.backend = backend;
        this.config = config;
        this.shape = backend.config();
        this.hostBytesPerSlot = 4L * shape.vocabSize() + Sampler.bytes(shape.vocabSize());
        KvCacheStatus kv = backend.kvCache();
        this.admission = new Admission(model.name(), config.slots(), kv.totalBlocks(), config.effectiveMaxQueuedJobs());
        this.slotContexts = new SlotContexts(backend, model.name(), hostBytesPerSlot);
        if (kv.blockPositions() < shape.seqLen()) {
            // a paged backend's slots hold activations only: allocate them now, right after the pool,
            // so admission never meets an allocation that the heap's garbage makes look too large
            slotContexts.preallocate(config.slots());
        }
        this.loop = new StepLoop(this, backend, stopTokens, config.slots(), PREFILL_TOKENS_PER_STEP, stats, model.name());
        this.loop.start();
    }

    @Override
    public ModelDescriptor model() {
        return model;
    }

    @Override
    public BackendInfo backend() {
        return backend.info();
    }

    @Override
    public SlotStatus slots() {
        KvCacheStatus kv = backend.kvCache();
        int fullContext = kv.blocksFor(shape.seqLen());
        synchronized (lock) {
            int byBlocks = (kv.totalBlocks() - admission.reserved()) / fullContext;
            int free = closed || admission.queued() > 0 ? 0 : Math.min(config.slots() - admission.running(), byBlocks);
            return new SlotStatus(config.slots(), free, bytesPerSlot());
        }
    }

    @Override
    public KvCacheStatus kvCache() {
        return backend.kvCache();
    }

    @Override
    public QueueStatus queue() {
        synchronized (lock) {
            return admission.status();
        }
    }

    @Override
    public StepStats steps() {
        return stats;
    }

    /** Memory of one job at the model's whole context: its slot, its KV blocks, logits and sampler. */
    private long bytesPerSlot() {
        return backend.bytesPerJob(shape.seqLen()) + hostBytesPerSlot;
    }


    /** The tokenizer of this engine's model. */
    TextTokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public Job submit(JobRequest request, TokenSink sink) throws JobRefusedException {
        java.util.Objects.requireNonNull(sink, "sink");
        validate(request);
        int[] prompt = promptTokens(request);
        if (prompt.length == 0) {
            throw new JobRefusedException(JobRefusedException.Reason.INVALID_PARAMETERS, "job " + request.jobId()
                    + ": the prompt is empty and model " + model.name() + " adds no beginning-of-sequence token;"
                    + " send some prompt text");
        }
        int emitted = request.emittedTokens().size();
        if ((long) prompt.length + request.maxTokens() > shape.seqLen()) {
            throw new JobRefusedException(JobRefusedException.Reason.CONTEXT_TOO_LONG, "job " + request.jobId()
                    + ": prompt of " + prompt.length + " tokens plus maxTokens " + request.maxTokens()
                    + " exceeds the context length " + shape.seqLen() + " of model " + model.name()
                    + "; shorten the prompt or lower maxTokens to at most " + (shape.seqLen() - prompt.length));
        }
        int blocks = Admission.worstCaseBlocks(backend.kvCache(), request.jobId(), prompt.length, request.maxTokens(),
                model.name());
        ActiveJob job = new ActiveJob(request, sink, prompt, blocks, this::changed, tokenizer::decode);
        boolean now;
        synchronized (lock) {
            if (closed) {
                throw new JobRefusedException(JobRefusedException.Reason.CLOSED, "engine for " + model.name()
                        + " is closed; submit job " + request.jobId() + " to another engine");
            }
            now = admission.fitsNow(job);
            if (now) {
                job.slot = slotContexts.acquire(request.jobId());
                admission.start(job);
            } else {
                admission.enqueue(job);
            }
        }
        if (now) {
            begin(job);
        }
        LOG.log(System.Logger.Level.DEBUG, "job {0} {1}: {2} prompt tokens, {3} emitted, maxTokens {4}, {5} KV blocks",
                request.jobId(), now ? "started" : "queued", prompt.length, emitted, request.maxTokens(), blocks);
        return job;
    }

    private void begin(ActiveJob job) {
        running.add(job);
        loop.add(job);
    }

    /** A job was cancelled: a waiting one ends here, a running one when the loop sees it. */
    private void changed(ActiveJob job) {
        boolean waiting;
        synchronized (lock) {
            waiting = admission.removeWaiting(job);
        }
        if (waiting) {
            finish(job, FinishReason.CANCELLED, null);
        } else {
            loop.wake();
        }
    }

    /**
     * The prompt's tokens. A chat is rendered with the model's chat format and tokenized with
     * special tokens parsed (the template's header and end-of-turn markers are control tokens);
     * a plain prompt never turns text into control tokens. A template that writes the BOS text
     * itself does not get a second BOS.
     */
    private int[] promptTokens(JobRequest request) throws JobRefusedException {
        if (!request.isChat()) {
            return tokenizer.encode(request.prompt(), true, false);
        }
        String text;
        try {
            text = chatFormat.render(request.messages());
        } catch (ChatTemplateException e) {
            throw new JobRefusedException(JobRefusedException.Reason.INVALID_PARAMETERS, "job " + request.jobId()
                    + ": model " + model.name() + " cannot render this chat: " + e.getMessage());
        }
        int[] tokens = tokenizer.encode(text, true, true);
        int bos = tokenizer.bos();
        if (tokens.length > 1 && bos >= 0 && tokens[0] == bos && tokens[1] == bos) {
            tokens = java.util.Arrays.copyOfRange(tokens, 1, tokens.length);
        }
        return tokens;
    }

    private void validate(JobRequest r) throws JobRefusedException {
        SamplingParams s = r.sampling();
        String problem = null;
        if (!(s.temperature() >= 0f) || Float.isInfinite(s.temperature())) {
            problem = "temperature " + s.temperature() + " must be a finite number >= 0 (0 = greedy)";
        } else if (!(s.topP() >= 0f && s.topP() <= 1f)) {
            problem = "topP " + s.topP() + " must be in [0, 1] (0 or 1 = off)";
        } else if (r.maxTokens() < 1) {
            problem = "maxTokens " + r.maxTokens() + " must be at least 1";
        } else if (r.emittedTokens().size() > r.maxTokens()) {
            problem = r.emittedTokens().size() + " emitted tokens exceed maxTokens " + r.maxTokens();
        } else {
            for (int t : r.emittedTokens()) {
                if (t < 0 || t >= shape.vocabSize()) {
                    problem = "emitted token id " + t + " is outside the vocabulary [0, " + shape.vocabSize() + ")";
                    break;
                }
            }
        }
        if (problem != null) {
            throw new JobRefusedException(JobRefusedException.Reason.INVALID_PARAMETERS, "job " + r.jobId() + ": " + problem);
        }
    }

    /**
     * Returns a started job's KV blocks and slot and starts the waiting jobs that fit now; a job
     * that never started has nothing to return.
     */
    private void release(ActiveJob job) {
        if (job.slot == null) {
            return;
        }
        job.slot.backendSlot.endJob();
        List<ActiveJob> started = new java.util.ArrayList<>();
        List<ActiveJob> failed = new java.util.ArrayList<>();
        List<JobRefusedException> why = new java.util.ArrayList<>();
        synchronized (lock) {
            admission.finished(job);
            if (closed) {
                job.slot.backendSlot.close();
                return;
            }
            slotContexts.giveBack(job.slot);
            for (ActiveJob next : admission.admitWaiting()) {
                try {
                    next.slot = slotContexts.acquire(next.id());
                    started.add(next);
                } catch (JobRefusedException e) {
                    admission.finished(next);
                    failed.add(next);
                    why.add(e);
                }
            }
        }
        started.forEach(this::begin);
        for (int i = 0; i < failed.size(); i++) {
            finish(failed.get(i), FinishReason.ERROR, why.get(i));
        }
    }

    @Override
    public void close() {
        List<ActiveJob> waiting;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            waiting = admission.drain();
        }
        waiting.forEach(job -> finish(job, FinishReason.CANCELLED, null));
        boolean stopped;
        try {
            stopped = loop.stop(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopped = false;
        }
        if (!stopped) {
            // a sink blocks the loop; unmapping the weights under it would fail that thread, not free anything
            LOG.log(System.Logger.Level.WARNING, "engine for {0}: jobs still running after close; weights stay mapped", model.name());
            return;
        }
        synchronized (lock) {
            slotContexts.closeAll();
        }
        backend.close();
        weights.close();
    }

    /** What the step loop has done: batch sizes, steps, time to first token. */
    StepStats stats() {
        return stats;
    }

    byte[] decode(int previous, int token) {
        return tokenizer.decode(previous, token);
    }

    /** Ends a job: frees its slot at once, tells its sink, completes its future. Called by the loop. */
    void finish(ActiveJob job, FinishReason reason, Throwable error) {
        if (error != null) {
            LOG.log(System.Logger.Level.WARNING, "job " + job.id() + " failed", error);
        }
        running.remove(job);
        release(job);
        JobOutcome outcome = new JobOutcome(reason, job.promptTokens, job.generated, error);
        try {
            job.sink.onFinished(outcome);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "sink of job " + job.id() + " failed in onFinished", e);
        }
        job.complete(outcome);
    }

    record SlotContext(BackendSlot backendSlot, float[] logits, Sampler sampler) {}
}
