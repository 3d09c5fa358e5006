package io.gridshare.node.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Continuous batching: one thread advances every active job of a model by one step at a time, so
 * each weight is read once per step for all of them. A step holds one row per job that is decoding
 * and ready to deliver, plus prompt chunks of jobs still prefilling, up to
 * {@link #prefillTokensPerStep} prompt tokens, so running jobs keep streaming while a long prompt is
 * read. Jobs join and leave between steps; a job whose sink cannot take a token now (a tenant out of
 * credit) sits steps out without holding up the others. Jobs are visited round-robin, so none waits
 * more than one step for the others.
 */
final class StepLoop {

    private static final System.Logger LOG = System.getLogger(StepLoop.class.getName());
    /** How often a loop with only parked jobs looks at their sinks again. */
    private static final long PARKED_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    private final LlamaEngine engine;
    private final ForwardBackend backend;
    private final Set<Integer> stopTokens;
    private final int prefillTokensPerStep;
    private final StepBatch batch;
    private final StepStats stats;
    private final Thread thread;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final List<ActiveJob> incoming = new ArrayList<>();
    private boolean stopping;
    private boolean woken;

    /** Loop-thread state. */
    private final List<ActiveJob> active = new ArrayList<>();
    private final List<ActiveJob> inStep = new ArrayList<>();
    private final List<int[]> rowsOf = new ArrayList<>();
    private int cursor;

    StepLoop(LlamaEngine engine, ForwardBackend backend, Set<Integer> stopTokens, int maxJobs, int prefillTokensPerStep,
             StepStats stats, String name) {
        this.engine = engine;
        this.backend = backend;
        this.stopTokens = stopTokens;
        this.prefillTokensPerStep = prefillTokensPerStep;
        this.batch = new StepBatch(maxJobs + prefillTokensPerStep);
        this.stats = stats;
        this.thread = new Thread(this::run, "gridshare-engine-" + name);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    void add(ActiveJob job) {
        lock.lock();
        try {
            incoming.add(job);
            woken = true;
            work.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Something changed for a job (cancelled, a sink became ready): look again now. */
    void wake() {
        lock.lock();
        try {
            woken = true;
            work.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Cancels every job and waits up to {@code timeoutMillis} for the loop to end them. */
    boolean stop(long timeoutMillis) throws InterruptedException {
        lock.lock();
        try {
            stopping = true;
            woken = true;
            work.signal();
        } finally {
            lock.unlock();
        }
        thread.join(timeoutMillis);
        return !thread.isAlive();
    }

    private void run() {
        while (true) {
            boolean anyParked = takeIncoming();
            if (anyParked == STOP) {
                return;
            }
            if (!buildStep()) {
                idleWait(!active.isEmpty());
                continue;
            }
            long start = System.nanoTime();
            Throwable failure = null;
            try {
                backend.forwardBatch(batch);
            } catch (Throwable t) {
                failure = t;
                LOG.log(System.Logger.Level.WARNING, "a step of " + inStep.size() + " job(s) failed", t);
            }
            stats.step(batch.count(), inStep.size(), System.nanoTime() - start);
            afterStep(failure);
        }
    }

    private static final boolean STOP = true;

    /** Moves submitted jobs into the loop; returns {@link #STOP} when the engine is closing and all ended. */
    private boolean takeIncoming() {
        lock.lock();
        try {
            active.addAll(incoming);
            incoming.clear();
            if (stopping) {
                for (ActiveJob job : active) {
                    job.cancel();
                }
            }
            if (stopping && active.isEmpty()) {
                return STOP;
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    private void idleWait(boolean parked) {
        lock.lock();
        try {
            if (woken || !incoming.isEmpty() || (stopping && !parked)) {
                woken = false;
                return;
            }
            if (parked) {
                work.awaitNanos(PARKED_POLL_NANOS);
            } else {
                work.await();
            }
            woken = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopping = true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Fills {@link #batch}: ends cancelled jobs, delivers waiting tokens to sinks that can take
     * them, and adds a row per decoding job and prompt chunks within the prefill budget.
     *
     * @return whether the step has any row
     */
    private boolean buildStep() {
        batch.clear();
        inStep.clear();
        rowsOf.clear();
        int n = active.size();
        if (n == 0) {
            return false;
        }
        int prefillBudget = prefillTokensPerStep;
        int start = cursor++ % n;
        List<ActiveJob> ended = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            ActiveJob job = active.get((start + k) % n);
            if (job.cancelled()) {
                ended.add(job);
                engine.finish(job, FinishReason.CANCELLED, null);
                continue;
            }
            if (job.phase == ActiveJob.Phase.PREFILL && job.fed == 0 && job.generated >= job.request.maxTokens()) {
                ended.add(job); // resumed with all its output delivered already
                engine.finish(job, FinishReason.LENGTH, null);
                continue;
            }
            if (job.phase == ActiveJob.Phase.DELIVER && !deliver(job, ended)) {
                continue;
            }
            float[] logits = job.slot.logits();
            switch (job.phase) {
                case PREFILL -> {
                    if (prefillBudget == 0) {
                        continue;
                    }
                    int chunk = Math.min(prefillBudget, job.feed.length - job.fed);
                    int first = batch.count();
                    for (int i = 0; i < chunk; i++) {
                        int pos = job.fed + i;
                        boolean last = pos == job.feed.length - 1;
                        batch.add(job.slot.backendSlot(), job.feed[pos], pos, last ? logits : null);
                    }
                    prefillBudget -= chunk;
                    inStep.add(job);
                    rowsOf.add(new int[] {first, chunk});
                }
                case DECODE -> {
                    int first = batch.count();
                    batch.add(job.slot.backendSlot(), job.previous, job.fed, logits);
                    inStep.add(job);
                    rowsOf.add(new int[] {first, 1});
                }
                default -> { }
            }
        }
        active.removeAll(ended);
        return batch.count() > 0;
    }

    /** Hands the waiting token to the sink if it can take it now; false when the job sits this step out. */
    private boolean deliver(ActiveJob job, List<ActiveJob> ended) {
        if (!job.sink.ready()) {
            return false;
        }
        String text = job.utf8.append(engine.decode(job.previous, job.pending));
        try {
            job.sink.onToken(new GeneratedToken(job.generated, job.pending, text, job.pendingLogProbability));
        } catch (RuntimeException e) {
            ended.add(job);
            engine.finish(job, FinishReason.ERROR, e);
            return false;
        }
        if (job.firstTokenNanos == 0) {
            job.firstTokenNanos = System.nanoTime();
            stats.firstToken(job.firstTokenNanos - job.submittedNanos);
        }
        job.generated++;
        job.previous = job.pending;
        if (job.generated >= job.request.maxTokens()) {
            ended.add(job);
            engine.finish(job, FinishReason.LENGTH, null);
            return false;
        }
        if (job.cancelled()) {
            ended.add(job);
            engine.finish(job, FinishReason.CANCELLED, null);
            return false;
        }
        job.phase = ActiveJob.Phase.DECODE;
        return true;
    }

    /** Advances every job of the step: positions fed, and a token sampled where logits came. */
    private void afterStep(Throwable failure) {
        List<ActiveJob> ended = new ArrayList<>();
        for (int j = 0; j < inStep.size(); j++) {
            ActiveJob job = inStep.get(j);
            if (failure != null) {
                ended.add(job);
                engine.finish(job, FinishReason.ERROR, failure);
                continue;
            }
            int rows = rowsOf.get(j)[1];
            job.fed += rows;
            if (job.fed < job.feed.length && job.phase == ActiveJob.Phase.PREFILL) {
                continue;
            }
            // the logits of the job's last fed position are ready
            int next = job.slot.sampler().sample(job.slot.logits(), job.request.sampling(), job.generated);
            if (stopTokens.contains(next)) {
                ended.add(job);
                engine.finish(job, FinishReason.STOP, null);
                continue;
            }
            job.pending = next;
            job.pendingLogProbability = job.slot.sampler().lastLogProbability();
            job.phase = ActiveJob.Phase.DELIVER;
            if (job.cancelled()) {
                ended.add(job);
                engine.finish(job, FinishReason.CANCELLED, null);
                continue;
            }
            // deliver now when the sink can take it, so the token reaches the tenant before the next step
            if (deliver(job, ended)) {
                continue;
            }
        }
        active.removeAll(ended);
    }
}
